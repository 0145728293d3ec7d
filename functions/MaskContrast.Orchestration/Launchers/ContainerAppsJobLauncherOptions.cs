namespace MaskContrast.Orchestration.Launchers;

/// <summary>Which Container Apps job <see cref="ContainerAppsJobLauncher"/> starts, read from the app settings that
/// <c>infra/app/functions.bicep</c> sets.</summary>
/// <param name="JobResourceId">ARM id of the job: <c>TRAINING_JOB_RESOURCE_ID</c>.</param>
/// <param name="ContainerName">The job template's container whose env is overridden: <c>TRAINING_JOB_CONTAINER_NAME</c>.</param>
/// <param name="ManagedIdentityClientId">Client id of the user-assigned identity to get ARM tokens with: <c>AZURE_CLIENT_ID</c>
/// (null: the credential's default, e.g. a developer's <c>az login</c>).</param>
public sealed record ContainerAppsJobLauncherOptions(string JobResourceId, string ContainerName, string? ManagedIdentityClientId = null)
{
    /// <summary>App setting with the job's ARM id.</summary>
    public const string JobResourceIdSetting = "TRAINING_JOB_RESOURCE_ID";

    /// <summary>App setting with the template container's name.</summary>
    public const string ContainerNameSetting = "TRAINING_JOB_CONTAINER_NAME";

    /// <summary>App setting with the managed identity's client id (also read by <c>DefaultAzureCredential</c>).</summary>
    public const string ClientIdSetting = "AZURE_CLIENT_ID";

    /// <summary>Environment variable of the trainer container with the run id (<c>cli/Dockerfile</c>).</summary>
    public const string RunIdVariable = "MASKCONTRAST_RUN_ID";

    /// <summary>Environment variable of the trainer container with the epoch (<c>cli/Dockerfile</c>).</summary>
    public const string EpochVariable = "MASKCONTRAST_EPOCH";

    /// <summary>Environment variable that tells the trainer its attempt number, which names its failure record.</summary>
    public const string AttemptVariable = "MASKCONTRAST_ATTEMPT";

    /// <summary>How the client reaches ARM (endpoint, API version, retries).</summary>
    public ContainerAppsJobClientOptions Client { get; init; } = new();

    /// <summary>
    /// The options from app settings, or null when <c>TRAINING_JOB_RESOURCE_ID</c> is not set (no job: the host keeps the
    /// in-process or child-process launcher).
    /// </summary>
    /// <exception cref="ArgumentException">The job id is set but malformed, or the container name is missing.</exception>
    public static ContainerAppsJobLauncherOptions? FromSettings(Func<string, string?> getSetting)
    {
        ArgumentNullException.ThrowIfNull(getSetting);
        var jobId = getSetting(JobResourceIdSetting);
        if (string.IsNullOrWhiteSpace(jobId))
            return null;
        var options = new ContainerAppsJobLauncherOptions(jobId.Trim(), getSetting(ContainerNameSetting)?.Trim() ?? "",
            string.IsNullOrWhiteSpace(getSetting(ClientIdSetting)) ? null : getSetting(ClientIdSetting)!.Trim());
        var problems = options.Validate();
        return problems.Count == 0 ? options : throw new ArgumentException(string.Join(" ", problems), nameof(getSetting));
    }

    /// <summary>Every problem, each naming the app setting and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(JobResourceId) || !ContainerAppsJobClient.IsJobResourceId(JobResourceId))
            problems.Add($"{JobResourceIdSetting} ('{JobResourceId}') must be a job's ARM id, "
                + "/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.App/jobs/{name} (output TRAINING_JOB_RESOURCE_ID of infra/main.bicep).");
        if (string.IsNullOrWhiteSpace(ContainerName))
            problems.Add($"{ContainerNameSetting} must name the job template's container (infra/app/containerjob.bicep output containerName).");
        problems.AddRange((Client ?? new()).Validate());
        return problems;
    }
}
