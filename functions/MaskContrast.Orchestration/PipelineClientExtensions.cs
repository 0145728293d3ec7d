using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
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

    /// <summary>
    /// Tells run <paramref name="runId"/> that epoch <paramref name="epoch"/>'s checkpoint and record landed: raises
    /// <c>EpochCompleted-{epoch}</c> (<see cref="TrainingPipelineOrchestrator.EpochCompletedEventName"/>). Only a wake-up
    /// for a run in job mode, which then reads the record from the store; an event nobody waits for is harmless.
    /// </summary>
    public static Task RaiseEpochCompletedAsync(this DurableTaskClient client, string runId, int epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        NameValidator.ValidateRunId(runId);
        return client.RaiseEventAsync(runId, TrainingPipelineOrchestrator.EpochCompletedEventName(epoch),
            new EpochCompletedEvent(runId, epoch), cancellationToken);
    }

    /// <summary>
    /// For a blob-created trigger on the artifact store: when <paramref name="artifactPath"/> (the blob name) is an epoch
    /// record, <c>runs/{id}/checkpoints/epoch-NNNN.json</c> (written after the checkpoint), and run {id} is running,
    /// raises its <c>EpochCompleted-{epoch}</c> event.
    /// </summary>
    /// <returns>Whether an event was raised.</returns>
    public static async Task<bool> RaiseEpochCompletedForArtifactAsync(this DurableTaskClient client, string artifactPath,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (RunLayout.ParseRunEpochRecord(artifactPath) is not var (runId, epoch))
            return false;
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null || instance.IsCompleted)
            return false;
        await client.RaiseEpochCompletedAsync(runId, epoch, cancellationToken);
        return true;
    }
}
