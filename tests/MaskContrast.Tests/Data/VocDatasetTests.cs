using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public class VocDatasetTests
{
    /// <summary>A 6×4 VOC set with one image "a", labels holding 0, 3, 15 and 255, and a palette that repeats black.</summary>
    private static void WriteTinyVoc(string root, byte[] labels, byte[]? mask)
    {
        Directory.CreateDirectory(Path.Combine(root, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(root, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(root, "ImageSets/Segmentation"));
        File.WriteAllBytes(Path.Combine(root, "JPEGImages/a.jpg"), ImageCodec.EncodeJpeg(new RgbImage(6, 4, new byte[6 * 4 * 3])));
        // Entries 0 and 3 are both black: a colour→index mapping could not tell them apart; indices can.
        var palette = (byte[])VocPalette.Rgb.Clone();
        palette[9] = palette[10] = palette[11] = 0;
        File.WriteAllBytes(Path.Combine(root, "SegmentationClass/a.png"), IndexedPng.Write(new ByteRaster(6, 4, labels), palette));
        File.WriteAllText(Path.Combine(root, "ImageSets/Segmentation/train.txt"), "a\n\n");
        if (mask is not null)
        {
            Directory.CreateDirectory(Path.Combine(root, "saliency_gt"));
            File.WriteAllBytes(Path.Combine(root, "saliency_gt/a.png"), ImageCodec.EncodeGrayPng(new ByteRaster(6, 4, mask)));
        }
    }

    private static byte[] Labels() =>
    [
        0, 0, 3, 3, 15, 15,
        0, 0, 3, 3, 15, 15,
        255, 255, 255, 0, 0, 1,
        0, 0, 0, 0, 0, 20,
    ];

    [Fact]
    public void LoadLabels_PalettePngWithDuplicateColours_ReturnsIndicesAnd255Kept()
    {
        using var temp = new TempFolder();
        WriteTinyVoc(temp.Path, Labels(), null);
        var voc = new VocDataset(temp.Path, "train");
        Assert.Equal(["a"], voc.Ids);
        var labels = voc.LoadLabels("a");
        Assert.NotNull(labels);
        Assert.Equal((6, 4), (labels.Width, labels.Height));
        Assert.Equal(Labels(), labels.Values);
        Assert.Equal(3, labels.Values.Count(v => v == 255));
    }

    [Theory]
    [InlineData((byte)1)]   // 0/1 encoding: the official loader would read this as an empty mask
    [InlineData((byte)255)] // 0/255 encoding
    public void LoadMask_BothEncodings_SameBinaryMask(byte foreground)
    {
        using var temp = new TempFolder();
        var mask = Labels().Select(v => v is > 0 and < 255 ? foreground : (byte)0).ToArray();
        WriteTinyVoc(temp.Path, Labels(), mask);
        var loaded = new VocDataset(temp.Path, "train").LoadMask("a");
        Assert.NotNull(loaded);
        Assert.Equal(Labels().Select(v => v is > 0 and < 255 ? (byte)1 : (byte)0).ToArray(), loaded.Values);
        Assert.Equal(10, loaded.Values.Count(v => v == 1));
    }

    [Fact]
    public void Constructor_OfficialTarballLayout_DetectedAndMasklessIdsFiltered()
    {
        // images/, sets/, saliency_unsupervised_model/ as in the MaskContrast tarball; only "b" has a mask.
        using var temp = new TempFolder();
        var jpeg = ImageCodec.EncodeJpeg(new RgbImage(6, 4, new byte[72]));
        File.WriteAllBytes(temp.File("images/a.jpg"), jpeg);
        File.WriteAllBytes(temp.File("images/b.jpg"), jpeg);
        File.WriteAllText(temp.File("sets/trainaug.txt"), "a\nb\n");
        File.WriteAllBytes(temp.File("saliency_unsupervised_model/b.png"), ImageCodec.EncodeGrayPng(new ByteRaster(6, 4, Enumerable.Repeat((byte)255, 24).ToArray())));
        var voc = new VocDataset(temp.Path, "trainaug");
        Assert.Equal(VocLayout.Official, voc.Layout);
        Assert.Equal(["a", "b"], voc.Ids);
        Assert.Equal(["b"], voc.WithMasksOnly());
        Assert.Null(voc.LoadMask("a"));
        Assert.Equal(24, voc.LoadMask("b")!.Values.Count(v => v == 1));
        Assert.Null(voc.LoadLabels("a"));
    }

    [Fact]
    public void Constructor_MissingSplit_ErrorListsAvailableSplits()
    {
        using var temp = new TempFolder();
        WriteTinyVoc(temp.Path, Labels(), null);
        var e = Assert.Throws<FileNotFoundException>(() => new VocDataset(temp.Path, "trainaug"));
        Assert.Contains("trainaug.txt", e.Message);
        Assert.Contains("available splits: train", e.Message);
    }

    [Fact]
    public void LoadLabels_RgbPng_RefusedAsColours()
    {
        using var temp = new TempFolder();
        WriteTinyVoc(temp.Path, Labels(), null);
        var path = Path.Combine(temp.Path, "SegmentationClass/a.png");
        File.WriteAllBytes(path, ImageCodec.EncodePng(new RgbImage(6, 4, new byte[72])));
        var e = Assert.Throws<InvalidDataException>(() => new VocDataset(temp.Path, "train").LoadLabels("a"));
        Assert.Contains("a.png", e.Message);
    }

    [Fact]
    public void IndexedPng_TruncatedPalettePng_ErrorSaysTruncated()
    {
        var png = IndexedPng.Write(new ByteRaster(6, 4, Labels()), VocPalette.Rgb);
        var e = Assert.Throws<InvalidDataException>(() => IndexedPng.TryRead(png.AsSpan(0, png.Length - 20), "cut.png"));
        Assert.Contains("cut.png", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void VocPalette_KnownEntries_MatchVocColours()
    {
        Assert.Equal(new byte[] { 0, 0, 0 }, VocPalette.Rgb[..3]);
        Assert.Equal(new byte[] { 128, 0, 0 }, VocPalette.Rgb[3..6]);         // aeroplane
        Assert.Equal(new byte[] { 0, 128, 0 }, VocPalette.Rgb[6..9]);         // bicycle
        Assert.Equal(new byte[] { 224, 224, 192 }, VocPalette.Rgb[765..768]); // ignore (255)
    }
}
