using MaskContrast.Core.Config;
using System.Text.Json;
using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Saliency;

public class ProposalGeneratorTests
{
    /// <summary>Counts reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder : IProgress<ProposalProgress>
    {
        public int Reports;
        public ProposalProgress? Last;
        public void Report(ProposalProgress value)
        {
            Interlocked.Increment(ref Reports);
            lock (this) if (Last is null || value.Done > Last.Done) Last = value;
        }
    }

    /// <summary>10 synthetic images, a uniform grey image and a corrupt file in one folder.</summary>
    private static string MakeFolder(TempFolder temp)
    {
        SyntheticDataset.Generate(temp.File("voc"), new SyntheticOptions(TrainCount: 10, ValCount: 0, Width: 96, Height: 80, Seed: 5));
        var images = temp.File("voc/JPEGImages");
        File.WriteAllBytes(Path.Combine(images, "blank.png"), ImageCodec.EncodePng(new RgbImage(96, 80, Enumerable.Repeat((byte)128, 96 * 80 * 3).ToArray())));
        File.WriteAllBytes(Path.Combine(images, "corrupt.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        return images;
    }

    [Fact]
    public void Run_MbPlusOnFolder_WritesSizedBinaryPngsAndSummaryWithReasons()
    {
        using var temp = new TempFolder();
        var data = new FolderDataset(MakeFolder(temp));
        var progress = new Recorder();
        var summary = new ProposalGenerator(new ProposalOptions(ProposalMethod.MbPlus)).Run(data, temp.File("out"), progress);

        Assert.Equal(12, summary.Total);
        Assert.Equal(10, summary.KeptCount);
        Assert.Equal(12, progress.Reports);
        Assert.Equal((12, 10, 2), (progress.Last!.Done, progress.Last.Kept, progress.Last.Dropped));
        Assert.Equal(["blank", "corrupt"], summary.Dropped.Select(d => d.Id));
        Assert.Equal("no pixel above the saliency threshold", summary.Dropped[0].Reason);
        Assert.Equal(["too-little-foreground", "unreadable-image"], summary.Dropped.Select(d => d.Kind));
        Assert.StartsWith("unreadable image: '", summary.Dropped[1].Reason);
        Assert.Contains("corrupt.jpg", summary.Dropped[1].Reason);
        foreach (var id in summary.Kept)
        {
            var png = IndexedPng.TryRead(File.ReadAllBytes(temp.File($"out/{id}.png")), id)!;
            Assert.Equal((96, 80), (png.Width, png.Height));
            Assert.All(png.Values, v => Assert.True(v is 0 or 255));
        }
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("out/summary.json")));
        Assert.Equal(10, json.RootElement.GetProperty("keptCount").GetInt32());
        Assert.Equal("mbplus", json.RootElement.GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("stageMs").GetProperty("saliencyMs").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("imagesPerSecond").GetDouble() > 0);
    }

    [Fact]
    public void Run_UserMasks01_OutputsEqualMasksTimes255AndMissingMaskDropped()
    {
        using var temp = new TempFolder();
        var voc = temp.File("voc");
        SyntheticDataset.Generate(voc, new SyntheticOptions(TrainCount: 6, ValCount: 0, Width: 64, Height: 64, Seed: 2));
        var dataset = new VocDataset(voc, "train");
        Directory.CreateDirectory(temp.File("user"));
        foreach (var id in dataset.Ids.Skip(1)) // the first image gets no mask
            File.WriteAllBytes(temp.File($"user/{id}.png"), ImageCodec.EncodeGrayPng(dataset.LoadMask(id)!)); // 0/1 encoded

        var summary = new ProposalGenerator(new ProposalOptions(Method: ProposalMethod.User, UserMaskFolder: temp.File("user"))).Run(dataset, temp.File("out"));

        Assert.Equal(5, summary.KeptCount);
        var dropped = Assert.Single(summary.Dropped);
        Assert.Equal(("syn_00000", "missing-user-mask"), (dropped.Id, dropped.Kind));
        foreach (var id in dataset.Ids.Skip(1))
        {
            var written = IndexedPng.TryRead(File.ReadAllBytes(temp.File($"out/{id}.png")), id)!;
            Assert.Equal(dataset.LoadMask(id)!.Values.Select(v => (byte)(v * 255)), written.Values);
        }
    }

    [Fact]
    public void Run_UserMaskWrongSize_ThrowsNamingTheMask()
    {
        using var temp = new TempFolder();
        var voc = temp.File("voc");
        SyntheticDataset.Generate(voc, new SyntheticOptions(TrainCount: 2, ValCount: 0, Width: 64, Height: 64, Seed: 2));
        var bad = temp.File("user/syn_00001.png");
        File.WriteAllBytes(bad, ImageCodec.EncodeGrayPng(new ByteRaster(32, 64, new byte[32 * 64])));
        var generator = new ProposalGenerator(new ProposalOptions(Method: ProposalMethod.User, UserMaskFolder: temp.File("user")));
        var e = Assert.Throws<InvalidDataException>(() => generator.Run(new VocDataset(voc, "train"), temp.File("out")));
        Assert.Contains(bad, e.Message);
        Assert.Contains("32×64", e.Message);
    }

    [Fact]
    public void Options_UnknownMethod_ErrorListsMethods()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ProposalGenerator(new ProposalOptions(Method: (ProposalMethod)9)));
        Assert.Contains("mbplus, mbplus-clusters, ft, user", e.Message);
    }
}
