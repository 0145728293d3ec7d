using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Training;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Cli;

/// <summary>`maskcontrast run` as a user runs it: a real process, real stores, a real kill.</summary>
public sealed class RunCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Azurite
        => Environment.GetEnvironmentVariable("AZURITE_CONNECTION") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";

    private string Dataset(int train = 24, int val = 16)
    {
        string data = Path.Combine(_folder.Path, "data");
        if (!Directory.Exists(data))
            SyntheticDataset.Generate(data, new SyntheticOptions(TrainCount: train, ValCount: val, Width: 64, Height: 64, Seed: 5));
        return data;
    }

    private string[] RunArgs(string runId, string storage) =>
        ["run", "--data", Dataset(), "--dataset", "syn", "--preset", "tiny", "--epochs", "3", "--set", "schedule.stepsPerEpoch=15",
         "--eval-size", "64", "--storage", storage, "--run-id", runId, "--activity-lock-seconds", "10"];

    [Fact]
    public async Task KilledDuringSecondEpoch_RunAgain_FinishesWithEpochs1To3AndTheWeightsOfAnUninterruptedRun()
    {
        // Each test gets its own container and task hub on the shared Azurite account.
        string container = "crash" + Guid.NewGuid().ToString("N")[..16];
        string storage = Azurite;
        var store = ArtifactStoreLocator.Open(storage, container);
        var args = (string runId) => RunArgs(runId, storage).Concat(["--container", container]).ToArray();

        using (var first = new CliProcess(args("crashed")))
        {
            // Kill as soon as epoch 1 is recorded: epoch 2 (15 steps) is then running.
            var deadline = DateTime.UtcNow + Timeout;
            while (!await store.ExistsAsync(RunLayout.EpochRecord("crashed", 1)))
            {
                Assert.False(first.HasExited, $"the first run ended before epoch 1 was recorded:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, "epoch 1 was never recorded");
                await Task.Delay(100);
            }
            first.Kill();
        }
        Assert.False(await store.ExistsAsync(RunLayout.EpochRecord("crashed", 2)), "epoch 2 finished before the kill; the test proves nothing");

        var (code, output) = await CliProcess.RunAsync(Timeout, args("crashed"));
        Assert.True(code == 0, output);
        var (straightCode, straightOutput) = await CliProcess.RunAsync(Timeout, args("straight"));
        Assert.True(straightCode == 0, straightOutput);

        var checkpoints = (await store.ListAsync(RunLayout.Checkpoints("crashed"))).Where(p => p.EndsWith(".ckpt")).Order().ToList();
        Assert.Equal(new[] { 1, 2, 3 }.Select(e => RunLayout.Checkpoint("crashed", e)), checkpoints);
        using var resumed = await LoadAsync(store, RunLayout.Checkpoint("crashed", 3));
        using var straight = await LoadAsync(store, RunLayout.Checkpoint("straight", 3));
        var expected = straight.Model.state_dict();
        foreach (var (name, tensor) in resumed.Model.state_dict())
        {
            double diff = tensor.is_floating_point() ? (tensor - expected[name]).abs().max().item<float>() : (tensor - expected[name]).abs().max().item<long>();
            Assert.True(diff <= 1e-6, $"{name} differs by {diff}");
        }
    }

    private static async Task<Trainer> LoadAsync(IArtifactStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path) ?? throw new FileNotFoundException(path);
        return Checkpoint.Load(stream, path);
    }

    [Theory]
    [InlineData("missing-folder", "is not a folder")]
    [InlineData("empty-folder", "is empty")]
    [InlineData("bad-run-id", "--run-id")]
    [InlineData("bad-config", "optimizer.learningRate (-1) must be in (0, 10]")]
    [InlineData("bad-clusters", "--clusters ('lots') must be a number of clusters (1–254) or \"auto\"")]
    public async Task BadInput_ExitsWith2AndSaysWhy_WritingNoRun(string @case, string message)
    {
        string store = Path.Combine(_folder.Path, "store");
        string empty = Directory.CreateDirectory(Path.Combine(_folder.Path, "empty")).FullName;
        string[] args = @case switch
        {
            "missing-folder" => ["run", "--data", Path.Combine(_folder.Path, "nope"), "--out", store, "--run-id", "r1"],
            "empty-folder" => ["run", "--data", empty, "--out", store, "--run-id", "r1"],
            "bad-run-id" => ["run", "--data", Dataset(), "--out", store, "--run-id", "../escape"],
            "bad-clusters" => ["run", "--data", Dataset(), "--out", store, "--run-id", "r1", "--clusters", "lots"],
            _ => ["run", "--data", Dataset(), "--out", store, "--run-id", "r1", "--preset", "tiny", "--set", "optimizer.learningRate=-1"],
        };
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args);
        Assert.True(code == 2, $"exit {code}:\n{output}");
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(Path.Combine(store, "runs")), "a run folder was written for rejected input");
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "escape")));
    }

    [Fact]
    public async Task CorruptImagesAndOddFileNames_AreSkippedAndListed_TheRunGoesOn()
    {
        string data = Dataset();
        File.WriteAllText(Path.Combine(data, "JPEGImages", "syn_00000.jpg"), "not a jpeg");
        File.WriteAllBytes(Path.Combine(data, "JPEGImages", "syn_00001.jpg"), File.ReadAllBytes(Path.Combine(data, "JPEGImages", "syn_00002.jpg"))[..100]);
        // Names the store refuses: left out of the import and named in its warning.
        File.Copy(Path.Combine(data, "JPEGImages", "syn_00002.jpg"), Path.Combine(data, "JPEGImages", "IMG 0001.jpg"));
        File.WriteAllText(Path.Combine(data, "caf\u00e9.txt"), "notes");
        string store = Path.Combine(_folder.Path, "store");
        var (code, output) = await CliProcess.RunAsync(Timeout, "run", "--data", data, "--dataset", "syn", "--preset", "tiny", "--epochs", "1",
            "--set", "schedule.stepsPerEpoch=2", "--eval-size", "64", "--out", store, "--run-id", "corrupt");
        Assert.True(code == 0, output);
        Assert.Contains("skipped 2 dataset file(s) whose names the store refuses: 'JPEGImages/IMG 0001.jpg', 'caf\u00e9.txt'", output);
        Assert.False(File.Exists(Path.Combine(store, "datasets", "syn", "JPEGImages", "IMG 0001.jpg")));
        var shard = File.ReadAllText(Path.Combine(store, RunLayout.ProposalShardRecord("corrupt", 0)));
        Assert.Contains("syn_00000", shard);
        Assert.Contains("syn_00001", shard);
        var model = await new LocalFolderArtifactStore(store).ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord("corrupt"));
        Assert.True(File.Exists(Path.Combine(store, model!.Path)));
    }

    [Fact]
    public async Task NamesFrom_Retrained_InheritsTheNamesOfWellMatchedClusters_AndRefusesABadSource()
    {
        string store = Path.Combine(_folder.Path, "store");
        var artifacts = new LocalFolderArtifactStore(store);
        string[] Run(string runId, params string[] more) =>
            ["run", "--data", Dataset(), "--dataset", "syn", "--preset", "tiny", "--epochs", "2", "--set", "schedule.stepsPerEpoch=15",
             "--proposals", "dataset", "--eval-size", "64", "--out", store, "--run-id", runId, .. more];
        var (firstCode, first) = await CliProcess.RunAsync(Timeout, Run("first"));
        Assert.True(firstCode == 0, first);
        string unnamed = Path.Combine(store, (await artifacts.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord("first")))!.Path);
        var (nameCode, named) = await CliProcess.RunAsync(Timeout, "name", "--model", Path.Combine(store, "runs", "first"), "1=ring", "2=star", "3=dots", "4=zigzag");
        Assert.True(nameCode == 0, named);
        Assert.Contains("the run's model is now the named bundle", named);

        // Retrained with the same recipe: what a tiny network learns in 2×15 steps with another seed depends on the CPU's
        // kernels (seed 2 carried two names on an earlier machine and none on an AMD EPYC, agreements 0.00–0.47), so only the
        // same recipe gives clusters that must match. Partial matches and flags are pinned by NameCarryTests.
        var (code, output) = await CliProcess.RunAsync(Timeout, Run("second", "--names-from", Path.Combine(store, "runs", "first")));

        Assert.True(code == 0, output);
        var carry = (await artifacts.ReadJsonAsync<NameCarry>(RunLayout.EvalFile("second", NameCarry.FileName)))!;
        string[] names = ["", "ring", "star", "dots", "zigzag"];
        Assert.Null(carry.Problem);
        Assert.Equal(16, carry.ReferenceImages);   // the val split
        Assert.Equal([1, 2, 3, 4], carry.Clusters.Select(c => c.Label));
        foreach (var c in carry.Clusters)
        {
            Assert.Equal(c.Agreement < NameCarry.DefaultMinAgreement, c.Flagged);
            Assert.Equal(c.Flagged ? null : names[c.PreviousLabel!.Value], c.Name);
            Assert.Contains(FormattableString.Invariant($"cluster {c.Label} <- previous {c.PreviousLabel} '{names[c.PreviousLabel!.Value]}', agreement {c.Agreement:0.00}: ") +
                (c.Flagged ? "FLAGGED" : $"named '{c.Name}'"), output);
        }
        Assert.True(carry.Names.Count > 0, output);
        // The run's model is the named version; the unnamed one it was made from is published beside it.
        var model = (await artifacts.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord("second")))!;
        using (var bundle = ModelBundle.LoadFile(Path.Combine(store, model.Path)))
            Assert.Equal(carry.Names, bundle.Manifest.ClusterNames);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(store, RunLayout.Model("second")), "*.mcbundle").Length);
        Assert.Contains("Cluster names carried over", await File.ReadAllTextAsync(Path.Combine(store, RunLayout.EvalFile("second", "report.html"))));

        // A source that is missing, or a bundle without names, is refused before any run is written.
        var (missingCode, missing) = await CliProcess.RunAsync(Timeout, Run("third", "--names-from", Path.Combine(_folder.Path, "nope.mcbundle")));
        var (unnamedCode, plain) = await CliProcess.RunAsync(Timeout, Run("third", "--names-from", unnamed));
        Assert.True(missingCode == 2, missing);
        Assert.Contains("is neither a model bundle nor a run folder", missing);
        Assert.True(unnamedCode == 2, plain);
        Assert.Contains("has no cluster names: name its clusters first", plain);
        Assert.False(Directory.Exists(Path.Combine(store, "runs", "third")));
    }

    [Fact]
    public async Task ClustersAuto_FolderWithoutLabels_ClustersIntoTheSweepsPickAndSaysWhy()
    {
        string plain = Directory.CreateDirectory(Path.Combine(_folder.Path, "plain")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Dataset(), "JPEGImages")))
            File.Copy(file, Path.Combine(plain, Path.GetFileName(file)));
        string store = Path.Combine(_folder.Path, "store");
        var (code, output) = await CliProcess.RunAsync(Timeout, "run", "--data", plain, "--preset", "tiny", "--epochs", "1",
            "--set", "schedule.stepsPerEpoch=2", "--eval-size", "64", "--out", store, "--run-id", "auto", "--clusters", "auto");
        Assert.True(code == 0, output);
        var doc = JsonSerializer.Deserialize<EvaluationDocument>(File.ReadAllText(Path.Combine(store, RunLayout.EvalFile("auto", "report.json"))), Presets.Json)!;
        var sweep = doc.Clustering.Sweep!;
        Assert.True(doc.Clustering.AutoClusters);
        Assert.NotNull(sweep.Chosen);
        Assert.Equal(sweep.Chosen, doc.Clustering.NumClasses - 1);   // the protocol and the bundle use the pick
        Assert.Equal(sweep.Chosen, doc.Clusters!.Count);             // one contact sheet per cluster
        Assert.Contains(sweep.Rows, r => r.K == sweep.Chosen);
        Assert.Contains($"clusters: K = {sweep.Chosen} chosen by the K sweep: K = {sweep.Chosen}: ", output);
        Assert.Contains("Number of clusters (K sweep)", File.ReadAllText(Path.Combine(store, RunLayout.EvalFile("auto", "report.html"))));
        Assert.Matches("\"clusters\":\\s*\"auto\"", File.ReadAllText(Path.Combine(store, RunLayout.Settings("auto"))));
    }
}
