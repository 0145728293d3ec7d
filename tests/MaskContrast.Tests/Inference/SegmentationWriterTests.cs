using System.Buffers.Binary;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using MaskContrast.Tests.Data;
using MaskContrast.Tests.Functions;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Inference;

public sealed class SegmentationWriterTests : IDisposable
{
    private const string BundleHash = "0123abcd";
    private readonly ModelBundle _bundle = TinyBundle();

    public void Dispose() => _bundle.Dispose();

    /// <summary>An untrained tiny network with clusters fitted on random prototypes: enough to exercise every output path.</summary>
    internal static ModelBundle TinyBundle(ClusterAssignment assignment = ClusterAssignment.Image)
    {
        var config = Presets.Load("tiny");
        random.manual_seed(3);
        using var model = new SegmentationModel(config.Model);
        var masks = Enumerable.Range(0, 12).Select(_ => new ByteRaster(4, 4, Enumerable.Repeat((byte)1, 16).ToArray())).ToList();
        var truth = Enumerable.Range(0, 12).Select(i => new ByteRaster(4, 4, Enumerable.Repeat((byte)(1 + i % 2), 16).ToArray())).ToList();
        var clusters = KMeansProtocol.Evaluate(randn(12, 32), masks, truth, new ClusteringProtocolOptions(NumClasses: 3, Seeds: [1]));
        return ModelBundle.Create(model, config, 32, clusters, ["background", "left", "right"], "test", 0, assignment);
    }

    static RgbImage Gradient(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) { rgb[3 * i] = (byte)(i % 251); rgb[3 * i + 1] = (byte)(i / w * 5); rgb[3 * i + 2] = 90; }
        return new RgbImage(w, h, rgb);
    }

    /// <summary>A PNG whose header declares 50,000 × 50,000 pixels (a decompression bomb) over a few bytes of data.</summary>
    internal static byte[] BombPng()
    {
        using var stream = new MemoryStream();
        stream.Write(IndexedPng.SignatureBytes);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 50000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 50000);
        ihdr[8] = 8;
        ihdr[9] = 2;
        IndexedPng.WriteChunk(stream, "IHDR"u8, ihdr);
        IndexedPng.WriteChunk(stream, "IDAT"u8, [0x78, 0x9C, 0x03, 0x00]);
        IndexedPng.WriteChunk(stream, "IEND"u8, []);
        return stream.ToArray();
    }

    public static TheoryData<string, byte[], int, int> GoodInputs() => new()
    {
        { "photo.jpg", ImageCodec.EncodeJpeg(Gradient(50, 40)), 50, 40 },
        { "odd.png", ImageCodec.EncodePng(Gradient(33, 21)), 33, 21 },
        { "gray.png", ImageCodec.EncodeGrayPng(new ByteRaster(20, 30, Enumerable.Range(0, 600).Select(i => (byte)i).ToArray())), 20, 30 },
        // EXIF orientation 6 (rotate 90° clockwise): the 64×32 pixels are shown, and segmented, as 32×64
        { "rotated.jpg", ImageCodecTests.WithExifOrientation(ImageCodec.EncodeJpeg(Gradient(64, 32)), 6), 32, 64 },
    };

    [Theory]
    [MemberData(nameof(GoodInputs))]
    public void Process_ValidImage_WritesLabelMapOverlayAndSummaryAtInputSize(string name, byte[] bytes, int width, int height)
    {
        var (files, ok) = new SegmentationWriter(_bundle, BundleHash).Process(name, bytes);
        Assert.True(ok);
        Assert.Equal(["labels.png", "overlay.png", "summary.json"], files.Keys.Order(StringComparer.Ordinal));
        var labels = ImageCodec.DecodeSingleChannel(WriteTemp(files[SegmentationOutputs.LabelMap]));
        Assert.Equal((width, height), (labels.Width, labels.Height));
        Assert.All(labels.Values, v => Assert.InRange(v, 0, _bundle.Clusters));
        var summary = JsonSerializer.Deserialize<SegmentationSummary>(files[SegmentationOutputs.Summary], Presets.Json)!;
        Assert.Equal((width, height), (summary.Width, summary.Height));
        Assert.Equal(1.0, summary.Labels.Sum(l => l.Fraction), 6);
        Assert.Equal(labels.Values.Distinct().Order().Select(v => (int)v), summary.Labels.Select(l => l.Label));
        // The overlay is the tinted input above a legend of the clusters present (this bundle names none).
        var overlay = ImageCodec.DecodeRgb(files[SegmentationOutputs.Overlay], "overlay");
        var tinted = SegmentationWriter.Overlay(ImageCodec.DecodeRgb(bytes, name), labels);
        var present = summary.Labels.Where(l => l.Label > 0).Select(l => $"cluster {l.Label}").DefaultIfEmpty(OverlayLegend.NoClusters);
        OverlayLegendTests.AssertLegend(overlay, tinted, summary.Labels, present.ToList());
    }

    [Fact]
    public void Process_OverlayLegend_ShowsTheNumberOfTheClusterFound_OrItsNameOnceNamed()
    {
        using var salient = ModelBundle.Load(new MemoryStream(FunctionsTestKit.TinyBundle(salient: true)), "salient");
        var bytes = FunctionsTestKit.Png(48, 40);
        (SegmentArea[] Labels, RgbImage Overlay, RgbImage Tinted) Segment(ModelBundle bundle)
        {
            var (files, _) = new SegmentationWriter(bundle, BundleHash).Process("a.png", bytes);
            var labels = ImageCodec.DecodeSingleChannel(WriteTemp(files[SegmentationOutputs.LabelMap]));
            return (JsonSerializer.Deserialize<SegmentationSummary>(files[SegmentationOutputs.Summary], Presets.Json)!.Labels.ToArray(),
                ImageCodec.DecodeRgb(files[SegmentationOutputs.Overlay], "overlay"), SegmentationWriter.Overlay(ImageCodec.DecodeRgb(bytes, "a.png"), labels));
        }

        var unnamed = Segment(salient);
        int found = Assert.Single(unnamed.Labels, l => l.Label > 0).Label;   // one prototype per image: one cluster
        using var named = salient.WithClusterNames(new Dictionary<int, string> { [found] = "car" });
        var carried = Segment(named);

        OverlayLegendTests.AssertLegend(unnamed.Overlay, unnamed.Tinted, unnamed.Labels, [$"cluster {found}"]);
        OverlayLegendTests.AssertLegend(carried.Overlay, carried.Tinted, carried.Labels, ["car"]);
    }

    [Fact]
    public void Process_WritesAReceipt_NamingTheModelItsTrainingAndBothCodeVersions()
    {
        using var traced = TinyBundle().WithDataset("cars", "f00d");
        var (files, _) = new SegmentationWriter(traced, BundleHash, modelName: "runs/r1/model/model.mcbundle").Process("a.png", ImageCodec.EncodePng(Gradient(20, 10)));

        var receipt = JsonSerializer.Deserialize<SegmentationSummary>(files[SegmentationOutputs.Summary], Presets.Json)!.Receipt!;
        Assert.Equal(("runs/r1/model/model.mcbundle", BundleHash, "test", 0), (receipt.Model, receipt.BundleSha256, receipt.Run, receipt.Epoch));
        Assert.Equal(("cars", "f00d", 32, ClusterAssignment.Image), (receipt.Dataset, receipt.DatasetFingerprint, receipt.InferenceSize, receipt.Assignment));
        Assert.Equal(SegmentationReceipt.CodeVersion, receipt.TrainedWith);
        Assert.Equal(SegmentationReceipt.CodeVersion, receipt.SegmentedWith);
        Assert.StartsWith("1.0.0", receipt.SegmentedWith);
    }

    [Fact]
    public void WithClusterNames_AddsReplacesAndRemovesNames_AndRefusesBadOnesAllAtOnce()
    {
        using var named = _bundle.WithClusterNames(new Dictionary<int, string> { [1] = " car ", [2] = "road" });
        using var renamed = named.WithClusterNames(new Dictionary<int, string> { [2] = "", [1] = "truck" });

        Assert.Equal(("car", "road"), (named.NameOf(1), named.NameOf(2)));
        Assert.Equal(("truck", (string?)null), (renamed.NameOf(1), renamed.NameOf(2)));
        Assert.Null(_bundle.NameOf(1));   // the original is untouched
        var e = Assert.Throws<ArgumentException>(() => _bundle.WithClusterNames(new Dictionary<int, string> { [3] = "x", [0] = "y", [1] = "a\nb" }));
        Assert.Contains("cluster 3 does not exist; this model has clusters 1..2", e.Message);
        Assert.Contains("cluster 0 does not exist", e.Message);
        Assert.Contains("the name of cluster 1 must be at most 64 printable characters", e.Message);
    }

    [Fact]
    public void Sha256OfFile_IsTheHashOfTheBundleBytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mc-bundle-{Guid.NewGuid():N}.mcbundle");
        try
        {
            _bundle.SaveFile(path);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), ModelBundle.Sha256OfFile(path));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("empty.jpg", "undecodable")]
    [InlineData("truncated.jpg", "undecodable")]
    [InlineData("notes.png", "undecodable")]
    [InlineData("bomb.png", "too-large")]
    public void Process_BadInput_WritesOnlyAnErrorRecord(string name, string kind)
    {
        byte[] bytes = name switch
        {
            "empty.jpg" => [],
            "truncated.jpg" => ImageCodec.EncodeJpeg(Gradient(40, 40))[..20],
            "notes.png" => "this is not an image"u8.ToArray(),
            _ => BombPng(),
        };
        var (files, ok) = new SegmentationWriter(_bundle, BundleHash).Process(name, bytes);
        Assert.False(ok);
        var error = JsonSerializer.Deserialize<SegmentationError>(Assert.Single(files, f => f.Key == SegmentationOutputs.Error).Value, Presets.Json)!;
        Assert.Equal(kind, error.Kind);
        Assert.Contains(name, error.Error);
    }

    [Fact]
    public void Bundle_SaveAndLoad_SegmentsIdentically()
    {
        var image = ImageCodec.EncodePng(Gradient(48, 48));
        using var buffer = new MemoryStream();
        _bundle.Save(buffer);
        buffer.Position = 0;
        using var loaded = ModelBundle.Load(buffer, "bundle");
        Assert.Equal(_bundle.Manifest.Centroids.SelectMany(c => c), loaded.Manifest.Centroids.SelectMany(c => c));
        Assert.Equal(new SegmentationWriter(_bundle, BundleHash).Process("a.png", image).Files[SegmentationOutputs.LabelMap],
                     new SegmentationWriter(loaded, BundleHash).Process("a.png", image).Files[SegmentationOutputs.LabelMap]);
    }

    [Fact]
    public void Bundle_NotAZip_IsRefusedClearly()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelBundle.Load(new MemoryStream("nope"u8.ToArray()), "x.mcbundle"));
        Assert.Contains("x.mcbundle", e.Message);
    }

    static string WriteTemp(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mc-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
