using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="GetEpochJobStatus"/>.</summary>
public sealed record GetEpochJobStatusInput(string RunId, int Epoch, string ExecutionName);

/// <summary>Where an epoch's job execution stands.</summary>
/// <param name="Status">The execution's status (<see cref="JobExecutionStatus.Succeeded"/> when the record was found).</param>
/// <param name="Result">The epoch's record once it and the checkpoint exist: the epoch is done, whatever the status says.</param>
public sealed record EpochJobStatus(JobExecutionStatus Status, EpochResult? Result);

/// <summary>
/// Reads how an epoch's job execution is doing. The store decides first: once the epoch's record and checkpoint exist
/// the epoch is done (the execution may still be shutting down); otherwise ARM's execution status says whether to keep
/// waiting or to start again.
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
        return status == JobExecutionStatus.Succeeded
            ? new EpochJobStatus(status, await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch))
            : new EpochJobStatus(status, null);
    }
}
