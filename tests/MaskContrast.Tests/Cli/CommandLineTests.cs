using System.Text;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Data;
using MaskContrast.Tests.Functions;
using MaskContrast.Tests.Inference;

namespace MaskContrast.Tests.Cli;

/// <summary>
/// `status`, `segment`, `model`, `proposals` and `train-epoch` through the real program's parsed command line: exit code,
/// what it prints, the files it writes. (`run` has its own tests in <see cref="RunCommandTests"/>.)
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Dataset()
    {
        string data = Path.Combine(_folder.Path, "data");
        if (!Directory.Exists(data))
            SyntheticDataset.Generate(data, new SyntheticOptions(TrainCount: 8, ValCount: 2, Width: 64, Height: 64, Seed: 3));
        return data;
    }

    [Fact]
    public async Task Model_PrintsTheCountsAsJson_AndRefusesAnUnknownPreset()
    {
        var (code, output) = await CliProcess.RunAsync(Timeout, "model", "--preset", "tiny", "--json");
        var (badCode, badOutput) = await CliProcess.RunAsync(Timeout, "model", "--preset", "huge");

        Assert.True(code == 0, output);
        var counts = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("tiny", counts.GetProperty("preset").GetString());
        Assert.Equal(counts.GetProperty("total").GetInt64(),
            new[] { "backbone", "decoder", "head", "saliencyHead" }.Sum(p => counts.GetProperty(p).GetInt64()));
        Assert.Equal(2, badCode);
        Assert.Contains("huge", badOutput);
    }

    [Fact]
    public async Task Proposals_WritesOneMaskPerKeptImageAndASummary_AndRefusesAnUnknownMethod()
    {
        string output = Path.Combine(_folder.Path, "proposals");

        var (code, printed) = await CliProcess.RunAsync(Timeout, "proposals", "--data", Dataset(), "--out", output);
        var (badCode, _) = await CliProcess.RunAsync(Timeout, "proposals", "--data", Dataset(), "--out", output, "--method", "magic");

        Assert.True(code == 0, printed);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json"))).RootElement;
        var masks = Directory.GetFiles(output, "*.png");
        Assert.Equal(10, summary.GetProperty("total").GetInt32());   // train and val images of the folder
        Assert.Equal(summary.GetProperty("keptCount").GetInt32(), masks.Length);
        Assert.InRange(masks.Length, 8, 10);   // MB+ may drop an image whose object falls under 1 %
        Assert.Equal(2, badCode);
    }

    [Fact]
    public async Task Status_ListsRunsAndDescribesOne_ThroughEitherStoreSpelling()
    {
        string store = Path.Combine(_folder.Path, "store");
        var artifacts = new LocalFolderArtifactStore(store);
        await artifacts.WriteJsonAsync(RunLayout.Settings("r1"), new RunSettings("syn", "tiny", ["moco.temperature=0.2"], Epochs: 2));
        await artifacts.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), new byte[] { 1, 2, 3 });
        await EpochRecords.CompleteAsync(artifacts, "r1", new EpochResult(1, 4.25, 4.0, 0.25, 12), DateTime.UtcNow);

        var (listCode, list) = await CliProcess.RunAsync(Timeout, "status", "--store", store);
        var (oneCode, one) = await CliProcess.RunAsync(Timeout, "status", "r1", "--out", store);
        var (missingCode, missing) = await CliProcess.RunAsync(Timeout, "status", "r2", "--store", store);

        Assert.True(listCode == 0, list);
        Assert.Contains("r1  syn tiny  epochs 1/2", list);
        Assert.True(oneCode == 0, one);
        Assert.Contains("run r1: dataset syn, preset tiny [moco.temperature=0.2], 2 epochs, proposals mbplus", one);
        Assert.Contains("epoch 1: loss 4.2500 contrastive 4.0000 saliency 0.2500 (12 s)", one);
        Assert.Equal(2, missingCode);
        Assert.Contains("run 'r2' does not exist", missing);
    }

    [Fact]
    public async Task Segment_WritesAFolderPerInputWithOutputsOrAnErrorRecord_ExitingWith1_AndRefusesTwoInputsOfOneName()
    {
        string bundle = Path.Combine(_folder.Path, "model.mcbundle");
        await File.WriteAllBytesAsync(bundle, FunctionsTestKit.TinyBundle());
        string inputs = Directory.CreateDirectory(Path.Combine(_folder.Path, "inputs")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(inputs, "cat.png"), FunctionsTestKit.Png(40, 30));
        await File.WriteAllBytesAsync(Path.Combine(inputs, "cat.jpg"), Encoding.ASCII.GetBytes("not an image"));
        string output = Path.Combine(_folder.Path, "segmented");

        var (code, printed) = await CliProcess.RunAsync(Timeout, "segment", "--model", bundle, "--out", output, inputs);
        var (goodCode, _) = await CliProcess.RunAsync(Timeout, "segment", "--model", bundle, "--out", output, Path.Combine(inputs, "cat.png"));
        // The same file name from another folder would share cat.png/: refused before anything is written.
        string other = Directory.CreateDirectory(Path.Combine(_folder.Path, "other")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(other, "cat.png"), FunctionsTestKit.Png(8, 8));
        var (clashCode, clash) = await CliProcess.RunAsync(Timeout, "segment", "--model", bundle, "--out", Path.Combine(_folder.Path, "clash"), inputs, other);

        Assert.True(code == 1, printed);
        Assert.Contains("segmented 1 images, 1 failed", printed);
        Assert.Equal(["cat.jpg/error.json", "cat.png/labels.png", "cat.png/overlay.png", "cat.png/summary.json"],
            Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        var labels = ImageCodec.DecodeRgb(await File.ReadAllBytesAsync(Path.Combine(output, "cat.png", "labels.png")), "labels.png");
        Assert.Equal((40, 30), (labels.Width, labels.Height));
        Assert.Equal(0, goodCode);
        Assert.True(clashCode == 2, clash);
        Assert.Contains("same file name would write the same output folder: cat.png", clash);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "clash")));
    }

    [Fact]
    public async Task Name_WritesANewBundleVersionWithTheNames_LeavesTheOldOne_AndSegmentCarriesThem()
    {
        string bundle = Path.Combine(_folder.Path, "model.mcbundle");
        var original = FunctionsTestKit.TinyBundle(salient: true);
        await File.WriteAllBytesAsync(bundle, original);

        var (code, printed) = await CliProcess.RunAsync(Timeout, "name", "--model", bundle, "1=car", "2=road", "3=tree", "4=sky");
        var (badCode, bad) = await CliProcess.RunAsync(Timeout, "name", "--model", bundle, "9=boat", "car");

        Assert.True(code == 0, printed);
        Assert.Equal(original, await File.ReadAllBytesAsync(bundle));
        string named = Assert.Single(Directory.GetFiles(_folder.Path, "model-*.mcbundle"));
        Assert.Contains($"named bundle: {named} (SHA-256 {ModelBundle.Sha256OfFile(named)})", printed);
        Assert.Equal($"model-{ModelBundle.Sha256OfFile(named)[..12]}.mcbundle", Path.GetFileName(named));
        Assert.NotEqual(0, badCode);
        Assert.Contains("'car' is not label=name", bad);
        Assert.Single(Directory.GetFiles(_folder.Path, "model-*.mcbundle"));   // nothing written for the bad call

        string inputs = Directory.CreateDirectory(Path.Combine(_folder.Path, "inputs")).FullName;
        var png = FunctionsTestKit.Png(40, 30);
        await File.WriteAllBytesAsync(Path.Combine(inputs, "cat.png"), png);
        string output = Path.Combine(_folder.Path, "segmented");
        var (segmentCode, _) = await CliProcess.RunAsync(Timeout, "segment", "--model", named, "--out", output, inputs);
        Assert.Equal(0, segmentCode);
        var summary = JsonSerializer.Deserialize<SegmentationSummary>(await File.ReadAllBytesAsync(Path.Combine(output, "cat.png", SegmentationOutputs.Summary)), Presets.Json)!;
        string?[] names = [null, "car", "road", "tree", "sky"];
        Assert.All(summary.Labels, area => Assert.Equal(names[area.Label], area.Name));
        Assert.Equal(ModelBundle.Sha256OfFile(named), summary.Receipt!.BundleSha256);
        // The overlay's legend names the clusters found (the salient bundle finds one).
        Assert.Contains(summary.Labels, area => area.Label > 0);
        var tinted = SegmentationWriter.Overlay(ImageCodec.DecodeRgb(png, "cat.png"), ImageCodec.DecodeSingleChannel(Path.Combine(output, "cat.png", SegmentationOutputs.LabelMap)));
        OverlayLegendTests.AssertLegend(ImageCodec.DecodeRgb(await File.ReadAllBytesAsync(Path.Combine(output, "cat.png", SegmentationOutputs.Overlay)), "overlay"),
            tinted, summary.Labels, summary.Labels.Where(area => area.Label > 0).Select(area => names[area.Label]!).ToList());
    }

    [Fact]
    public async Task TrainEpoch_TrainsFromTheRecordedConfigAndRecordsTheEpoch_AndRefusesAnUnknownRunWithAFailureRecord()
    {
        string store = Path.Combine(_folder.Path, "store");
        var artifacts = new LocalFolderArtifactStore(store);
        await DatasetImport.ImportFolderAsync(artifacts, "syn", Dataset());
        await artifacts.WriteJsonAsync(RunLayout.Settings("r1"), new RunSettings("syn", "tiny", [], Epochs: 1));
        await artifacts.WriteBytesAsync(RunLayout.Config("r1"),
            Encoding.UTF8.GetBytes(Presets.ToJson(Presets.Load("tiny", ["schedule.stepsPerEpoch=2", "schedule.epochs=1"]))));
        foreach (var id in DatasetFolder.Open(Dataset(), "train").Ids)
            await artifacts.WriteBytesAsync(RunLayout.ProposalMask("r1", id), ImageCodec.EncodeGrayPng(CentreSquare(64)));

        var (code, printed) = await CliProcess.RunAsync(Timeout, "train-epoch", "--run-id", "r1", "--epoch", "1", "--store", store);
        var checkpoint = await artifacts.ReadBytesAsync(RunLayout.Checkpoint("r1", 1));
        var (againCode, again) = await CliProcess.RunAsync(Timeout, "train-epoch", "--run-id", "r1", "--epoch", "1", "--store", store);
        // A crash between the checkpoint and the record: the checkpoint (create-only) is adopted, not trained again.
        var record = await artifacts.ReadBytesAsync(RunLayout.EpochRecord("r1", 1));
        File.Delete(Path.Combine(store, RunLayout.EpochRecord("r1", 1)));
        var (adoptCode, adopted) = await CliProcess.RunAsync(Timeout, "train-epoch", "--run-id", "r1", "--epoch", "1", "--store", store);
        // As a job execution (an attempt number): the refusal is also recorded for the orchestration, which sees only "Failed".
        var (missingCode, missing) = await CliProcess.RunAsync(Timeout, "train-epoch", "--run-id", "r9", "--epoch", "1", "--attempt", "2", "--store", store);
        var (noIdCode, noId) = await CliProcess.RunAsync(Timeout, "train-epoch", "--epoch", "1", "--store", store);

        Assert.True(code == 0, printed);
        Assert.Matches(@"run r1 epoch 1: loss \d+\.\d{4}", printed);
        Assert.True(await artifacts.ExistsAsync(RunLayout.Checkpoint("r1", 1)));
        Assert.Equal(1, (await EpochRecords.ReadCompletedAsync(artifacts, "r1", 1))!.Epoch);
        // The same epoch again: nothing trained, the checkpoint untouched.
        Assert.True(againCode == 0, again);
        Assert.Contains("run r1 epoch 1: already recorded", again);
        Assert.Equal(checkpoint, await artifacts.ReadBytesAsync(RunLayout.Checkpoint("r1", 1)));
        Assert.True(adoptCode == 0, adopted);
        Assert.Equal(record, await artifacts.ReadBytesAsync(RunLayout.EpochRecord("r1", 1)));   // the same numbers and hash
        Assert.Equal(checkpoint, await artifacts.ReadBytesAsync(RunLayout.Checkpoint("r1", 1)));
        Assert.Equal(ArtifactStoreExtensions.Sha256Of(checkpoint), (await EpochRecords.ReadCompletedAsync(artifacts, "r1", 1))!.CheckpointSha256);
        Assert.Equal(2, missingCode);
        Assert.Contains("runs/r9/settings.json", missing);
        var failure = (await artifacts.ReadJsonAsync<EpochJobFailure>(RunLayout.EpochJobFailure("r9", 1, 2)))!;
        Assert.Equal((EpochJobFailureKind.InvalidInput, 1, 2), (failure.Kind, failure.Epoch, failure.Attempt));
        Assert.Contains("runs/r9/settings.json", failure.Message);
        Assert.Empty(await artifacts.ListAsync("runs/r1/jobs/"));   // no attempt number, no record
        Assert.Equal(2, noIdCode);
        Assert.Contains("--run-id", noId);
    }

    // A 0/255 mask whose middle quarter is the object.
    private static ByteRaster CentreSquare(int side)
    {
        var values = new byte[side * side];
        for (int y = side / 4; y < 3 * side / 4; y++)
            for (int x = side / 4; x < 3 * side / 4; x++)
                values[y * side + x] = 255;
        return new ByteRaster(side, side, values);
    }
}
