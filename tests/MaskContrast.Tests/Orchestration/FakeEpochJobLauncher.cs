using System.Collections.Concurrent;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Tests.Orchestration;

/// <summary>What one fake job execution does.</summary>
internal enum FakeExecution
{
    /// <summary>Trains the epoch (engine + epoch record, like <c>maskcontrast train-epoch</c>), then raises the event
    /// as the blob trigger would; status Succeeded.</summary>
    Complete,
    /// <summary>Trains the epoch once its status has been polled twice, and nobody raises the event (the trigger is
    /// missing): status Running until the epoch is recorded, Succeeded after.</summary>
    CompleteSilently,
    /// <summary>Writes nothing; status Failed.</summary>
    Fail,
    /// <summary>Writes nothing and never ends; status Running (Stopped once stopped).</summary>
    Hang,
    /// <summary>Refuses its input like <c>train-epoch</c> exiting 2: writes an InvalidInput failure record; status Failed.</summary>
    Refuse,
}

/// <summary>
/// A scripted <see cref="IEpochJobLauncher"/>: each start creates an execution whose behaviour comes from the script
/// (by epoch and start number, default <see cref="FakeExecution.Complete"/>); the epoch is trained in the background
/// through the fake engine, as the container would, after the start activity has returned.
/// </summary>
internal sealed class FakeEpochJobLauncher(IArtifactStore store, FakePipelineEngine engine) : IEpochJobLauncher
{
    private readonly ConcurrentQueue<string> _starts = new();
    private readonly ConcurrentDictionary<string, (FakeExecution Kind, string RunId, int Epoch)> _executions = new();
    private readonly ConcurrentDictionary<string, Task> _work = new();
    private readonly ConcurrentDictionary<string, int> _polls = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly ConcurrentDictionary<int, int> _startsPerEpoch = new();
    private readonly ConcurrentQueue<string> _stops = new();

    /// <summary>Behaviour of the n-th start (1-based) of an epoch.</summary>
    public Func<int, int, FakeExecution> Script { get; set; } = (_, _) => FakeExecution.Complete;

    /// <summary>The client the executions raise their completion event with (the test host's).</summary>
    public DurableTaskClient? Client { get; set; }

    /// <summary>Starts in order, e.g. "1", "2", "2", "3".</summary>
    public IReadOnlyList<string> Starts => _starts.ToArray();

    /// <summary>Status polls per execution name.</summary>
    public IReadOnlyDictionary<string, int> Polls => _polls;

    /// <summary>Executions stopped, in order.</summary>
    public IReadOnlyList<string> Stops => _stops.ToArray();

    /// <summary>Completed at the first start (with the execution name).</summary>
    public TaskCompletionSource<string> FirstStart { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Errors of the background work (must stay empty).</summary>
    public IReadOnlyList<Exception> Errors => _errors.ToArray();

    public async Task<string> StartEpochAsync(string runId, int epoch, int attempt, CancellationToken cancellationToken = default)
    {
        var n = _startsPerEpoch.AddOrUpdate(epoch, 1, (_, c) => c + 1);
        var name = $"caj-training-e{epoch}-{n}";
        var kind = Script(epoch, n);
        _starts.Enqueue(epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _executions[name] = (kind, runId, epoch);
        if (kind == FakeExecution.Complete)
            _work[name] = Task.Run(() => TrainAsync(runId, epoch, raiseEvent: true));
        if (kind == FakeExecution.Refuse)
            await store.WriteJsonAsync(RunLayout.EpochJobFailure(runId, epoch, attempt), new EpochJobFailure(
                EpochJobFailureKind.InvalidInput, $"dataset 'toy': epoch {epoch} has no usable image", epoch, attempt, DateTime.UtcNow), cancellationToken);
        FirstStart.TrySetResult(name);
        return name;
    }

    public Task StopAsync(string executionName, CancellationToken cancellationToken = default)
    {
        _stops.Enqueue(executionName);
        return Task.CompletedTask;
    }

    public Task<JobExecutionStatus> GetStatusAsync(string executionName, CancellationToken cancellationToken = default)
    {
        var polls = _polls.AddOrUpdate(executionName, 1, (_, c) => c + 1);
        var (kind, runId, epoch) = _executions[executionName];
        if (kind == FakeExecution.CompleteSilently && polls == 2)
            _work[executionName] = Task.Run(() => TrainAsync(runId, epoch, raiseEvent: false));
        var done = _work.TryGetValue(executionName, out var work) && work.IsCompleted;
        return Task.FromResult(kind switch
        {
            _ when _stops.Contains(executionName) => JobExecutionStatus.Stopped,
            FakeExecution.Complete or FakeExecution.CompleteSilently => done ? JobExecutionStatus.Succeeded : JobExecutionStatus.Running,
            FakeExecution.Fail or FakeExecution.Refuse => JobExecutionStatus.Failed,
            _ => JobExecutionStatus.Running,
        });
    }

    private async Task TrainAsync(string runId, int epoch, bool raiseEvent)
    {
        try
        {
            // Like the container: some time after the start, train, record, and let the blob trigger raise the event.
            await Task.Delay(100);
            var result = await engine.TrainEpochAsync(runId, epoch);
            await EpochRecords.CompleteAsync(store, runId, result, DateTime.UtcNow);
            if (raiseEvent)
                await Client!.RaiseEpochCompletedForArtifactAsync(RunLayout.EpochRecord(runId, epoch));
        }
        catch (Exception e)
        {
            _errors.Enqueue(e);
        }
    }
}
