using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="GenerateProposalShard"/>.</summary>
public sealed record GenerateProposalShardInput(string RunId, ProposalShard Shard);

/// <summary>
/// Generates the mask proposals of one shard of images. Idempotent: when the shard record exists, the recorded
/// summary is returned and nothing is recomputed; the record is written only after every mask of the shard.
/// </summary>
public sealed class GenerateProposalShard(IPipelineEngine engine, IArtifactStore store, ILogger<GenerateProposalShard> logger)
    : TaskActivity<GenerateProposalShardInput, ProposalShardSummary>
{
    /// <inheritdoc/>
    public override async Task<ProposalShardSummary> RunAsync(TaskActivityContext context, GenerateProposalShardInput input)
    {
        var recordPath = RunLayout.ProposalShardRecord(input.RunId, input.Shard.Index);
        if (await store.ReadJsonAsync<ProposalShardSummary>(recordPath) is { } recorded)
        {
            logger.LogInformation("Run {RunId}: proposal shard {Shard} already done, skipped", input.RunId, input.Shard.Index);
            return recorded;
        }
        var summary = await engine.GenerateProposalsShardAsync(input.RunId, input.Shard);
        await store.WriteJsonAsync(recordPath, summary);
        logger.LogInformation("Run {RunId}: proposal shard {Shard} wrote {Masks} masks for {Images} images ({Skipped} skipped)",
            input.RunId, input.Shard.Index, summary.Masks, summary.Images, summary.Skipped.Count);
        return summary;
    }
}
