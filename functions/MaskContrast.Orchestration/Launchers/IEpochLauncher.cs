using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>
/// Runs one training epoch somewhere: in this process, in a child process, or (later) in a GPU container job.
/// The epoch reads the previous checkpoint and writes its own through the artifact store; the launcher only starts
/// it, waits, and returns its metrics.
/// </summary>
/// <remarks>
/// Throw <see cref="NonRetryablePipelineException"/> when the epoch cannot succeed on a retry (bad input); any other
/// exception is retried by the orchestrator's retry policy.
/// </remarks>
public interface IEpochLauncher
{
    /// <summary>Trains epoch <paramref name="epoch"/> of run <paramref name="runId"/> and returns its metrics.</summary>
    Task<EpochResult> RunEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default);
}
