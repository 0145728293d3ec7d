using System.Text;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// The one gate through which runs start, from the CLI and the HTTP API alike: checks every field, resolves the training
/// configuration once, checks that the dataset exists and that the run id is free (or taken by the same settings, which
/// resumes it), takes the run's <see cref="RunStartClaim"/> so that of simultaneous starts only one schedules it, takes a
/// <see cref="RunSlot"/> when the caller has <see cref="RunLimits"/>, records
/// <see cref="RunLayout.Settings"/>, <see cref="RunLayout.Config"/> and the <see cref="GpuCostEstimate"/>
/// (<see cref="RunLayout.Estimate"/>), and schedules the pipeline with the run id as instance id and the limits' GPU budget. Callers only map their input to a <see cref="RunStartRequest"/> and the
/// <see cref="RunStartResult"/> to their answer.
/// </summary>
public static class RunStarter
{
    /// <summary>Every problem of the request, keyed by field; empty when it is valid. Reads nothing: the CLI checks its
    /// options with it before it copies a dataset into the store.</summary>
    public static IReadOnlyDictionary<string, string[]> Check(RunStartRequest request) => Resolve(request).Problems;

    /// <summary>Starts or resumes the run, or says why not; nothing is written unless it is scheduled, except the start claim
    /// (released again when no run slot is free) and the run slot. A fault that stops this request after it took them holds
    /// the run and the slot off for <see cref="RunStartClaim.Lease"/>.</summary>
    /// <param name="client">The durable client that schedules the pipeline.</param>
    /// <param name="store">The artifact store holding the dataset and the run.</param>
    /// <param name="request">What to start.</param>
    /// <param name="nowUtc">The time a new run id is named after.</param>
    /// <param name="epochJob">Set by a host that runs epochs as Container Apps job executions (<see cref="PipelineInput.EpochJob"/>).</param>
    /// <param name="limits">What the caller may spend (the HTTP API's <see cref="RunLimits"/>); null = no limits (the CLI).
    /// The concurrent-run limit is kept with a <see cref="RunSlot"/> per run, which needs the start claims of a shared task hub.</param>
    /// <param name="privateTaskHub">True when the task hub lives and dies with this process (the CLI's in-memory one): no
    /// other request can start the run on it, and a claim left by an earlier process must not hold it off, so none is taken.</param>
    /// <param name="cancellationToken">Cancels the checks and writes (not the run).</param>
    public static async Task<RunStartResult> StartAsync(DurableTaskClient client, IArtifactStore store, RunStartRequest request,
        DateTime nowUtc, EpochJobOptions? epochJob = null, RunLimits? limits = null, bool privateTaskHub = false,
        CancellationToken cancellationToken = default)
    {
        if (limits is not null && privateTaskHub)
            throw new ArgumentException("Run limits need the start claims of a shared task hub; a private task hub takes none.", nameof(limits));
        var (config, problems) = Resolve(request, limits);
        if (config is null)
            return new RunStartResult(RunStartOutcome.Invalid, request.RunId, null, problems, "Some fields are invalid.");
        var runId = request.RunId ?? RunIds.New(nowUtc);
        var settings = request.Settings.Recorded(config);

        int datasetFiles = (await store.ListAsync(RunLayout.Dataset(settings.Dataset), cancellationToken)).Count;
        if (datasetFiles == 0)
            return Refused(RunStartOutcome.DatasetMissing, runId, settings,
                $"Dataset '{settings.Dataset}' has no files under {RunLayout.Dataset(settings.Dataset)}; upload its images first.");
        var tooLarge = new Dictionary<string, string[]>();
        if (limits is not null)
            Add(tooLarge, limits.CheckConfig(settings, config, datasetFiles));
        if (tooLarge.Count > 0)
            return new RunStartResult(RunStartOutcome.Invalid, runId, null, tooLarge, "The run is larger than this API allows.");
        var recorded = await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(runId), cancellationToken);
        if (recorded is not null && !SameSettings(recorded, settings))
            return Refused(RunStartOutcome.SettingsConflict, runId, settings,
                $"Run '{runId}' was started with other settings ({JsonSerializer.Serialize(recorded, ArtifactStoreExtensions.JsonOptions)}); " +
                "starting an existing run id resumes it with its own settings. Choose another run id.");
        var instance = await client.GetInstanceAsync(runId, cancellationToken);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
            return Refused(RunStartOutcome.AlreadyRunning, runId, settings, $"Run '{runId}' is already running.");
        // The check above and the schedule below are two calls: the claim lets one request through between them.
        RunStartClaimResult? claim = null;
        if (!privateTaskHub)
        {
            claim = await RunStartClaim.TakeAsync(store, runId, instance, nowUtc, cancellationToken);
            if (!claim.Ours)
                return Refused(RunStartOutcome.AlreadyRunning, runId, settings,
                    $"Run '{runId}' is being started by another request (since {claim.Claim.ClaimedUtc:HH:mm:ss} UTC); " +
                    $"if that request failed, it can be started again from {claim.Claim.HeldUntilUtc:HH:mm:ss} UTC.");
        }
        // Taken after the claim, so that rival starts of one run id take no slot; a refusal gives the claim back.
        if (limits is not null && claim is not null
            && await RunSlot.TakeAsync(store, client, limits.MaxConcurrentRuns, runId, claim.Claim.Token, nowUtc, cancellationToken) is null)
        {
            await RunStartClaim.ReleaseAsync(store, claim, cancellationToken);
            return Refused(RunStartOutcome.TooManyRuns, runId, settings,
                $"All {limits.MaxConcurrentRuns} run slots are held by runs that are going or being started; at most " +
                $"{limits.MaxConcurrentRuns} may run at once. Start this one when another has ended.");
        }

        if (recorded is null)
        {
            await store.WriteBytesAsync(RunLayout.Config(runId), Encoding.UTF8.GetBytes(Presets.ToJson(config)), cancellationToken);
            await store.WriteJsonAsync(RunLayout.Settings(runId), settings, cancellationToken);
        }
        // Written at every start: a resumed run keeps its settings but runs under the budget configured now.
        var estimate = GpuCostEstimate.For(config, datasetFiles) with { BudgetGpuMinutes = limits?.MaxGpuMinutesPerRun };
        await store.WriteJsonAsync(RunLayout.Estimate(runId), estimate, cancellationToken);
        var shardSize = request.ShardSize ?? PipelineInput.DefaultShardSize;
        await client.StartPipelineAsync(new PipelineInput(runId, settings.Dataset, config.Schedule.Epochs, shardSize)
        {
            EpochJob = epochJob,
            GpuBudgetSeconds = limits?.MaxGpuMinutesPerRun * 60,
        }, cancellationToken);
        return new RunStartResult(recorded is null ? RunStartOutcome.Started : RunStartOutcome.Resumed, runId, settings,
            new Dictionary<string, string[]>(), "") { Estimate = estimate };
    }

    static (TrainingConfig? Config, IReadOnlyDictionary<string, string[]> Problems) Resolve(RunStartRequest request, RunLimits? limits = null)
    {
        var (config, problems) = request.Settings.Resolve();
        var all = problems.ToDictionary();
        if (request.RunId is not null)
        {
            try { NameValidator.ValidateRunId(request.RunId, "runId"); }
            catch (ArgumentException error) { all["runId"] = [RunSettings.MessageOf(error)]; }
        }
        if (request.ShardSize is { } shardSize && PipelineInput.ShardSizeProblem(shardSize) is { } shardProblem)
            all["shardSize"] = [shardProblem];
        if (limits is not null)
            Add(all, limits.CheckRequest(request.Settings));
        return all.Count == 0 ? (config, all) : (null, all);
    }

    // Appends each problem to its field's list.
    static void Add(Dictionary<string, string[]> problems, IEnumerable<(string Field, string Problem)> more)
    {
        foreach (var (field, problem) in more)
            problems[field] = [.. problems.GetValueOrDefault(field, []), problem];
    }

    static RunStartResult Refused(RunStartOutcome outcome, string runId, RunSettings settings, string detail)
        => new(outcome, runId, settings, new Dictionary<string, string[]>(), detail);

    static bool SameSettings(RunSettings a, RunSettings b) =>
        a with { Overrides = [] } == b with { Overrides = [] } && a.Overrides.SequenceEqual(b.Overrides);
}
