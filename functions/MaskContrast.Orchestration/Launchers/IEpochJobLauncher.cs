namespace MaskContrast.Orchestration.Launchers;

/// <summary>
/// Runs epochs as executions of a remote job (an Azure Container Apps job in Azure): start one, ask how it is doing,
/// stop it.
/// Unlike <see cref="IEpochLauncher"/> it never waits for the epoch; the orchestration does, with an event and durable
/// timers, so no activity stays open for the hours an epoch takes (see <c>StartEpochJob</c> and <c>GetEpochJobStatus</c>).
/// </summary>
/// <remarks>Throw <see cref="Engine.NonRetryablePipelineException"/> when retrying cannot help (no permission, no such job).</remarks>
public interface IEpochJobLauncher
{
    /// <summary>Starts an execution that trains <paramref name="epoch"/> of <paramref name="runId"/> as attempt
    /// <paramref name="attempt"/> (which names its failure record); returns the execution name.</summary>
    Task<string> StartEpochAsync(string runId, int epoch, int attempt, CancellationToken cancellationToken = default);

    /// <summary>The status of execution <paramref name="executionName"/>.</summary>
    Task<JobExecutionStatus> GetStatusAsync(string executionName, CancellationToken cancellationToken = default);

    /// <summary>Stops execution <paramref name="executionName"/>; an execution that has already ended is left as it is.</summary>
    Task StopAsync(string executionName, CancellationToken cancellationToken = default);
}
