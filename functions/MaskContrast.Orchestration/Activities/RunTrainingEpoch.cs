using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="RunTrainingEpoch"/>.</summary>
public sealed record RunTrainingEpochInput(string RunId, int Epoch);

/// <summary>
/// Trains one epoch through the configured <see cref="IEpochLauncher"/>, then records it (<see cref="EpochRecords"/>)
/// unless the launcher's child process already did.
/// Idempotent: when the epoch record and checkpoint exist (a retried or replayed attempt whose first try finished),
/// the recorded metrics are returned and nothing is trained again.
/// </summary>
public sealed class RunTrainingEpoch(IEpochLauncher launcher, IArtifactStore store, ILogger<RunTrainingEpoch> logger)
    : TaskActivity<RunTrainingEpochInput, EpochResult>
{
    /// <inheritdoc/>
    public override async Task<EpochResult> RunAsync(TaskActivityContext context, RunTrainingEpochInput input)
    {
        if (await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch) is { } recorded)
        {
            logger.LogInformation("Run {RunId}: epoch {Epoch} already has a checkpoint, skipped", input.RunId, input.Epoch);
            return recorded;
        }
        var result = await launcher.RunEpochAsync(input.RunId, input.Epoch);
        if (result.Epoch != input.Epoch)
            throw new InvalidOperationException($"The launcher returned metrics of epoch {result.Epoch} for epoch {input.Epoch}.");
        // A child process (train-epoch) records the epoch itself; the in-process engine leaves that to this activity.
        result = await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch)
            ?? await EpochRecords.CompleteAsync(store, input.RunId, result, DateTime.UtcNow);
        logger.LogInformation("Run {RunId}: epoch {Epoch} loss {Loss:F4} in {Seconds:F1} s", input.RunId, input.Epoch, result.Loss, result.Seconds);
        return result;
    }
}
