using System.Collections.Concurrent;
using System.Reflection;
using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Hosting;

/// <summary>
/// Keeps the lock of every running activity work item alive on a backend whose locks expire (Azure Storage: the queue
/// message's visibility timeout). The gRPC sidecar of the InProcessTestHost package never renews activity locks, so
/// without this an epoch running longer than the visibility timeout would reappear in the queue and be run a second
/// time, concurrently. With it, the timeout can be short, and an epoch interrupted by a crash is picked up again within
/// one timeout after a new host starts.
/// </summary>
/// <remarks>This file must not import Microsoft.DurableTask: both it and DurableTask.Core define TaskActivity.</remarks>
public class ActivityLockRenewal : DispatchProxy
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    private IOrchestrationService _inner = null!;
    private TimeSpan _interval;
    private ILogger _logger = null!;
    private CancellationToken _stopping;

    /// <summary>
    /// Wraps <paramref name="inner"/> so that each locked activity work item is renewed every <paramref name="interval"/>
    /// until it is completed or abandoned, or <paramref name="stopping"/> is cancelled (the host stops).
    /// </summary>
    public static IOrchestrationService Wrap(IOrchestrationService inner, TimeSpan interval, ILogger logger, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var proxy = Create<IOrchestrationService, ActivityLockRenewal>();
        var renewal = (ActivityLockRenewal)(object)proxy;
        (renewal._inner, renewal._interval, renewal._logger, renewal._stopping) = (inner, interval, logger, stopping);
        return proxy;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IOrchestrationService.LockNextTaskActivityWorkItem):
                return StartRenewingAsync((Task<TaskActivityWorkItem>)Call(targetMethod, args)!);
            case nameof(IOrchestrationService.CompleteTaskActivityWorkItemAsync):
            case nameof(IOrchestrationService.AbandonTaskActivityWorkItemAsync):
                // Stop renewing first, so a renewal cannot race the delete of the queue message.
                if (args?[0] is TaskActivityWorkItem item && _running.TryRemove(item.Id, out var renewing))
                {
                    renewing.Cancel();
                    renewing.Dispose();
                }
                break;
        }
        return Call(targetMethod, args);
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw; // unreachable
        }
    }

    private async Task<TaskActivityWorkItem> StartRenewingAsync(Task<TaskActivityWorkItem> locking)
    {
        var item = await locking;
        if (item is not null)
        {
            var renewing = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _running[item.Id] = renewing;
            _ = RenewUntilDoneAsync(item, renewing.Token);
        }
        return item!;
    }

    private async Task RenewUntilDoneAsync(TaskActivityWorkItem item, CancellationToken done)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_interval, done);
                await _inner.RenewTaskActivityWorkItemLockAsync(item);
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // Completed, abandoned or the host is stopping.
        }
        catch (Exception e)
        {
            // The message may be gone already (completed elsewhere); the activity itself goes on.
            _logger.LogWarning(e, "Could not renew the lock of activity work item {WorkItemId}", item.Id);
        }
    }
}
