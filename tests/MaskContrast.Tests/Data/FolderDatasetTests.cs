using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public class FolderDatasetTests
{
    [Fact]
    public void Constructor_Recursive_IdsAreRelativePathsWithoutExtension()
    {
        using var temp = new TempFolder();
        var image = ImageCodec.EncodePng(new RgbImage(4, 3, new byte[36]));
        File.WriteAllBytes(temp.File("b.png"), image);
        File.WriteAllBytes(temp.File("sub/a.PNG"), image);
        File.WriteAllText(temp.File("readme.txt"), "not an image");
        Assert.Equal(["b"], new FolderDataset(temp.Path).Ids);
        var all = new FolderDataset(temp.Path, recursive: true);
        Assert.Equal(["b", "sub/a"], all.Ids);
        Assert.Equal((4, 3), (all.LoadImage("sub/a").Width, all.LoadImage("sub/a").Height));
        Assert.Null(all.LoadLabels("b"));
    }

    [Fact]
    public void Constructor_SameIdTwoExtensions_ErrorNamesBothFiles()
    {
        using var temp = new TempFolder();
        var image = ImageCodec.EncodePng(new RgbImage(4, 3, new byte[36]));
        File.WriteAllBytes(temp.File("x.png"), image);
        File.WriteAllBytes(temp.File("x.jpg"), ImageCodec.EncodeJpeg(new RgbImage(4, 3, new byte[36])));
        var e = Assert.Throws<InvalidDataException>(() => new FolderDataset(temp.Path));
        Assert.Contains("x.png", e.Message);
        Assert.Contains("x.jpg", e.Message);
    }

    [Fact]
    public void LoadMask_WrongSize_ErrorNamesMaskAndBothSizes()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("img/p.png"), ImageCodec.EncodePng(new RgbImage(4, 3, new byte[36])));
        File.WriteAllBytes(temp.File("masks/p.png"), ImageCodec.EncodeGrayPng(new ByteRaster(5, 3, new byte[15])));
        var data = new FolderDataset(temp.File("img"), maskFolder: temp.File("masks"));
        var e = Assert.Throws<InvalidDataException>(() => data.LoadMask("p"));
        Assert.Contains("p.png", e.Message);
        Assert.Contains("5×3", e.Message);
        Assert.Contains("4×3", e.Message);
    }
}
