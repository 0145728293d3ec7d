using System.Globalization;
using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
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
/// <see cref="EpochJobOptions.MaxAttempts"/> times.
/// </summary>
/// <remarks>
/// <para>Deterministic: every decision comes from activity results, timers and <c>CurrentUtcDateTime</c>.</para>
/// <para>One event waiter serves every attempt of the epoch and is cancelled only when the epoch ends. A cancelled
/// waiter is still first in line for the next event of its name (durabletask-dotnet completes waiters in FIFO order),
/// so cancelling it at each timeout and making a new one would lose an event that arrives later. The timer, which
/// would keep the orchestration running, is always cancelled when the event wins.</para>
/// </remarks>
internal static class EpochJobFlow
{
    public static async Task<EpochResult> RunEpochAsync(TaskOrchestrationContext context, string runId, int epoch,
        EpochJobOptions job, TaskOptions activityOptions)
    {
        var logger = context.CreateReplaySafeLogger(nameof(EpochJobFlow));
        var failures = new List<string>();
        using var eventCts = new CancellationTokenSource();
        var completed = context.WaitForExternalEvent<EpochCompletedEvent?>(TrainingPipelineOrchestrator.EpochCompletedEventName(epoch), eventCts.Token);
        try
        {
            for (var attempt = 1; attempt <= job.MaxAttempts; attempt++)
            {
                var started = await context.CallActivityAsync<EpochJobStarted>(nameof(StartEpochJob),
                    new StartEpochJobInput(runId, epoch, attempt), activityOptions);
                if (started.Completed is { } done)
                    return done;
                var execution = started.ExecutionName
                    ?? throw new InvalidOperationException($"{nameof(StartEpochJob)} returned neither an execution nor a record for epoch {epoch}.");
                var deadline = context.CurrentUtcDateTime.AddSeconds(job.AttemptTimeoutSeconds);
                var wait = TimeSpan.FromSeconds(job.EventTimeoutSeconds);
                while (true)
                {
                    await EventOrTimerAsync(context, completed, wait);
                    var status = await context.CallActivityAsync<EpochJobStatus>(nameof(GetEpochJobStatus),
                        new GetEpochJobStatusInput(runId, epoch, execution), activityOptions);
                    if (status.Result is { } result)
                        return result;
                    if (status.Status.IsTerminal())
                    {
                        failures.Add(status.Status == JobExecutionStatus.Succeeded
                            ? $"attempt {attempt}: execution {execution} Succeeded but wrote no epoch record"
                            : $"attempt {attempt}: execution {execution} ended {status.Status}");
                        break;
                    }
                    if (context.CurrentUtcDateTime >= deadline)
                    {
                        failures.Add($"attempt {attempt}: execution {execution} still {status.Status} after {job.AttemptTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
                        break;
                    }
                    wait = TimeSpan.FromSeconds(job.PollIntervalSeconds);
                }
                logger.LogWarning("Run {RunId}: epoch {Epoch} {Failure}", runId, epoch, failures[^1]);
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

    // Waits for the event or the timer, whichever comes first, and cancels the timer when the event wins. Once the event
    // has come (and the store still lacks the record), only the timer paces the polls.
    private static async Task EventOrTimerAsync(TaskOrchestrationContext context, Task completed, TimeSpan wait)
    {
        using var timerCts = new CancellationTokenSource();
        var timer = context.CreateTimer(wait, timerCts.Token);
        if (completed.IsCompleted)
        {
            await timer;
            return;
        }
        if (await Task.WhenAny(completed, timer) == completed)
            timerCts.Cancel();
    }
}
