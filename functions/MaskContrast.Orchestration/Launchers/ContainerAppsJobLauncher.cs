using System.Globalization;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>
/// <see cref="IEpochJobLauncher"/> on an Azure Container Apps job: each epoch is one execution of the job
/// <c>training</c> (<c>infra/app/containerjob.bicep</c>) with <c>MASKCONTRAST_RUN_ID</c>, <c>MASKCONTRAST_EPOCH</c> and
/// <c>MASKCONTRAST_ATTEMPT</c> as environment overrides; the container runs <c>maskcontrast train-epoch</c>, which writes the checkpoint and the epoch
/// record to Blob storage.
/// </summary>
/// <remarks>ARM answers that retrying cannot fix (400, 401, 403, a missing job, a wrong container name) become
/// <see cref="NonRetryablePipelineException"/> so the run fails at once with the client's message. A 404 on an
/// execution's status stays retryable: a just-started execution can take a moment to be readable.</remarks>
public sealed class ContainerAppsJobLauncher(ContainerAppsJobClient client, ContainerAppsJobLauncherOptions options) : IEpochJobLauncher
{
    /// <inheritdoc/>
    public async Task<string> StartEpochAsync(string runId, int epoch, int attempt, CancellationToken cancellationToken = default)
    {
        NameValidator.ValidateRunId(runId);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var environment = new Dictionary<string, string>
        {
            [ContainerAppsJobLauncherOptions.RunIdVariable] = runId,
            [ContainerAppsJobLauncherOptions.EpochVariable] = epoch.ToString(CultureInfo.InvariantCulture),
            [ContainerAppsJobLauncherOptions.AttemptVariable] = attempt.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            return (await client.StartExecutionAsync(options.JobResourceId, options.ContainerName, environment, cancellationToken)).Name;
        }
        catch (ContainerAppsJobException e) when (e.IsPermanent)
        {
            throw new NonRetryablePipelineException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public async Task<JobExecutionStatus> GetStatusAsync(string executionName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await client.GetExecutionStatusAsync(options.JobResourceId, executionName, cancellationToken);
        }
        catch (ContainerAppsJobException e) when (e.IsPermanent && e.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            throw new NonRetryablePipelineException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(string executionName, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.StopExecutionAsync(options.JobResourceId, executionName, cancellationToken);
        }
        catch (ContainerAppsJobException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Gone already: nothing left to stop.
        }
        catch (ContainerAppsJobException e) when (e.IsPermanent)
        {
            throw new NonRetryablePipelineException(e.Message, e);
        }
    }
}
