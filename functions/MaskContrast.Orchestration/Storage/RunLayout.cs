using System.Globalization;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Builds every artifact path of the product, so that the orchestration, the engine, the CLI and the Functions app
/// agree on one layout. Every argument is validated with <see cref="NameValidator"/>.
/// </summary>
/// <remarks>
/// <code>
/// datasets/{name}/...                          images (and optional masks/labels) of a dataset
/// runs/{id}/settings.json                     what the run was started with (dataset, preset, overrides…)
/// runs/{id}/config.json                        the training configuration resolved from them, read by every step
/// runs/{id}/estimate.json                      the GPU cost estimate and budget the run was (last) started with
/// runs/{id}/starts/{generation}-NN.json        the start claims: the request that creates one schedules the run
/// runs/{id}/starts/{generation}-NN.released.json  the claim's request scheduled nothing (no run slot was free)
/// runs/{id}/images.json                        the image ids of the run, frozen at its start
/// runs/{id}/proposals/masks/{imageId}.png      one object mask proposal per image
/// runs/{id}/proposals/shards/shard-NNNN.json   one record per proposal shard (its completion marker)
/// runs/{id}/checkpoints/epoch-NNNN.ckpt        full training state after epoch NNNN (written by the engine)
/// runs/{id}/checkpoints/epoch-NNNN.json        the epoch's metrics (its completion marker, written after the checkpoint)
/// runs/{id}/checkpoints/latest                 pointer to the newest checkpoint, with its SHA-256
/// runs/{id}/jobs/epoch-NNNN-attempt-NN.json    the Container Apps job execution started for an epoch attempt
/// runs/{id}/jobs/epoch-NNNN-attempt-NN.error.json  why that execution's trainer failed (written by train-epoch)
/// runs/{id}/eval/result.json                   evaluation result; reports and plots beside it
/// runs/{id}/model/model.json                   the published model bundle's record (path and SHA-256)
/// runs/{id}/model/model-{sha12}.mcbundle       published bundles (the evaluated one, then versions with cluster names),
///                                              named by their SHA-256 and written once
/// run-slots/slot-KKK/NNNNNN.json               the HTTP API's concurrent-run slots: tenancy NNNNNN of slot KKK
/// </code>
/// </remarks>
public static class RunLayout
{
    /// <summary>Highest epoch number that fits the four-digit <c>epoch-NNNN</c> names (so they sort by name).</summary>
    public const int MaxEpoch = Core.Config.ScheduleConfig.MaxEpochs;

    /// <summary>Highest shard index that fits <c>shard-NNNN</c>.</summary>
    public const int MaxShard = 9999;

    private const string EpochPrefix = "epoch-";

    /// <summary><c>datasets/{name}/</c></summary>
    public static string Dataset(string name) => $"datasets/{NameValidator.ValidateDatasetName(name)}/";

    /// <summary><c>datasets/{name}/{relativePath}</c></summary>
    public static string DatasetFile(string name, string relativePath)
        => Dataset(name) + NameValidator.ValidatePath(relativePath, nameof(relativePath));

    /// <summary><c>runs/{id}/</c></summary>
    public static string Run(string runId) => $"runs/{NameValidator.ValidateRunId(runId)}/";

    /// <summary><c>runs/{id}/settings.json</c>: the <c>RunSettings</c> the run was started with, written once by <c>RunStarter</c>.</summary>
    public static string Settings(string runId) => Run(runId) + "settings.json";

    /// <summary><c>runs/{id}/config.json</c>: the training configuration resolved from the settings (preset, overrides,
    /// epochs) when the run started; every step reads it from here instead of resolving the preset again.</summary>
    public static string Config(string runId) => Run(runId) + "config.json";

    /// <summary><c>runs/{id}/estimate.json</c>: the run's <c>GpuCostEstimate</c> and the budget it was (last) started
    /// with, written by <c>RunStarter</c> at each start and shown by <c>GET /api/runs/{id}</c>.</summary>
    public static string Estimate(string runId) => Run(runId) + "estimate.json";

    /// <summary><c>runs/{id}/starts/</c>: the run's start claims (<c>RunStartClaim</c>).</summary>
    public static string StartClaims(string runId) => Run(runId) + "starts/";

    /// <summary>
    /// <c>runs/{id}/starts/{generation}-NN.json</c>: claim <paramref name="attempt"/> to start the run after
    /// <paramref name="generation"/> (a name for the run's latest orchestration instance, or for none), created only once;
    /// the request that creates it schedules the orchestration (<c>RunStartClaim</c>).
    /// </summary>
    public static string StartClaim(string runId, string generation, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        return $"{StartClaims(runId)}{NameValidator.ValidateImageId(generation, nameof(generation))}-{attempt.ToString("D2", CultureInfo.InvariantCulture)}.json";
    }

    /// <summary><c>runs/{id}/starts/{generation}-NN.released.json</c>: the request that created <see cref="StartClaim"/>
    /// scheduled nothing and gave the claim up, so the next start need not wait for its lease.</summary>
    public static string StartClaimRelease(string runId, string generation, int attempt)
        => StartClaim(runId, generation, attempt)[..^".json".Length] + ".released.json";

    /// <summary><c>run-slots/</c>: the slots of the runs the HTTP API lets go at once (<c>RunSlot</c>).</summary>
    public const string RunSlots = "run-slots/";

    /// <summary>Highest number of run slots (<c>slot-KKK</c>).</summary>
    public const int MaxRunSlots = 999;

    /// <summary>
    /// <c>run-slots/slot-KKK/NNNNNN.json</c>: tenancy <paramref name="tenancy"/> (from 1) of slot <paramref name="slot"/>
    /// (from 0), created only once; the slot's highest tenancy says which run holds it (<c>RunSlot</c>).
    /// </summary>
    public static string RunSlot(int slot, int tenancy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, MaxRunSlots);
        ArgumentOutOfRangeException.ThrowIfLessThan(tenancy, 1);
        return $"{RunSlots}slot-{slot.ToString("D3", CultureInfo.InvariantCulture)}/{tenancy.ToString("D6", CultureInfo.InvariantCulture)}.json";
    }

    /// <summary><c>runs/{id}/images.json</c>: the image ids the run uses, frozen at its start so a resumed run sees the same set.</summary>
    public static string ImageList(string runId) => Run(runId) + "images.json";

    /// <summary><c>runs/{id}/skipped-files.json</c>: the dataset's files whose names the store refuses (<see cref="DatasetFileNames"/>),
    /// left out of the run; written with <see cref="ImageList"/>, every name in full.</summary>
    public static string SkippedFiles(string runId) => Run(runId) + "skipped-files.json";

    /// <summary><c>runs/{id}/proposals/</c></summary>
    public static string Proposals(string runId) => Run(runId) + "proposals/";

    /// <summary><c>runs/{id}/proposals/masks/</c></summary>
    public static string ProposalMasks(string runId) => Proposals(runId) + "masks/";

    /// <summary>The fitted cluster check of <c>mbplus-clusters</c> proposals (centroids and decision), read by every shard.</summary>
    public static string ProposalClusterVote(string runId) => Proposals(runId) + "cluster-vote.json";

    /// <summary>The record of the proposal check (what it decided), written once it is fitted.</summary>
    public static string ProposalCheckRecord(string runId) => Proposals(runId) + "check.json";

    /// <summary><c>runs/{id}/proposals/masks/{imageId}.png</c></summary>
    public static string ProposalMask(string runId, string imageId)
        => $"{ProposalMasks(runId)}{NameValidator.ValidateImageId(imageId)}.png";

    /// <summary><c>runs/{id}/proposals/shards/shard-NNNN.json</c></summary>
    public static string ProposalShardRecord(string runId, int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shard, MaxShard);
        return $"{Proposals(runId)}shards/shard-{shard.ToString("D4", CultureInfo.InvariantCulture)}.json";
    }

    /// <summary><c>runs/{id}/checkpoints/</c></summary>
    public static string Checkpoints(string runId) => Run(runId) + "checkpoints/";

    /// <summary><c>runs/{id}/checkpoints/epoch-NNNN.ckpt</c>: the full training state the engine writes after an epoch.</summary>
    public static string Checkpoint(string runId, int epoch) => $"{Checkpoints(runId)}{EpochName(epoch)}.ckpt";

    /// <summary><c>runs/{id}/checkpoints/epoch-NNNN.json</c>: the epoch's metrics; its presence marks the epoch as done.</summary>
    public static string EpochRecord(string runId, int epoch) => $"{Checkpoints(runId)}{EpochName(epoch)}.json";

    /// <summary><c>runs/{id}/checkpoints/latest</c></summary>
    public static string LatestCheckpoint(string runId) => Checkpoints(runId) + "latest";

    /// <summary>Highest attempt number of an epoch's job execution that fits <c>attempt-NN</c>.</summary>
    public const int MaxJobAttempt = 99;

    /// <summary>
    /// <c>runs/{id}/jobs/epoch-NNNN-attempt-NN.json</c>: which job execution attempt <paramref name="attempt"/> of the
    /// epoch started, so a retried start activity finds it instead of starting a second execution.
    /// </summary>
    public static string EpochJobRecord(string runId, int epoch, int attempt) => EpochJobAttempt(runId, epoch, attempt) + ".json";

    /// <summary>
    /// <c>runs/{id}/jobs/epoch-NNNN-attempt-NN.error.json</c>: why the trainer of that attempt failed
    /// (<c>EpochJobFailure</c>), so the orchestration can tell bad input (final) from a transient fault in job mode.
    /// </summary>
    public static string EpochJobFailure(string runId, int epoch, int attempt) => EpochJobAttempt(runId, epoch, attempt) + ".error.json";

    private static string EpochJobAttempt(string runId, int epoch, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(attempt, MaxJobAttempt);
        return $"{Run(runId)}jobs/{EpochName(epoch)}-attempt-{attempt.ToString("D2", CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The run id and epoch of an <see cref="EpochRecord"/> path (<c>runs/{id}/checkpoints/epoch-NNNN.json</c>), or
    /// null for any other path; for a blob trigger that turns a landed record into an event.
    /// </summary>
    public static (string RunId, int Epoch)? ParseRunEpochRecord(string path)
    {
        var parts = path?.Split('/');
        if (parts is not { Length: 4 } || parts[0] != "runs" || parts[2] != "checkpoints" || ParseEpochRecord(path!) is not { } epoch)
            return null;
        try
        {
            return EpochRecord(parts[1], epoch) == path ? (parts[1], epoch) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The epoch number of an <see cref="EpochRecord"/> path (any run), or null for any other path.</summary>
    public static int? ParseEpochRecord(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (!name.StartsWith(EpochPrefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
            return null;
        var digits = name[EpochPrefix.Length..^".json".Length];
        return digits.Length == 4 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && epoch >= 1
            ? epoch
            : null;
    }

    /// <summary><c>runs/{id}/eval/</c></summary>
    public static string Eval(string runId) => Run(runId) + "eval/";

    /// <summary><c>runs/{id}/eval/result.json</c></summary>
    public static string EvalResult(string runId) => Eval(runId) + "result.json";

    /// <summary><c>runs/{id}/eval/{fileName}</c> (reports, plots).</summary>
    public static string EvalFile(string runId, string fileName) => Eval(runId) + NameValidator.ValidateImageId(fileName, nameof(fileName));

    /// <summary><c>runs/{id}/model/</c></summary>
    public static string Model(string runId) => Run(runId) + "model/";

    /// <summary><c>runs/{id}/model/model.json</c>: the published bundle's record.</summary>
    public static string ModelRecord(string runId) => Model(runId) + "model.json";

    /// <summary><c>runs/{id}/model/model-{sha12}.mcbundle</c>: a published bundle, named by the first 12 hex digits of its
    /// SHA-256 and written once, so a path never changes content.</summary>
    public static string PublishedBundle(string runId, string sha256) => Model(runId) + BundleName(sha256);

    /// <summary><c>runs/{id}/eval/model-named.mcbundle</c>: the evaluated bundle with the cluster names it inherited
    /// (<see cref="Core.Evaluation.NameCarry"/>); published beside the unnamed one and made the run's model.</summary>
    public static string NamedEvalBundle(string runId) => EvalFile(runId, "model-named.mcbundle");

    /// <summary><c>models/imported/model-{sha12}.mcbundle</c>: a bundle the CLI copied into the store for <c>--names-from</c>,
    /// named by its hash (written once).</summary>
    public static string ImportedBundle(string sha256) => "models/imported/" + BundleName(sha256);

    // model-{sha12}.mcbundle
    private static string BundleName(string sha256)
    {
        if (sha256 is not { Length: 64 } || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"sha256 ('{sha256}') must be 64 lowercase hex digits.", nameof(sha256));
        return $"model-{sha256[..12]}.mcbundle";
    }

    /// <summary><c>runs/{id}/model/{fileName}</c> (weights, cluster centres).</summary>
    public static string ModelFile(string runId, string fileName) => Model(runId) + NameValidator.ValidateImageId(fileName, nameof(fileName));

    private static string EpochName(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, MaxEpoch);
        return EpochPrefix + epoch.ToString("D4", CultureInfo.InvariantCulture);
    }
}
