using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Azure.Core;
using Azure.Identity;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration;

/// <summary>
/// The one place that registers every orchestrator and activity, and the services the activities need. Every host
/// (the embedded host, the in-memory test host, a standalone worker) calls <see cref="Register"/>; the Functions app
/// wraps the same classes under the same <c>nameof</c> names.
/// </summary>
public static class PipelineTasks
{
    /// <summary>Adds the orchestrators and activities to <paramref name="registry"/>.</summary>
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<TrainingPipelineOrchestrator>();
        registry.AddActivity<ListDatasetImages>();
        registry.AddActivity<CheckProposals>();
        registry.AddActivity<GenerateProposalShard>();
        registry.AddActivity<FindCompletedEpochs>();
        registry.AddActivity<RunTrainingEpoch>();
        registry.AddActivity<StartEpochJob>();
        registry.AddActivity<GetEpochJobStatus>();
        registry.AddActivity<StopEpochJob>();
        registry.AddActivity<CountEpochJobAttempts>();
        registry.AddActivity<EvaluateRun>();
        registry.AddActivity<PublishModel>();
    }

    /// <summary>
    /// Registers what the activities resolve: the artifact store, the engine and the epoch launcher (in-process unless
    /// an <see cref="IEpochLauncher"/> was registered before).
    /// </summary>
    public static IServiceCollection AddPipelineServices(this IServiceCollection services, IArtifactStore store, IPipelineEngine engine)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(store ?? throw new ArgumentNullException(nameof(store)));
        services.AddSingleton(engine ?? throw new ArgumentNullException(nameof(engine)));
        services.TryAddSingleton<IEpochLauncher, InProcessEpochLauncher>();
        return services;
    }

    /// <summary>
    /// Makes epochs run as <c>maskcontrast train-epoch</c> child processes. Call before <see cref="AddPipelineServices"/>,
    /// which keeps an epoch launcher registered earlier.
    /// </summary>
    public static IServiceCollection AddChildProcessEpochLauncher(this IServiceCollection services, ChildProcessEpochLauncherOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<IEpochLauncher, ChildProcessEpochLauncher>();
        return services;
    }

    /// <summary>
    /// Registers the Container Apps job launcher (<see cref="IEpochJobLauncher"/>) that runs used with
    /// <see cref="PipelineInput.EpochJob"/> set. Without <paramref name="credential"/>, ARM tokens come from
    /// <see cref="DefaultAzureCredential"/> with the managed identity of <see cref="ContainerAppsJobLauncherOptions.ManagedIdentityClientId"/>.
    /// </summary>
    /// <example>In the Functions app's Program.cs:
    /// <code>
    /// if (ContainerAppsJobLauncherOptions.FromSettings(name => builder.Configuration[name]) is { } job)
    ///     builder.Services.AddContainerAppsJobLauncher(job);
    /// </code>
    /// and where runs are started: <c>input with { EpochJob = EpochJobOptions.FromSettings(...) }</c> when a job is configured.</example>
    public static IServiceCollection AddContainerAppsJobLauncher(this IServiceCollection services, ContainerAppsJobLauncherOptions options,
        TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid Container Apps job launcher options: " + string.Join(" ", problems), nameof(options));
        credential ??= new DefaultAzureCredential(options.ManagedIdentityClientId is null
            ? new DefaultAzureCredentialOptions()
            : new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId });
        services.AddSingleton(options);
        // One HttpClient for the app's lifetime; recycled connections pick up DNS changes of the ARM endpoint.
        services.AddSingleton(provider => new ContainerAppsJobClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            credential, options.Client, provider.GetService<ILogger<ContainerAppsJobClient>>()));
        services.AddSingleton<IEpochJobLauncher, ContainerAppsJobLauncher>();
        return services;
    }
}
