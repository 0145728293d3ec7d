using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Evaluates the trained model. Idempotent: a recorded <see cref="RunLayout.EvalResult"/> is returned as it is.</summary>
public sealed class EvaluateRun(IPipelineEngine engine, IArtifactStore store, ILogger<EvaluateRun> logger) : TaskActivity<string, EvalResult>
{
    /// <inheritdoc/>
    public override async Task<EvalResult> RunAsync(TaskActivityContext context, string runId)
    {
        var recordPath = RunLayout.EvalResult(runId);
        if (await store.ReadJsonAsync<EvalResult>(recordPath) is { } recorded)
            return recorded;
        var result = await engine.EvaluateAsync(runId);
        await store.WriteJsonAsync(recordPath, result);
        logger.LogInformation("Run {RunId}: mIoU {MeanIou:P1} (chance {Chance:P1})", runId, result.MeanIou, result.Chance);
        return result;
    }
}
