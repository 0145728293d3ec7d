using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="GetEpochJobStatus"/>.</summary>
public sealed record GetEpochJobStatusInput(string RunId, int Epoch, int Attempt, string ExecutionName);

/// <summary>Where an epoch's job execution stands.</summary>
/// <param name="Status">The execution's status (<see cref="JobExecutionStatus.Succeeded"/> when the record was found).</param>
/// <param name="Result">The epoch's record once it and the checkpoint exist: the epoch is done, whatever the status says.</param>
/// <param name="Failure">Why the trainer failed, from its failure record, when the execution ended without the epoch.</param>
public sealed record EpochJobStatus(JobExecutionStatus Status, EpochResult? Result, string? Failure = null);

/// <summary>
/// Reads how an epoch's job execution is doing. The store decides first: once the epoch's record and checkpoint exist
/// the epoch is done (the execution may still be shutting down); otherwise ARM's execution status says whether to keep
/// waiting or to start again. An execution that ended without the epoch is explained by the trainer's failure record
/// (<see cref="RunLayout.EpochJobFailure"/>); one of kind <see cref="EpochJobFailureKind.InvalidInput"/> throws
/// <see cref="NonRetryablePipelineException"/>, so the run fails at once instead of starting more GPU executions.
/// </summary>
public sealed class GetEpochJobStatus(IEpochJobLauncher launcher, IArtifactStore store) : TaskActivity<GetEpochJobStatusInput, EpochJobStatus>
{
    /// <inheritdoc/>
    public override async Task<EpochJobStatus> RunAsync(TaskActivityContext context, GetEpochJobStatusInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch) is { } done)
            return new EpochJobStatus(JobExecutionStatus.Succeeded, done);
        var status = await launcher.GetStatusAsync(input.ExecutionName);
        // The record may have landed between the two reads.
        if (status == JobExecutionStatus.Succeeded && await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch) is { } landed)
            return new EpochJobStatus(status, landed);
        if (!status.IsTerminal())
            return new EpochJobStatus(status, null);
        var failure = await store.ReadJsonAsync<EpochJobFailure>(RunLayout.EpochJobFailure(input.RunId, input.Epoch, input.Attempt));
        if (failure?.Kind == EpochJobFailureKind.InvalidInput)
            throw new NonRetryablePipelineException(
                $"Epoch {input.Epoch} of run {input.RunId}: the trainer (execution {input.ExecutionName}) refused its input, so no "
                + $"new execution is started: {failure.Message}");
        return new EpochJobStatus(status, null, failure is null ? null : $"ended {status} ({failure.Kind}: {failure.Message})");
    }
}
