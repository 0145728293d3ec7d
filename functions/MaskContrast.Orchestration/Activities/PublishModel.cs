using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Publishes the model bundle. Idempotent: a recorded <see cref="RunLayout.ModelRecord"/> is returned as it is.</summary>
public sealed class PublishModel(IPipelineEngine engine, IArtifactStore store, ILogger<PublishModel> logger) : TaskActivity<string, ModelLocation>
{
    /// <inheritdoc/>
    public override async Task<ModelLocation> RunAsync(TaskActivityContext context, string runId)
    {
        var recordPath = RunLayout.ModelRecord(runId);
        if (await store.ReadJsonAsync<ModelLocation>(recordPath) is { } recorded)
            return recorded;
        var model = await engine.PublishModelAsync(runId);
        await store.WriteJsonAsync(recordPath, model);
        logger.LogInformation("Run {RunId}: model published at {Path}", runId, model.Path);
        return model;
    }
}
