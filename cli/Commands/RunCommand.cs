using System.CommandLine;
using System.Text.RegularExpressions;
using MaskContrast.Core.Config;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast run --data &lt;dir&gt; [--preset imagenet-resnet18] [--epochs N] [--names-from &lt;bundle or run folder&gt;] [--store &lt;folder | connection string&gt;] [--run-id &lt;id&gt;]</c>:
/// the whole pipeline (proposals, epochs with a checkpoint each, evaluation, model bundle) on the embedded durable host.
/// Running it again with the same run id continues from the last checkpoint.
/// </summary>
public static partial class RunCommand
{
    internal static readonly Option<string?> Data = new("--data") { Description = "Folder of images or a VOC-layout dataset root; imported into the store as datasets/<name>/" };
    internal static readonly Option<string?> DatasetName = new("--dataset") { Description = "Dataset name in the store (default: the --data folder's name)" };
    internal static readonly Option<int?> Epochs = new("--epochs") { Description = "Number of epochs (default: the preset's)" };
    internal static readonly Option<string> Store = CommonOptions.Store();
    internal static readonly Option<string> Container = CommonOptions.Container();
    internal static readonly Option<string?> RunId = new("--run-id") { Description = "Run id (1–64 of A-Z a-z 0-9 _ -); default: run-<UTC time>-<random hex>" };
    internal static readonly Option<string> Proposals = new Option<string>("--proposals") { Description = "Object masks: mbplus-clusters (MB+ checked against the dataset's ImageNet feature clusters), mbplus or ft (generated) or dataset (its own mask folder)", DefaultValueFactory = _ => ProposalSource.MbPlusClusters.JsonName() }
        .AcceptOnlyFromAmong(ConfigNames.All<ProposalSource>());
    internal static readonly Option<int?> EvalSize = new("--eval-size")
    {
        Description = "Inference resolution S (S×S) of the evaluation and the model; default: the preset's (paper 512, others from the training crop scale)",
    };
    internal static readonly Option<int> LockTimeout = new("--activity-lock-seconds")
    {
        Description = "With a connection-string store: seconds before an epoch left by a killed process is handed to a restarted one (lock renewed while alive)",
        DefaultValueFactory = _ => 60,
    };
    internal static readonly Option<string?> Clusters = new("--clusters")
    {
        Description = $"Object clusters for a dataset without labels: a number (default {ClusterCount.Default}) or auto (the K the evaluation's K sweep picks; the report shows the sweep either way). With labels: classes − 1",
    };
    internal static readonly Option<int> ProbeEpochs = new("--linear-probe-epochs") { Description = "Also evaluate with a linear probe trained this many epochs (paper 60; needs labelled train and val splits)" };
    internal static readonly Option<bool> Retrieval = new("--retrieval") { Description = "Also evaluate with segment retrieval (bank from the labelled train split)" };
    internal static readonly Option<string?> NamesFrom = new("--names-from")
    {
        Description = "A named model bundle or run folder of an earlier model: the new model's clusters are matched to its clusters and inherit their names",
    };
    internal static readonly Option<bool> ChildProcess = new("--child-process") { Description = "Train each epoch in a `maskcontrast train-epoch` child process (as a GPU container would)" };

    public static Command Create()
    {
        var preset = CommonOptions.Preset(Presets.Default);
        var set = CommonOptions.Set();
        var command = new Command("run", "Train, evaluate and publish a model with the whole pipeline; prints the run id first")
        {
            Data, DatasetName, preset, Epochs, set, Proposals, EvalSize, Clusters, ProbeEpochs, Retrieval, NamesFrom, Store, Container, RunId, ChildProcess, LockTimeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var where = Where(parse);
            int lockSeconds = parse.GetValue(LockTimeout);
            if (lockSeconds is < 5 or > 3600) throw new ArgumentOutOfRangeException("--activity-lock-seconds", lockSeconds, "must be in 5..3600");
            string dataset = DatasetNameOf(parse.GetValue(Data), parse.GetValue(DatasetName));
            var settings = new RunSettings(dataset, parse.GetValue(preset)!, parse.GetValue(set) ?? [], parse.GetValue(Epochs), ConfigNames.Parse<ProposalSource>(parse.GetValue(Proposals)!),
                parse.GetValue(EvalSize), parse.GetValue(Clusters) is { } clusters ? ClusterCount.Parse(clusters, "--clusters") : ClusterCount.Default,
                LinearProbeEpochs: parse.GetValue(ProbeEpochs), Retrieval: parse.GetValue(Retrieval));
            var request = new RunStartRequest(settings, parse.GetValue(RunId) ?? RunIds.New(DateTime.UtcNow));
            // The gate's checks before anything is written (it checks again, with the store, when it starts the run).
            if (RunStarter.Check(request) is { Count: > 0 } problems)
                return PipelineSession.Refused(problems);
            var names = parse.GetValue(NamesFrom) is { } from ? NamesSource(from) : null;
            Console.WriteLine(request.RunId);
            await ImportAsync(where, parse.GetValue(Data), dataset, cancellationToken);
            if (names is not null)
                request = request with { Settings = settings with { NamesFrom = await ImportBundleAsync(where, names, cancellationToken) } };
            return await PipelineSession.RunAsync(where, request, parse.GetValue(ChildProcess), cancellationToken, TimeSpan.FromSeconds(lockSeconds));
        });
        return command;
    }

    internal static StoreChoice Where(ParseResult parse) => new(parse.GetValue(Store)!, parse.GetValue(Container)!);

    /// <summary>--dataset, or the --data folder's name made a valid dataset name; checks that --data is a non-empty folder.</summary>
    internal static string DatasetNameOf(string? data, string? name)
    {
        if (data is null)
            return name ?? throw new ArgumentException("give --data <folder> (or --dataset <name> of a dataset already in the store)");
        string full = Path.GetFullPath(data);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"--data '{data}' is not a folder");
        if (!Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Any()) throw new InvalidDataException($"--data '{data}' is empty");
        return NameValidator.ValidateDatasetName(name ?? InvalidNameCharacters().Replace(Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), "-").Trim('-', '.'), "--dataset");
    }

    /// <summary>Copies --data into the store as datasets/{name}/ (files already there are kept); says which files it skipped.</summary>
    internal static async Task ImportAsync(StoreChoice where, string? data, string name, CancellationToken cancellationToken)
    {
        if (data is null) return;
        var import = await DatasetImport.ImportFolderAsync(where.Open(), name, Path.GetFullPath(data), cancellationToken: cancellationToken);
        Console.Error.WriteLine($"dataset '{name}': {import.Copied} new files copied into the store");
        if (import.Skipped.Count > 0)
            Console.Error.WriteLine($"warning: dataset '{name}': {DatasetFileNames.Summary(import.Skipped)}");
    }

    /// <summary>The bundle --names-from names, checked before anything is written: it must be a bundle with cluster names.</summary>
    internal static string NamesSource(string from)
    {
        string bundle = SegmentCommand.ResolveBundle(from);
        BundleManifest manifest;
        using (var f = File.OpenRead(bundle)) manifest = ModelBundle.ReadManifest(f, bundle);
        if (manifest.ClusterNames is not { Count: > 0 })
            throw new ArgumentException($"--names-from '{from}' ({bundle}) has no cluster names: name its clusters first (maskcontrast name --model {from} 1=… 2=…)");
        return bundle;
    }

    /// <summary>Copies <paramref name="bundle"/> into the store (named by its hash) for the run to read; returns its artifact path.</summary>
    internal static async Task<string> ImportBundleAsync(StoreChoice where, string bundle, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(bundle, cancellationToken);
        string path = RunLayout.ImportedBundle(ArtifactStoreExtensions.Sha256Of(bytes));
        await where.Open().CreateBytesAsync(path, bytes, cancellationToken);
        return path;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex InvalidNameCharacters();
}
