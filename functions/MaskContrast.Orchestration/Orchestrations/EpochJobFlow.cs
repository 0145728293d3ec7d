using System.Globalization;
using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>Payload of the <c>EpochCompleted-{epoch}</c> event. The orchestration only uses it as a wake-up: the epoch's
/// metrics are always read from the store.</summary>
public sealed record EpochCompletedEvent(string RunId, int Epoch);

/// <summary>
/// One epoch as a job execution, inside <see cref="TrainingPipelineOrchestrator"/> (so the event goes to the run's own
/// instance id): <see cref="StartEpochJob"/> → wait for <c>EpochCompleted-{epoch}</c> or a durable timer → on a timeout,
/// <see cref="GetEpochJobStatus"/> every poll interval until the store has the epoch's record or the execution ends →
/// a failed or timed-out execution is started again (it resumes from the last checkpoint), at most
/// <see cref="EpochJobOptions.MaxAttempts"/> times. A timed-out execution is stopped before the next one starts, so two
/// executions never train the same epoch at once. A failure the trainer recorded as bad input ends the run at once.
/// </summary>
/// <remarks>
/// <para>Cancel: the cancel event ends every wait at once; the running execution is stopped
/// (<see cref="StopEpochJob"/>) and no attempt or poll starts afterwards.</para>
/// <para>Deterministic: every decision comes from activity results, timers, events and <c>CurrentUtcDateTime</c>.</para>
/// <para>One event waiter serves every attempt of the epoch and is cancelled only when the epoch ends. A cancelled
/// waiter is still first in line for the next event of its name (durabletask-dotnet completes waiters in FIFO order),
/// so cancelling it at each timeout and making a new one would lose an event that arrives later. The timer, which
/// would keep the orchestration running, is always cancelled when something else wins.</para>
/// </remarks>
internal static class EpochJobFlow
{
    /// <exception cref="PipelineRun.CancelledException">The run was cancelled (the running execution was stopped).</exception>
    public static async Task<EpochResult> RunEpochAsync(PipelineRun run, int epoch, EpochJobOptions job)
    {
        var context = run.Context;
        var runId = run.Input.RunId;
        var failures = new List<string>();
        using var eventCts = new CancellationTokenSource();
        var completed = context.WaitForExternalEvent<EpochCompletedEvent?>(TrainingPipelineOrchestrator.EpochCompletedEventName(epoch), eventCts.Token);
        try
        {
            // Attempt numbers name the execution and failure records; a run started again continues after the old ones.
            var before = await run.CallAsync<int>(nameof(CountEpochJobAttempts), new CountEpochJobAttemptsInput(runId, epoch));
            if (before + job.MaxAttempts > RunLayout.MaxJobAttempt)
                throw new EpochJobFailedException(
                    $"Epoch {epoch} of run {runId} already used {before} training job executions; {job.MaxAttempts} more would pass the "
                    + $"limit of {RunLayout.MaxJobAttempt}. Start a new run (another run id) after fixing the cause.");
            for (var attempt = before + 1; attempt <= before + job.MaxAttempts; attempt++)
            {
                if (run.CancelRequested)
                    throw new PipelineRun.CancelledException();
                var started = await run.CallAsync<EpochJobStarted>(nameof(StartEpochJob), new StartEpochJobInput(runId, epoch, attempt));
                if (started.Completed is { } done)
                    return done;
                var execution = started.ExecutionName
                    ?? throw new InvalidOperationException($"{nameof(StartEpochJob)} returned neither an execution nor a record for epoch {epoch}.");
                var (result, failure) = await WatchAsync(run, epoch, attempt, execution, completed, job);
                if (result is not null)
                    return result;
                failures.Add(failure!);
                run.Logger.LogWarning("Run {RunId}: epoch {Epoch} {Failure}", runId, epoch, failures[^1]);
            }
        }
        finally
        {
            eventCts.Cancel();
        }
        throw new EpochJobFailedException(
            $"Epoch {epoch} of run {runId} failed in all {job.MaxAttempts} training job executions ({string.Join("; ", failures)}). "
            + "Read the executions' console logs (az containerapp job logs show, or the ContainerAppConsoleLogs table), fix the cause, "
            + "and start the run again with the same run id: it resumes after the last checkpoint.");
    }

    // Waits for one execution: its epoch's record (the result), or why it failed. A cancel stops it and is rethrown.
    private static async Task<(EpochResult? Result, string? Failure)> WatchAsync(PipelineRun run, int epoch, int attempt,
        string execution, Task completed, EpochJobOptions job)
    {
        var context = run.Context;
        var runId = run.Input.RunId;
        var deadline = context.CurrentUtcDateTime.AddSeconds(job.AttemptTimeoutSeconds);
        var wait = TimeSpan.FromSeconds(job.EventTimeoutSeconds);
        try
        {
            while (true)
            {
                await EventOrTimerAsync(context, completed, run.CancelEvent, wait);
                if (run.CancelRequested)
                    throw new PipelineRun.CancelledException();
                var status = await run.CallAsync<EpochJobStatus>(nameof(GetEpochJobStatus),
                    new GetEpochJobStatusInput(runId, epoch, attempt, execution));
                if (status.Result is { } result)
                    return (result, null);
                if (status.Status.IsTerminal())
                    return (null, $"attempt {attempt}: execution {execution} " + (status.Failure
                        ?? (status.Status == JobExecutionStatus.Succeeded ? "Succeeded but wrote no epoch record" : $"ended {status.Status}")));
                if (context.CurrentUtcDateTime >= deadline)
                {
                    await StopAsync(run, new StopEpochJobInput(runId, epoch, execution, "it ran past the attempt timeout"));
                    return (null, $"attempt {attempt}: execution {execution} still {status.Status} after "
                        + $"{job.AttemptTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (stopped)");
                }
                wait = TimeSpan.FromSeconds(job.PollIntervalSeconds);
            }
        }
        catch (PipelineRun.CancelledException)
        {
            await StopAsync(run, new StopEpochJobInput(runId, epoch, execution, "the run was cancelled"));
            throw;
        }
    }

    // Stops an execution, once: the ARM client already retries transient answers, and a retry loop here would run after
    // a cancel. A stop that fails is logged; the execution then ends at the job's replica timeout.
    private static async Task StopAsync(PipelineRun run, StopEpochJobInput input)
    {
        try
        {
            await run.Context.CallActivityAsync(nameof(StopEpochJob), input);
        }
        catch (TaskFailedException e)
        {
            run.Logger.LogWarning("Run {RunId}: could not stop execution {Execution} of epoch {Epoch}: {Error}",
                input.RunId, input.ExecutionName, input.Epoch, e.FailureDetails.ErrorMessage);
        }
    }

    // Waits for the event, the cancel or the timer, whichever comes first, and cancels the timer when it does not win.
    // Once the event has come (and the store still lacks the record), only the timer and the cancel end the wait.
    private static async Task EventOrTimerAsync(TaskOrchestrationContext context, Task completed, Task cancel, TimeSpan wait)
    {
        if (cancel.IsCompleted)
            return;
        using var timerCts = new CancellationTokenSource();
        var timer = context.CreateTimer(wait, timerCts.Token);
        var winner = completed.IsCompleted ? await Task.WhenAny(timer, cancel) : await Task.WhenAny(completed, timer, cancel);
        if (winner != timer)
            timerCts.Cancel();
    }
}
