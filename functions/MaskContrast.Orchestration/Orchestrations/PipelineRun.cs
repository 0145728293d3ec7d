using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>
/// The state of one <see cref="TrainingPipelineOrchestrator"/> execution: its input, the result so far, the status it
/// reports, and the one cancellation path. Every step runs through <see cref="StepAsync{T}(Func{Task{T}})"/>, which races
/// it against the cancel event and throws <see cref="CancelledException"/> when the run is to stop; inside a step, no
/// activity retry (<see cref="CallAsync{T}"/>) and no job attempt or poll (<see cref="EpochJobFlow"/>) starts after the cancel.
/// </summary>
internal sealed class PipelineRun
{
    private readonly Task _cancel;
    private PipelineStatus _status;

    public PipelineRun(TaskOrchestrationContext context, PipelineInput input)
    {
        Context = context;
        Input = input;
        Retry = input.Retry ?? new();
        Logger = context.CreateReplaySafeLogger<TrainingPipelineOrchestrator>();
        // One waiter for the whole run; every step races against it.
        _cancel = context.WaitForExternalEvent<object?>(TrainingPipelineOrchestrator.CancelEventName);
        _status = new PipelineStatus(PipelinePhase.ListingImages, 0, input.Epochs, null, null);
        Result = new PipelineResult(input.RunId, PipelineOutcome.Cancelled);
    }

    public TaskOrchestrationContext Context { get; }
    public PipelineInput Input { get; }
    /// <summary>The retry policy every activity is called with.</summary>
    public PipelineRetryOptions Retry { get; }
    public ILogger Logger { get; }
    /// <summary>What the run has done so far; returned as it stands when the run is cancelled.</summary>
    public PipelineResult Result { get; set; }

    /// <summary>Thrown by <see cref="StepAsync{T}(Func{Task{T}})"/> when cancellation was requested.</summary>
    public sealed class CancelledException : Exception;

    /// <summary>Thrown before an epoch when the run's GPU budget is used; the message says by how much.</summary>
    public sealed class BudgetSpentException(string reason) : Exception(reason);

    /// <summary>Whether the cancel event has arrived.</summary>
    public bool CancelRequested => _cancel.IsCompleted;

    /// <summary>Completes when the cancel event arrives.</summary>
    public Task CancelEvent => _cancel;

    /// <summary>
    /// Calls an activity with the run's retry policy. The retries are driven here, not by Durable's retry policy, so that
    /// a cancel that arrives during an attempt or the backoff stops them: no attempt starts after it.
    /// </summary>
    /// <exception cref="CancelledException">An attempt failed and the run was cancelled, before or during the backoff.</exception>
    public async Task<T> CallAsync<T>(string activity, object input)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Context.CallActivityAsync<T>(activity, input);
            }
            catch (TaskFailedException e) when (attempt < Retry.MaxAttempts && !PipelineRetryOptions.IsPermanent(e.FailureDetails))
            {
                Logger.LogWarning("Run {RunId}: {Activity} attempt {Attempt}/{MaxAttempts} failed: {Error}",
                    Input.RunId, activity, attempt, Retry.MaxAttempts, e.FailureDetails.ErrorMessage);
                if (!await DelayUnlessCancelledAsync(Retry.DelayBefore(attempt)))
                    throw new CancelledException();
            }
        }
    }

    /// <summary>Waits <paramref name="delay"/> on a durable timer; false (and the timer cancelled) when the run is cancelled first.</summary>
    public async Task<bool> DelayUnlessCancelledAsync(TimeSpan delay)
    {
        if (CancelRequested)
            return false;
        using var timerCts = new CancellationTokenSource();
        var timer = Context.CreateTimer(delay, timerCts.Token);
        if (await Task.WhenAny(timer, _cancel) == timer)
            return true;
        // An outstanding timer would keep the orchestration from completing.
        timerCts.Cancel();
        return false;
    }

    /// <summary>Reports the status of a phase: before training epoch 0 and no loss; after it, the last epoch and its loss.</summary>
    public void Report(string phase)
    {
        var trained = phase is PipelinePhase.Evaluating or PipelinePhase.Publishing or PipelinePhase.Completed;
        Report(phase, trained ? Input.Epochs : 0, trained ? Result.FinalLoss : null, trained ? 0 : null);
    }

    /// <summary>Reports the status (what <c>GET /api/runs/{id}</c> and <c>maskcontrast status</c> show).</summary>
    public void Report(string phase, int epoch, double? loss, double? etaSeconds)
        => Context.SetCustomStatus(_status = new PipelineStatus(phase, epoch, Input.Epochs, loss, etaSeconds));

    /// <summary>Reports <paramref name="phase"/>, then runs the step like <see cref="StepAsync{T}(Func{Task{T}})"/>.</summary>
    public Task<T> StepAsync<T>(string phase, Func<Task<T>> start)
    {
        Report(phase);
        return StepAsync(start);
    }

    /// <summary>
    /// Runs the step unless cancellation was requested. When the cancel event arrives while it runs, the status turns
    /// Cancelling at once and the step is still awaited (an orchestration cannot complete with a task outstanding); its
    /// failure then no longer matters. A failed step otherwise rethrows its exception.
    /// </summary>
    /// <exception cref="CancelledException">Cancellation was requested.</exception>
    public async Task<T> StepAsync<T>(Func<Task<T>> start)
    {
        if (_cancel.IsCompleted)
            throw new CancelledException();
        var step = start();
        if (await Task.WhenAny(step, _cancel) == step)
            return await step;
        Context.SetCustomStatus(_status = _status with { Phase = PipelinePhase.Cancelling, EtaSeconds = null });
        try
        {
            await step;
        }
        catch (Exception e) when (e is TaskFailedException or EpochJobFailedException)
        {
            // Cancelled anyway; the failure is in the history for whoever looks.
        }
        throw new CancelledException();
    }

    /// <summary>The result of a run that finished every step.</summary>
    public PipelineResult Complete(ModelLocation model)
    {
        Report(PipelinePhase.Completed);
        Logger.LogInformation("Run {RunId} completed: mIoU {MeanIou:F3}, model {Model}", Input.RunId, Result.Eval?.MeanIou, model.Path);
        return Result with { Outcome = PipelineOutcome.Completed, Model = model };
    }

    /// <summary>The result of a cancelled run: what was done, with the status at the epoch where it stopped.</summary>
    public PipelineResult Cancelled()
    {
        Report(PipelinePhase.Cancelled, _status.Epoch, null, null);
        return Result with { Outcome = PipelineOutcome.Cancelled };
    }

    /// <summary>The result of a run stopped by its GPU budget: the epochs it trained (checkpoints kept), no evaluation.</summary>
    public PipelineResult BudgetSpent(string reason)
    {
        // Epochs finish as an unbroken prefix, so their count is the last one's number.
        Report(PipelinePhase.BudgetSpent, Result.EpochsTrained + Result.EpochsSkipped, Result.FinalLoss, null);
        Logger.LogWarning("Run {RunId} stopped: {Reason}", Input.RunId, reason);
        return Result with { Outcome = PipelineOutcome.BudgetSpent, StopReason = reason };
    }
}
