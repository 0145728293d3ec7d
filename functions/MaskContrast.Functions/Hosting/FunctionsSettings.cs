namespace MaskContrast.Functions.Hosting;

/// <summary>The names of every setting the Functions app reads (infra/app/functions.bicep sets them in Azure).</summary>
public static class FunctionsSettings
{
    /// <summary>Host storage: the Durable task hub, and the <c>segment-input</c>/<c>segment-output</c> containers.</summary>
    public const string HostStorage = "AzureWebJobsStorage";

    /// <summary>Blob endpoint of the artifact store, reached with DefaultAzureCredential (AZURE_CLIENT_ID picks the identity).</summary>
    public const string StorageUrl = "MASKCONTRAST_STORAGE_URL";

    /// <summary>The artifact store as a storage connection (connection string or <c>__blobServiceUri</c> form); local use.</summary>
    public const string Storage = "MASKCONTRAST_STORAGE";

    /// <summary>Client id of the app's user-assigned identity, read by DefaultAzureCredential.</summary>
    public const string ClientId = "AZURE_CLIENT_ID";

    /// <summary>The container the blob trigger watches.</summary>
    public const string SegmentInputContainer = "segment-input";

    /// <summary>The container the blob trigger writes to.</summary>
    public const string SegmentOutputContainer = "segment-output";

    /// <summary>Job mode: the Container Apps job that trains one epoch (with <c>TRAINING_JOB_CONTAINER_NAME</c>).</summary>
    public const string TrainingJobResourceId = MaskContrast.Orchestration.Launchers.ContainerAppsJobLauncherOptions.JobResourceIdSetting;

    /// <summary>Job mode: the job template's container whose environment each execution overrides.</summary>
    public const string TrainingJobContainerName = MaskContrast.Orchestration.Launchers.ContainerAppsJobLauncherOptions.ContainerNameSetting;
}
