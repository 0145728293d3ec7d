using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>Trains the epoch in this process by calling <see cref="IPipelineEngine.TrainEpochAsync"/> (local CPU or GPU).</summary>
public sealed class InProcessEpochLauncher(IPipelineEngine engine) : IEpochLauncher
{
    /// <inheritdoc/>
    public Task<EpochResult> RunEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default)
        => engine.TrainEpochAsync(runId, epoch, cancellationToken);
}
