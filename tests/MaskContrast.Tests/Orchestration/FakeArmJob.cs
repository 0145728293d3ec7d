using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// A Container Apps job played by <see cref="FakeArmServer"/>: GET job → the template; POST start → a new execution
/// whose behaviour the script gives by start number: <see cref="FakeExecution.Complete"/> trains the epoch named by its
/// env overrides 0.4 s later (as the container would, through the fake engine, raising no event),
/// <see cref="FakeExecution.Fail"/> fails, <see cref="FakeExecution.Hang"/> runs until stopped; GET execution →
/// Running, then Succeeded, Failed or Stopped; POST execution/stop → Stopped.
/// </summary>
internal sealed class FakeArmJob : IAsyncDisposable
{
    private readonly IArtifactStore _store;
    private readonly FakePipelineEngine _engine;
    private readonly Func<int, FakeExecution> _script;
    private readonly ConcurrentDictionary<string, Task?> _executions = new(); // null: a failed execution
    private readonly ConcurrentQueue<string> _stops = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private int _starts;
    private int _runningPolls;

    public FakeArmJob(IArtifactStore store, FakePipelineEngine engine, Func<int, FakeExecution> script)
    {
        _store = store;
        _engine = engine;
        _script = script;
        Server = FakeArmServer.Start(Handle);
    }

    public FakeArmServer Server { get; }

    public int RunningPolls => _runningPolls;

    /// <summary>Executions stopped through ARM, in order.</summary>
    public IReadOnlyList<string> Stops => _stops.ToArray();

    /// <summary>Completed at the first start.</summary>
    public TaskCompletionSource FirstStart { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Exception> Errors => _errors.ToArray();

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private FakeArmServer.Reply Handle(FakeArmServer.Request request)
    {
        const string executions = FakeArmServer.JobId + "/executions/";
        if (request.Method == "GET" && request.Path == FakeArmServer.JobId)
            return new(200, FakeArmServer.JobJson);
        if (request.Method == "POST" && request.Path == FakeArmServer.JobId + "/start")
        {
            var n = Interlocked.Increment(ref _starts);
            var name = $"caj-training-t1-{n}";
            var env = JsonNode.Parse(request.Body)!["containers"]![0]!["env"]!.AsArray()
                .ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
            _executions[name] = _script(n) switch
            {
                FakeExecution.Fail => null,
                FakeExecution.Hang => new TaskCompletionSource().Task,
                _ => Task.Run(() => TrainAsync(env["MASKCONTRAST_RUN_ID"]!, int.Parse(env["MASKCONTRAST_EPOCH"]!, CultureInfo.InvariantCulture))),
            };
            FirstStart.TrySetResult();
            return new(200, $$"""{"name":"{{name}}","id":"{{executions}}{{name}}"}""");
        }
        if (request.Method == "POST" && request.Path.StartsWith(executions, StringComparison.Ordinal) && request.Path.EndsWith("/stop", StringComparison.Ordinal)
            && _executions.ContainsKey(request.Path[executions.Length..^"/stop".Length]))
        {
            _stops.Enqueue(request.Path[executions.Length..^"/stop".Length]);
            return new(200, "");
        }
        if (request.Method == "GET" && request.Path.StartsWith(executions, StringComparison.Ordinal)
            && _executions.TryGetValue(request.Path[executions.Length..], out var work))
        {
            var name = request.Path[executions.Length..];
            var status = work is null ? "Failed" : _stops.Contains(name) ? "Stopped" : work.IsCompleted ? "Succeeded" : "Running";
            if (status == "Running")
                Interlocked.Increment(ref _runningPolls);
            return new(200, $$$"""{"properties":{"status":"{{{status}}}"}}""");
        }
        return new(404, """{"error":{"code":"ResourceNotFound","message":"not played by the fake"}}""");
    }

    private async Task TrainAsync(string runId, int epoch)
    {
        try
        {
            await Task.Delay(400);
            var result = await _engine.TrainEpochAsync(runId, epoch);
            await EpochRecords.CompleteAsync(_store, runId, result, DateTime.UtcNow);
        }
        catch (Exception e)
        {
            _errors.Enqueue(e);
        }
    }
}
