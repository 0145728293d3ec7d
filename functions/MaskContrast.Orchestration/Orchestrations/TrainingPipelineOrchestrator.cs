using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>
/// The whole training pipeline of one run: list images → proposal check → mask proposals fanned out over shards → epochs 1..E one
/// after another (finished ones skipped) → evaluation → model publishing. The orchestration instance id is the run id.
/// </summary>
/// <remarks>
/// <para>Cancellation, two ways. Raise the <see cref="CancelEventName"/> event for a graceful stop: the status turns
/// <see cref="PipelinePhase.Cancelling"/> at once, the step that is running (e.g. an epoch) finishes and keeps its
/// checkpoint, nothing more is scheduled, and the run completes with <see cref="PipelineOutcome.Cancelled"/>. It waits for
/// the running step because an orchestration cannot complete while a task it scheduled is outstanding (it would stay
/// Running; see durabletask-dotnet issue #713). No compute starts after the cancel: a failed activity is not retried
/// (<see cref="PipelineRun.CallAsync{T}"/>), and in job mode the running execution is stopped and no attempt or status
/// poll follows (<see cref="EpochJobFlow"/>). Terminating the instance is immediate and works out of the box, but the
/// run ends Terminated with no result, and the running activity still finishes in the worker. Either way the run can be
/// started again with the same run id and continues after the last finished epoch.</para>
/// <para>Budget. With <see cref="PipelineInput.GpuBudgetSeconds"/> set, no epoch starts once the measured seconds of the
/// run's finished epochs (<see cref="EpochResult.Seconds"/>, epochs recorded before a resume included) have reached it:
/// the run ends <see cref="PipelineOutcome.BudgetSpent"/> with its checkpoints, unevaluated, and says why in
/// <see cref="PipelineResult.StopReason"/>. A budget reached by the last epoch stops nothing: training is over, and
/// evaluation and publishing run on the Function app, not the GPU. The check uses activity results only.</para>
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

        var run = new PipelineRun(context, input);
        try
        {
            var images = await run.StepAsync(PipelinePhase.ListingImages,
                () => run.CallAsync<IReadOnlyList<string>>(nameof(ListDatasetImages), new ListDatasetImagesInput(input.RunId, input.Dataset)));
            await run.StepAsync(PipelinePhase.GeneratingProposals, () => GenerateProposalsAsync(run, images));
            await TrainEpochsAsync(run);
            var eval = await run.StepAsync(PipelinePhase.Evaluating, () => run.CallAsync<EvalResult>(nameof(EvaluateRun), input.RunId));
            run.Result = run.Result with { Eval = eval };
            var model = await run.StepAsync(PipelinePhase.Publishing, () => run.CallAsync<ModelLocation>(nameof(PublishModel), input.RunId));
            return run.Complete(model);
        }
        catch (PipelineRun.CancelledException)
        {
            return run.Cancelled();
        }
        catch (PipelineRun.BudgetSpentException spent)
        {
            return run.BudgetSpent(spent.Message);
        }
    }

    // Fits the dataset-level proposal check, then fans the images out over proposal shards and waits for all of them.
    private static async Task<ProposalShardSummary[]> GenerateProposalsAsync(PipelineRun run, IReadOnlyList<string> images)
    {
        var check = await run.CallAsync<ProposalCheck?>(nameof(CheckProposals), run.Input.RunId);
        var shards = await Task.WhenAll(images.Chunk(run.Input.ShardSize).Select((ids, index) => run.CallAsync<ProposalShardSummary>(
            nameof(GenerateProposalShard), new GenerateProposalShardInput(run.Input.RunId, new ProposalShard(index, ids)))));
        run.Result = run.Result with
        {
            Images = images.Count,
            ProposalShards = shards.Length,
            ProposalMasks = shards.Sum(s => s.Masks),
            SkippedImages = shards.SelectMany(s => s.Skipped).ToList(),
            ProposalCheck = check,
        };
        run.Logger.LogInformation("Run {RunId}: {Masks} proposals from {Shards} shards", run.Input.RunId, run.Result.ProposalMasks, shards.Length);
        return shards;
    }

    // Epochs 1..E one after another; those already recorded (an unbroken prefix) are skipped.
    private static async Task TrainEpochsAsync(PipelineRun run)
    {
        var input = run.Input;
        var finished = FinishedPrefix(await run.StepAsync(
            () => run.CallAsync<IReadOnlyList<EpochResult>>(nameof(FindCompletedEpochs), input.RunId)));
        var epochs = new List<EpochResult>();
        for (var epoch = 1; epoch <= input.Epochs; epoch++)
        {
            if (finished.TryGetValue(epoch, out var recorded))
            {
                epochs.Add(recorded);
                run.Result = run.Result with
                {
                    EpochsSkipped = run.Result.EpochsSkipped + 1,
                    TrainingSeconds = epochs.Sum(e => e.Seconds),
                    FinalLoss = recorded.Loss,
                };
                continue;
            }
            if (BudgetSpent(input, epochs, epoch) is { } reason)
                throw new PipelineRun.BudgetSpentException(reason);
            run.Report(PipelinePhase.Training, epoch, epochs.LastOrDefault()?.Loss, EstimateSeconds(epochs, input.Epochs - epoch + 1));
            var current = epoch;
            var trained = await run.StepAsync(() => input.EpochJob is { } job
                ? EpochJobFlow.RunEpochAsync(run, current, job)
                : run.CallAsync<EpochResult>(nameof(RunTrainingEpoch), new RunTrainingEpochInput(input.RunId, current)));
            epochs.Add(trained);
            run.Result = run.Result with
            {
                EpochsTrained = run.Result.EpochsTrained + 1,
                TrainingSeconds = epochs.Sum(e => e.Seconds),
                FinalLoss = trained.Loss,
            };
            run.Logger.LogInformation("Run {RunId}: epoch {Epoch}/{Epochs} loss {Loss:F4}", input.RunId, epoch, input.Epochs, trained.Loss);
        }
    }

    // Why epoch `next` must not start: the finished epochs' measured seconds have reached the budget; null to go on.
    internal static string? BudgetSpent(PipelineInput input, IReadOnlyList<EpochResult> finished, int next)
    {
        if (input.GpuBudgetSeconds is not { } budget)
            return null;
        double spent = finished.Sum(e => e.Seconds);
        return spent < budget ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"GPU budget spent: epochs 1-{next - 1} took {spent:0.#} s of the run's {budget:0.#} s, so epochs {next}-{input.Epochs} " +
            $"were not trained and the run was not evaluated. Its checkpoints are kept.");
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
}
