using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Saliency;

public class UserMaskTests
{
    private static byte[] Pattern(byte foreground) =>
        Enumerable.Range(0, 8 * 6).Select(i => i % 8 >= 3 && i / 8 >= 2 ? foreground : (byte)0).ToArray();

    [Theory]
    [InlineData((byte)1)]   // 0/1: the official loader would read an all-zero mask
    [InlineData((byte)255)] // 0/255
    public void Load_BothEncodings_SameZeroOneMask(byte foreground)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("m/img1.png"), ImageCodec.EncodeGrayPng(new ByteRaster(8, 6, Pattern(foreground))));
        var mask = new UserMaskSource(temp.File("m")).Load("img1", 8, 6);
        Assert.NotNull(mask);
        Assert.Equal(Pattern(1), mask.Values);
        Assert.Equal(20, mask.Values.Count(v => v == 1));
    }

    [Fact]
    public void Load_PaletteMaskWithIndices01_ReadAsIndices()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("m/p.png"), IndexedPng.Write(new ByteRaster(8, 6, Pattern(1)), [0, 0, 0, 255, 255, 255]));
        Assert.Equal(Pattern(1), new UserMaskSource(temp.File("m")).Load("p", 8, 6)!.Values);
    }

    [Fact]
    public void Load_SizeMismatch_ErrorNamesFileAndSizes()
    {
        using var temp = new TempFolder();
        var path = temp.File("m/img1.png");
        File.WriteAllBytes(path, ImageCodec.EncodeGrayPng(new ByteRaster(8, 6, Pattern(255))));
        var e = Assert.Throws<InvalidDataException>(() => new UserMaskSource(temp.File("m")).Load("img1", 6, 8));
        Assert.Contains(path, e.Message);
        Assert.Contains("8×6", e.Message);
        Assert.Contains("6×8", e.Message);
    }

    [Fact]
    public void Load_UnreadableMask_ErrorNamesFile()
    {
        using var temp = new TempFolder();
        var path = temp.File("m/bad.png");
        File.WriteAllText(path, "not a png");
        var e = Assert.Throws<InvalidDataException>(() => new UserMaskSource(temp.File("m")).Load("bad", 8, 6));
        Assert.Contains(path, e.Message);
        Assert.Contains("unreadable", e.Message);
    }

    [Fact]
    public void Load_NoFile_ReturnsNull()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("m"));
        Assert.Null(new UserMaskSource(temp.File("m")).Load("absent", 8, 6));
    }
}
