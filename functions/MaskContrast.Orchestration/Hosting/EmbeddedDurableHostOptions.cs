using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Hosting;

/// <summary>Options of <see cref="EmbeddedDurableHost"/>.</summary>
public sealed record EmbeddedDurableHostOptions
{
    /// <summary>
    /// Azure Storage connection string of the durable backend (Azurite locally). Null (the default) selects the
    /// in-memory backend, which is fast but forgets every orchestration when the process ends.
    /// </summary>
    public string? AzureStorageConnectionString { get; init; }

    /// <summary>Task hub name (Azure Storage: 3–45 letters and digits, starting with a letter). Use another hub than the Functions app.</summary>
    public string TaskHubName { get; init; } = "maskcontrastlocal";

    /// <summary>Loopback port of the gRPC sidecar; null picks a free one.</summary>
    public int? Port { get; init; }

    /// <summary>What the host runs; the pipeline by default.</summary>
    public Action<DurableTaskRegistry> Register { get; init; } = PipelineTasks.Register;

    /// <summary>Registers what the activities need (e.g. <see cref="PipelineTasks.AddPipelineServices"/>).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Where the host, sidecar and backend log; by default warnings and errors are dropped.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Azure Storage backend: how long a running activity's queue message stays hidden before another worker may take
    /// it. The host renews it every third of this while the activity runs, so this bounds how soon an activity
    /// interrupted by a crash runs again, not how long an epoch may take.
    /// </summary>
    public TimeSpan ActivityLockTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long stopping may take; the sidecar otherwise waits ~30 s on its open work-item stream.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Applies <see cref="SubOrchestrationEventFix"/> to the Azure Storage backend. Only tests turn it off, to show why it exists.</summary>
    internal bool ApplySubOrchestrationFix { get; init; } = true;
}
