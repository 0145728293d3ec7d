using MaskContrast.Orchestration.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration;

/// <summary>Starting, following and cancelling pipeline runs from any <see cref="DurableTaskClient"/>.</summary>
public static class PipelineClientExtensions
{
    /// <summary>
    /// Validates <paramref name="input"/> and schedules <see cref="TrainingPipelineOrchestrator"/> with the run id as the
    /// instance id, so starting the same run again after a crash finds the same run.
    /// </summary>
    /// <returns>The run id.</returns>
    /// <exception cref="ArgumentException">The input is invalid; the message lists every problem.</exception>
    public static Task<string> StartPipelineAsync(this DurableTaskClient client, PipelineInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        var problems = input.Validate();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(input));
        return client.ScheduleNewOrchestrationInstanceAsync(nameof(TrainingPipelineOrchestrator), input,
            new StartOrchestrationOptions(input.RunId), cancellationToken);
    }

    /// <summary>Asks a run to stop gracefully (see <see cref="TrainingPipelineOrchestrator"/> remarks).</summary>
    public static Task CancelPipelineAsync(this DurableTaskClient client, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.RaiseEventAsync(runId, TrainingPipelineOrchestrator.CancelEventName, null, cancellationToken);
    }

    /// <summary>The run's custom status, or null when it has none yet (or the run does not exist).</summary>
    public static async Task<PipelineStatus?> GetPipelineStatusAsync(this DurableTaskClient client, string runId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        return metadata?.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<PipelineStatus>();
    }
}
