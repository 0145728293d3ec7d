using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration.Runs;

/// <summary>How a start request ended.</summary>
public enum RunStart
{
    /// <summary>A new run was scheduled.</summary>
    Started,
    /// <summary>The run id existed with the same settings and was not running: it was scheduled again and resumes from its last checkpoint.</summary>
    Resumed,
    /// <summary>The run is already running or pending; nothing was scheduled.</summary>
    AlreadyRunning,
}

/// <summary>
/// Starts (or resumes) a training run the same way from the CLI and the HTTP API: validates the settings, checks the
/// dataset exists, records <c>runs/{id}/config.json</c>, and schedules the pipeline with the run id as instance id.
/// </summary>
public static class RunStarter
{
    /// <exception cref="ArgumentException">Invalid settings or run id, or the run id exists with different settings.</exception>
    /// <exception cref="FileNotFoundException">The dataset has no files in the store.</exception>
    /// <remarks><c>epochJob</c> is set by a host that runs epochs as Container Apps job executions (<see cref="PipelineInput.EpochJob"/>).</remarks>
    public static async Task<RunStart> StartAsync(DurableTaskClient client, IArtifactStore store, string runId, RunSettings settings,
        int shardSize = 64, CancellationToken cancellationToken = default, EpochJobOptions? epochJob = null)
    {
        NameValidator.ValidateRunId(runId);
        settings.Validate();
        if ((await store.ListAsync(RunLayout.Dataset(settings.Dataset), cancellationToken)).Count == 0)
            throw new FileNotFoundException($"dataset '{settings.Dataset}' has no files under {RunLayout.Dataset(settings.Dataset)} in {store.Description}; upload it first");
        var existing = await store.ReadJsonAsync<RunSettings>(RunLayout.Config(runId), cancellationToken);
        if (existing is not null && !SameSettings(existing, settings))
            throw new ArgumentException($"run '{runId}' already exists with different settings (dataset {existing.Dataset}, preset {existing.Preset}, " +
                $"epochs {existing.Epochs}, overrides [{string.Join(", ", existing.Overrides)}]); choose another run id or repeat the original settings");
        var instance = await client.GetInstanceAsync(runId, cancellationToken);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
            return RunStart.AlreadyRunning;
        await store.WriteJsonAsync(RunLayout.Config(runId), settings, cancellationToken);
        await client.StartPipelineAsync(new PipelineInput(runId, settings.Dataset, settings.Epochs, shardSize) { EpochJob = epochJob }, cancellationToken);
        return existing is null ? RunStart.Started : RunStart.Resumed;
    }

    static bool SameSettings(RunSettings a, RunSettings b) =>
        a with { Overrides = [] } == b with { Overrides = [] } && a.Overrides.SequenceEqual(b.Overrides);
}
