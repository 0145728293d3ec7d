using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;

namespace MaskContrast.Orchestration.Activities;

/// <summary>
/// Returns the epochs of a run that already have a record and a checkpoint, so the orchestrator can skip them
/// (a re-run or a restarted orchestration with the same run id continues after the last finished epoch). Read-only.
/// </summary>
public sealed class FindCompletedEpochs(IArtifactStore store) : TaskActivity<string, IReadOnlyList<EpochResult>>
{
    /// <inheritdoc/>
    public override Task<IReadOnlyList<EpochResult>> RunAsync(TaskActivityContext context, string runId)
        => EpochRecords.ListAsync(store, runId);
}
