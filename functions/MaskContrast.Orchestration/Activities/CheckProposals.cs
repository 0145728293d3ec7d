using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>
/// Fits the dataset-level check of the proposals before the shards run (<see cref="IPipelineEngine.CheckProposalsAsync"/>).
/// Idempotent: a recorded decision is returned as it is, so a resumed run's shards keep the same check.
/// </summary>
public sealed class CheckProposals(IPipelineEngine engine, IArtifactStore store, ILogger<CheckProposals> logger)
    : TaskActivity<string, ProposalCheck?>
{
    /// <inheritdoc/>
    public override async Task<ProposalCheck?> RunAsync(TaskActivityContext context, string runId)
    {
        var recordPath = RunLayout.ProposalCheckRecord(runId);
        if (await store.ReadJsonAsync<ProposalCheck>(recordPath) is { } recorded)
            return recorded;
        var check = await engine.CheckProposalsAsync(runId);
        if (check is not null)
        {
            await store.WriteJsonAsync(recordPath, check);
            logger.LogInformation("Run {RunId}: {Check}", runId, check.Description);
        }
        return check;
    }
}
