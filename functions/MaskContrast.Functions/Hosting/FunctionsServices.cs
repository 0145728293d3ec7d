using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Hosting;

/// <summary>The services of the Functions app, every Azure client built from configuration (see <see cref="FunctionsSettings"/>).</summary>
public static class FunctionsServices
{
    /// <summary>
    /// Registers what the activities resolve (as <c>PipelineTasks.AddPipelineServices</c> does, but with the engine created by
    /// DI so that it logs through the host: the store, <see cref="CorePipelineEngine"/>, and the in-process epoch launcher
    /// unless another <see cref="IEpochLauncher"/> was registered first), the API helpers, the segmenter and the
    /// <c>segment-output</c> container.
    /// </summary>
    public static IServiceCollection AddMaskContrastFunctions(this IServiceCollection services, IArtifactStore store, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton<IPipelineEngine>(provider => new CorePipelineEngine(store, cacheFolder: null, provider.GetService<ILogger<CorePipelineEngine>>()));
        services.TryAddSingleton<IEpochLauncher, InProcessEpochLauncher>();
        // Job mode when TRAINING_JOB_RESOURCE_ID is set (infra does): each epoch runs as a Container Apps job execution.
        EpochJobOptions? epochJob = null;
        if (ContainerAppsJobLauncherOptions.FromSettings(name => configuration[name]) is { } job)
        {
            services.AddContainerAppsJobLauncher(job);
            epochJob = EpochJobOptions.FromSettings(name => configuration[name]);
        }
        services.AddSingleton(new StartRunHandler(store, epochJob, RunLimits.FromSettings(name => configuration[name])));
        services.AddSingleton(CallerAccess.FromSetting(configuration[CallerAccess.Setting]));
        services.AddSingleton(RunHistory.FromSettings(name => configuration[name]));
        services.AddSingleton<ActiveModelStore>();
        services.AddSingleton<ClusterNaming>();
        services.AddSingleton<ActiveSegmenter>();
        services.AddSingleton<BlobSegmentationProcessor>();
        services.AddSingleton(_ => new SegmentOutput(StorageClients.BlobService(configuration, FunctionsSettings.HostStorage)
            .GetBlobContainerClient(FunctionsSettings.SegmentOutputContainer)));
        return services;
    }

    /// <summary>
    /// The artifact store: <c>MASKCONTRAST_STORAGE_URL</c> (Azure: managed identity through DefaultAzureCredential and
    /// <c>AZURE_CLIENT_ID</c>), else the <c>MASKCONTRAST_STORAGE</c> connection (a connection string, or the
    /// <c>__blobServiceUri</c>/<c>__credential</c>/<c>__clientId</c> form), else <c>AzureWebJobsStorage</c>; always container
    /// <see cref="ArtifactStoreLocator.DefaultContainer"/>, the one the trainer job and the CLI use and the epoch-record
    /// trigger watches.
    /// </summary>
    public static IArtifactStore OpenArtifactStore(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string container = ArtifactStoreLocator.DefaultContainer;
        if (configuration[FunctionsSettings.StorageUrl] is { Length: > 0 } url)
            return BlobArtifactStore.FromAccountUrl(new Uri(url), container,
                StorageClients.Credential(credential: null, clientId: configuration[FunctionsSettings.ClientId]));
        var connection = StorageClients.IsConfigured(configuration, FunctionsSettings.Storage) ? FunctionsSettings.Storage : FunctionsSettings.HostStorage;
        return new BlobArtifactStore(StorageClients.BlobService(configuration, connection).GetBlobContainerClient(container));
    }
}
