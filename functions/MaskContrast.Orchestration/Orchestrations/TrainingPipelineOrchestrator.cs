using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>
/// The whole training pipeline of one run: list images → mask proposals fanned out over shards → epochs 1..E one
/// after another (finished ones skipped) → evaluation → model publishing. The orchestration instance id is the run id.
/// </summary>
/// <remarks>
/// <para>Cancellation, two ways. Raise the <see cref="CancelEventName"/> event for a graceful stop: the status turns
/// <see cref="PipelinePhase.Cancelling"/> at once, the step that is running (e.g. an epoch) finishes and keeps its
/// checkpoint, nothing more is scheduled, and the run completes with <see cref="PipelineOutcome.Cancelled"/>. It waits for
/// the running step because an orchestration cannot complete while a task it scheduled is outstanding (it would stay
/// Running; see durabletask-dotnet issue #713). Terminating the instance is immediate and works out of the box, but the
/// run ends Terminated with no result, and the running activity still finishes in the worker. Either way the run can be
/// started again with the same run id and continues after the last finished epoch.</para>
/// <para>Epochs run in the <see cref="RunTrainingEpoch"/> activity, or, when <see cref="PipelineInput.EpochJob"/> is set,
/// as job executions awaited with the <see cref="EpochCompletedEventName"/> event, durable timers and status polls
/// (<see cref="EpochJobFlow"/>).</para>
/// <para>The code is deterministic: no clock, no random numbers, no I/O; every decision is made from activity results.</para>
/// </remarks>
public sealed class TrainingPipelineOrchestrator : TaskOrchestrator<PipelineInput, PipelineResult>
{
    /// <summary>Name of the external event that cancels the run gracefully (any payload).</summary>
    public const string CancelEventName = "Cancel";

    /// <summary>Name of the event that says epoch <paramref name="epoch"/>'s checkpoint landed (job mode only; see
    /// <see cref="PipelineClientExtensions.RaiseEpochCompletedAsync"/>).</summary>
    public static string EpochCompletedEventName(int epoch) => "EpochCompleted-" + epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, PipelineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = input.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid pipeline input: " + string.Join("; ", problems), nameof(input));

        var logger = context.CreateReplaySafeLogger<TrainingPipelineOrchestrator>();
        var options = (input.Retry ?? new()).ToTaskOptions();
        // One waiter for the whole run; every step races against it.
        var cancel = context.WaitForExternalEvent<object?>(CancelEventName);
        var result = new PipelineResult(input.RunId, PipelineOutcome.Cancelled);
        var current = new PipelineStatus(PipelinePhase.ListingImages, 0, input.Epochs, null, null);
        void Report(string phase, int epoch = 0, double? loss = null, double? eta = null)
            => context.SetCustomStatus(current = new PipelineStatus(phase, epoch, input.Epochs, loss, eta));
        void Cancelling() => context.SetCustomStatus(current = current with { Phase = PipelinePhase.Cancelling, EtaSeconds = null });

        Report(PipelinePhase.ListingImages);
        var images = await UnlessCancelled(() => context.CallActivityAsync<IReadOnlyList<string>>(
            nameof(ListDatasetImages), new ListDatasetImagesInput(input.RunId, input.Dataset), options), cancel, Cancelling);
        if (images is null)
            return Cancelled(result, Report);

        Report(PipelinePhase.GeneratingProposals);
        var shards = await UnlessCancelled(() => Task.WhenAll(images.Chunk(input.ShardSize)
            .Select((ids, index) => context.CallActivityAsync<ProposalShardSummary>(
                nameof(GenerateProposalShard), new GenerateProposalShardInput(input.RunId, new ProposalShard(index, ids)), options))),
            cancel, Cancelling);
        if (shards is null)
            return Cancelled(result, Report);
        result = result with
        {
            Images = images.Count,
            ProposalShards = shards.Length,
            ProposalMasks = shards.Sum(s => s.Masks),
            SkippedImages = shards.SelectMany(s => s.Skipped).ToList(),
        };
        logger.LogInformation("Run {RunId}: {Masks} proposals from {Shards} shards", input.RunId, result.ProposalMasks, shards.Length);

        var done = await UnlessCancelled(() => context.CallActivityAsync<IReadOnlyList<EpochResult>>(
            nameof(FindCompletedEpochs), input.RunId, options), cancel, Cancelling);
        if (done is null)
            return Cancelled(result, Report);
        var finished = FinishedPrefix(done);
        var epochs = new List<EpochResult>();
        for (var epoch = 1; epoch <= input.Epochs; epoch++)
        {
            if (finished.TryGetValue(epoch, out var recorded))
            {
                epochs.Add(recorded);
                result = result with { EpochsSkipped = result.EpochsSkipped + 1 };
                continue;
            }
            Report(PipelinePhase.Training, epoch, epochs.LastOrDefault()?.Loss, EstimateSeconds(epochs, input.Epochs - epoch + 1));
            var trained = await UnlessCancelled(() => input.EpochJob is { } job
                ? EpochJobFlow.RunEpochAsync(context, input.RunId, epoch, job, options)
                : context.CallActivityAsync<EpochResult>(nameof(RunTrainingEpoch), new RunTrainingEpochInput(input.RunId, epoch), options),
                cancel, Cancelling);
            if (trained is null)
                return Cancelled(result, Report, epoch);
            epochs.Add(trained);
            result = result with { EpochsTrained = result.EpochsTrained + 1 };
            logger.LogInformation("Run {RunId}: epoch {Epoch}/{Epochs} loss {Loss:F4}", input.RunId, epoch, input.Epochs, trained.Loss);
        }
        result = result with { FinalLoss = epochs.LastOrDefault()?.Loss };

        Report(PipelinePhase.Evaluating, input.Epochs, result.FinalLoss, 0);
        var eval = await UnlessCancelled(() => context.CallActivityAsync<EvalResult>(nameof(EvaluateRun), input.RunId, options),
            cancel, Cancelling);
        if (eval is null)
            return Cancelled(result, Report, input.Epochs);

        Report(PipelinePhase.Publishing, input.Epochs, result.FinalLoss, 0);
        var model = await UnlessCancelled(() => context.CallActivityAsync<ModelLocation>(nameof(PublishModel), input.RunId, options),
            cancel, Cancelling);
        if (model is null)
            return Cancelled(result with { Eval = eval }, Report, input.Epochs);

        Report(PipelinePhase.Completed, input.Epochs, result.FinalLoss, 0);
        logger.LogInformation("Run {RunId} completed: mIoU {MeanIou:F3}, model {Model}", input.RunId, eval.MeanIou, model.Path);
        return result with { Outcome = PipelineOutcome.Completed, Eval = eval, Model = model };
    }

    // Only the unbroken run 1..k of finished epochs is skipped by the orchestrator. A gap can only come from files removed
    // by hand (the store has no delete); the epochs from the gap on go through RunTrainingEpoch again, which retrains the
    // missing one and reuses any later record it finds.
    internal static Dictionary<int, EpochResult> FinishedPrefix(IReadOnlyList<EpochResult> done)
    {
        var byEpoch = done.GroupBy(r => r.Epoch).ToDictionary(g => g.Key, g => g.First());
        var prefix = new Dictionary<int, EpochResult>();
        for (var epoch = 1; byEpoch.TryGetValue(epoch, out var result); epoch++)
            prefix[epoch] = result;
        return prefix;
    }

    // Average seconds of the epochs seen so far times the epochs left; null until one epoch has a duration.
    internal static double? EstimateSeconds(IReadOnlyList<EpochResult> finished, int remaining)
        => finished.Count == 0 ? null : Math.Round(finished.Average(e => e.Seconds) * remaining, 1);

    // Runs the step unless cancellation was requested; null means cancelled. A failed step rethrows its exception,
    // unless cancellation arrived meanwhile: then its outcome no longer matters.
    private static async Task<T?> UnlessCancelled<T>(Func<Task<T>> start, Task cancel, Action onCancelling) where T : class
    {
        if (cancel.IsCompleted)
            return null;
        var step = start();
        if (await Task.WhenAny(step, cancel) == step)
            return await step;
        onCancelling();
        try
        {
            await step;
        }
        catch (Exception e) when (e is TaskFailedException or EpochJobFailedException)
        {
            // Cancelled anyway; the failure is in the history for whoever looks.
        }
        return null;
    }

    private static PipelineResult Cancelled(PipelineResult result, Action<string, int, double?, double?> report, int epoch = 0)
    {
        report(PipelinePhase.Cancelled, epoch, null, null);
        return result with { Outcome = PipelineOutcome.Cancelled };
    }
}

/// <summary>Input of <see cref="TrainingPipelineOrchestrator"/>.</summary>
/// <param name="RunId">The run id; also the orchestration instance id.</param>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Epochs">Number of training epochs (1–9999).</param>
/// <param name="ShardSize">Images per proposal shard (1–10000).</param>
public sealed record PipelineInput(string RunId, string Dataset, int Epochs, int ShardSize = 64)
{
    /// <summary>Retry policy of every activity.</summary>
    public PipelineRetryOptions Retry { get; init; } = new();

    /// <summary>Null (the default): each epoch runs in the <c>RunTrainingEpoch</c> activity through the host's
    /// <c>IEpochLauncher</c>. Set: each epoch runs as a job execution through the host's <c>IEpochJobLauncher</c>.</summary>
    public EpochJobOptions? EpochJob { get; init; }

    /// <summary>Every problem with the input, each naming the field and the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        try { NameValidator.ValidateRunId(RunId, "runId"); } catch (ArgumentException e) { problems.Add(e.Message); }
        try { NameValidator.ValidateDatasetName(Dataset, "dataset"); } catch (ArgumentException e) { problems.Add(e.Message); }
        if (Epochs is < 1 or > RunLayout.MaxEpoch)
            problems.Add($"epochs ({Epochs}) must be between 1 and {RunLayout.MaxEpoch}.");
        if (ShardSize is < 1 or > 10_000)
            problems.Add($"shardSize ({ShardSize}) must be between 1 and 10000.");
        problems.AddRange((Retry ?? new()).Validate());
        problems.AddRange(EpochJob?.Validate() ?? []);
        return problems;
    }
}

/// <summary>Retry with exponential backoff for transient activity failures; <see cref="NonRetryablePipelineException"/>
/// and <see cref="ArgumentException"/> are never retried.</summary>
/// <param name="MaxAttempts">Attempts in all, including the first (1–20).</param>
/// <param name="FirstRetrySeconds">Delay before the first retry (&gt; 0).</param>
/// <param name="BackoffCoefficient">Factor applied to the delay after each retry (≥ 1).</param>
/// <param name="MaxRetrySeconds">Longest delay between two attempts.</param>
public sealed record PipelineRetryOptions(int MaxAttempts = 4, double FirstRetrySeconds = 10, double BackoffCoefficient = 2, double MaxRetrySeconds = 600)
{
    /// <summary>Every problem with the options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxAttempts is < 1 or > 20)
            problems.Add($"retry.maxAttempts ({MaxAttempts}) must be between 1 and 20.");
        if (!(FirstRetrySeconds > 0))
            problems.Add($"retry.firstRetrySeconds ({FirstRetrySeconds}) must be greater than 0.");
        if (!(BackoffCoefficient >= 1))
            problems.Add($"retry.backoffCoefficient ({BackoffCoefficient}) must be at least 1.");
        if (!(MaxRetrySeconds >= FirstRetrySeconds))
            problems.Add($"retry.maxRetrySeconds ({MaxRetrySeconds}) must be at least retry.firstRetrySeconds ({FirstRetrySeconds}).");
        return problems;
    }

    /// <summary>The Durable <see cref="TaskOptions"/> for this policy.</summary>
    public TaskOptions ToTaskOptions() => TaskOptions.FromRetryPolicy(new RetryPolicy(
        MaxAttempts, TimeSpan.FromSeconds(FirstRetrySeconds), BackoffCoefficient, TimeSpan.FromSeconds(MaxRetrySeconds))
    {
        HandleFailure = failure => !IsPermanent(failure),
    });

    // Compares type names as well as IsCausedBy, which needs the type to be loadable from the failure's type name.
    internal static bool IsPermanent(TaskFailureDetails? failure)
    {
        for (; failure is not null; failure = failure.InnerFailure)
            if (failure.ErrorType == typeof(NonRetryablePipelineException).FullName
                || failure.IsCausedBy<NonRetryablePipelineException>() || failure.IsCausedBy<ArgumentException>())
                return true;
        return false;
    }
}

/// <summary>Custom status of a running pipeline (what <c>maskcontrast status</c> and <c>GET /api/runs/{id}</c> show).</summary>
/// <param name="Phase">One of <see cref="PipelinePhase"/>'s values.</param>
/// <param name="Epoch">The epoch being trained (0 before training).</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Loss">Loss of the last finished epoch, if any.</param>
/// <param name="EtaSeconds">Estimated seconds of training left (mean epoch time × epochs left), if known.</param>
public sealed record PipelineStatus(string Phase, int Epoch, int Epochs, double? Loss, double? EtaSeconds);

/// <summary>The phases reported in <see cref="PipelineStatus.Phase"/>.</summary>
public static class PipelinePhase
{
    /// <summary>Listing the dataset's images.</summary>
    public const string ListingImages = nameof(ListingImages);
    /// <summary>Generating mask proposals (fan-out over shards).</summary>
    public const string GeneratingProposals = nameof(GeneratingProposals);
    /// <summary>Training epochs.</summary>
    public const string Training = nameof(Training);
    /// <summary>Evaluating the model.</summary>
    public const string Evaluating = nameof(Evaluating);
    /// <summary>Publishing the model bundle.</summary>
    public const string Publishing = nameof(Publishing);
    /// <summary>Done.</summary>
    public const string Completed = nameof(Completed);
    /// <summary>The cancel event arrived; the running step is finishing.</summary>
    public const string Cancelling = nameof(Cancelling);
    /// <summary>Stopped by the cancel event.</summary>
    public const string Cancelled = nameof(Cancelled);
}

/// <summary>How a run ended.</summary>
public enum PipelineOutcome
{
    /// <summary>Every step ran.</summary>
    Completed,
    /// <summary>Stopped by the <see cref="TrainingPipelineOrchestrator.CancelEventName"/> event.</summary>
    Cancelled,
}

/// <summary>Output of <see cref="TrainingPipelineOrchestrator"/>.</summary>
public sealed record PipelineResult(string RunId, PipelineOutcome Outcome)
{
    /// <summary>Images in the run.</summary>
    public int Images { get; init; }
    /// <summary>Proposal shards processed.</summary>
    public int ProposalShards { get; init; }
    /// <summary>Mask proposals written.</summary>
    public int ProposalMasks { get; init; }
    /// <summary>Image ids skipped during proposal generation.</summary>
    public IReadOnlyList<string> SkippedImages { get; init; } = [];
    /// <summary>Epochs trained by this orchestration.</summary>
    public int EpochsTrained { get; init; }
    /// <summary>Epochs skipped because their checkpoint already existed.</summary>
    public int EpochsSkipped { get; init; }
    /// <summary>Loss of the last epoch.</summary>
    public double? FinalLoss { get; init; }
    /// <summary>The evaluation, when it ran.</summary>
    public EvalResult? Eval { get; init; }
    /// <summary>The published model, when it was published.</summary>
    public ModelLocation? Model { get; init; }
}
