using System.Net;
using System.Text.RegularExpressions;
using DurableTask.AzureStorage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using CoreOrchestrationService = DurableTask.Core.IOrchestrationService;
using CoreOrchestrationServiceClient = DurableTask.Core.IOrchestrationServiceClient;

namespace MaskContrast.Orchestration.Hosting;

/// <summary>
/// Runs the Durable orchestrations inside this process, without Azure Functions Core Tools: a loopback gRPC sidecar
/// (<see cref="TaskHubGrpcServer"/> from the InProcessTestHost package) in front of a DurableTask.Core backend, plus the
/// same gRPC worker and <see cref="DurableTaskClient"/> the Functions isolated worker uses. The backend is in-memory by
/// default, or Azure Storage (Azurite locally) when a connection string is given, which survives a crash of the process.
/// </summary>
/// <remarks>
/// The sidecar lives in a Testing namespace of a preview package: it is pinned, and the Azure Storage path carries
/// <see cref="SubOrchestrationEventFix"/>. Entities are not supported by the sidecar.
/// </remarks>
public sealed partial class EmbeddedDurableHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;

    private EmbeddedDurableHost(WebApplication app, CancellationTokenSource stopping, string backend, int port)
    {
        _app = app;
        _stopping = stopping;
        Backend = backend;
        Port = port;
    }

    /// <summary>A client for starting, querying, cancelling and terminating orchestrations.</summary>
    public DurableTaskClient Client => _app.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>The host's services (the ones activities resolve).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>"in-memory" or "Azure Storage (task hub NAME)", for logs and the CLI.</summary>
    public string Backend { get; }

    /// <summary>The loopback port of the sidecar.</summary>
    public int Port { get; }

    /// <summary>Creates the backend (and its task hub), starts the sidecar, the worker and the client.</summary>
    /// <exception cref="ArgumentException">The task hub name is invalid.</exception>
    public static async Task<EmbeddedDurableHost> StartAsync(EmbeddedDurableHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TaskHubPattern().IsMatch(options.TaskHubName))
            throw new ArgumentException(
                $"taskHubName ('{options.TaskHubName}') must be 3-45 letters and digits starting with a letter, e.g. 'maskcontrastlocal'.",
                nameof(options));
        if (options.ActivityLockTimeout < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ActivityLockTimeout, "activityLockTimeout must be at least 1 second.");
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var port = options.Port ?? LoopbackPort.Free();
        var address = $"http://127.0.0.1:{port}";
        var stopping = new CancellationTokenSource();
        try
        {
            var (service, client, backend) = await CreateBackendAsync(options, loggerFactory, stopping.Token);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(service);
            builder.Services.AddSingleton(client);
            builder.Services.AddSingleton<TaskHubGrpcServer>();
            builder.Services.AddDurableTaskWorker(w => { w.UseGrpc(address); w.AddTasks(options.Register); });
            builder.Services.AddDurableTaskClient(c => c.UseGrpc(address));
            options.ConfigureServices?.Invoke(builder.Services);

            var app = builder.Build();
            app.MapGrpcService<TaskHubGrpcServer>();
            await app.StartAsync(cancellationToken);
            loggerFactory.CreateLogger<EmbeddedDurableHost>().LogInformation(
                "Embedded durable host on {Address} with the {Backend} backend", address, backend);
            return new EmbeddedDurableHost(app, stopping, backend, port);
        }
        catch
        {
            stopping.Cancel();
            stopping.Dispose();
            throw;
        }
    }

    private static async Task<(CoreOrchestrationService Service, CoreOrchestrationServiceClient Client, string Backend)> CreateBackendAsync(
        EmbeddedDurableHostOptions options, ILoggerFactory loggerFactory, CancellationToken stopping)
    {
        if (options.AzureStorageConnectionString is not { Length: > 0 } connection)
        {
            var memory = new InMemoryOrchestrationService(loggerFactory);
            return (memory, memory, "in-memory");
        }
        var storage = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(connection),
            // One partition: one machine runs every orchestration; a short polling interval keeps local runs snappy.
            PartitionCount = 1,
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
            WorkItemQueueVisibilityTimeout = options.ActivityLockTimeout,
            LoggerFactory = loggerFactory,
        });
        // The sidecar never creates the task hub itself (its CreateTaskHub RPC does not await).
        await storage.CreateIfNotExistsAsync();
        var service = ActivityLockRenewal.Wrap(storage, options.ActivityLockTimeout / 3, loggerFactory.CreateLogger<ActivityLockRenewal>(), stopping);
        if (options.ApplySubOrchestrationFix)
            service = SubOrchestrationEventFix.Wrap(service);
        // The undecorated service as the client: queries and purges need no fix.
        return (service, storage, $"Azure Storage (task hub {options.TaskHubName})");
    }

    /// <summary>Stops the worker, the sidecar and the backend.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stopping.CancelAsync();
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            _stopping.Dispose();
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,44}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TaskHubPattern();
}
