namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>
/// Makes <see cref="TrainingPipelineOrchestrator"/> run each epoch as a job execution (the Container Apps job in Azure)
/// instead of inside an activity: start it, wait for the <c>EpochCompleted-{epoch}</c> event with a durable-timer
/// timeout, then poll the execution's status; a failed execution is started again from the last checkpoint.
/// </summary>
/// <param name="EventTimeoutSeconds">How long to wait for the completion event before the first status poll. Set it
/// near the expected epoch time: the event normally ends the wait long before.</param>
/// <param name="PollIntervalSeconds">Time between two status polls after that (durable timers; the event still ends
/// the wait at once when it comes).</param>
/// <param name="AttemptTimeoutSeconds">The longest one execution may take before it counts as failed and a new one is
/// started. Keep it above the job's <c>replicaTimeout × (1 + replicaRetryLimit)</c> (4 h × 2 in
/// <c>infra/app/containerjob.bicep</c>), so the platform has stopped the old execution by then.</param>
/// <param name="MaxAttempts">Executions per epoch in all, including the first (1–20); then the run fails.</param>
public sealed record EpochJobOptions(double EventTimeoutSeconds = 1800, double PollIntervalSeconds = 300,
    double AttemptTimeoutSeconds = 9 * 3600, int MaxAttempts = 3)
{
    /// <summary>Every problem, each naming the field and the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(EventTimeoutSeconds > 0))
            problems.Add($"epochJob.eventTimeoutSeconds ({EventTimeoutSeconds}) must be greater than 0.");
        if (!(PollIntervalSeconds > 0))
            problems.Add($"epochJob.pollIntervalSeconds ({PollIntervalSeconds}) must be greater than 0.");
        if (!(AttemptTimeoutSeconds >= EventTimeoutSeconds))
            problems.Add($"epochJob.attemptTimeoutSeconds ({AttemptTimeoutSeconds}) must be at least epochJob.eventTimeoutSeconds ({EventTimeoutSeconds}).");
        if (MaxAttempts is < 1 or > 20)
            problems.Add($"epochJob.maxAttempts ({MaxAttempts}) must be between 1 and 20.");
        return problems;
    }
}
