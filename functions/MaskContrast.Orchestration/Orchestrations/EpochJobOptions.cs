using System.Globalization;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>
/// Makes <see cref="TrainingPipelineOrchestrator"/> run each epoch as a job execution (the Container Apps job in Azure)
/// instead of inside an activity: start it, wait for the <c>EpochCompleted-{epoch}</c> event with a durable-timer
/// timeout, then poll the execution's status; a failed execution is started again from the last checkpoint.
/// </summary>
/// <param name="AttemptTimeoutSeconds">The longest one execution may take before it is stopped, counted as failed, and
/// replaced. In Azure it is the job's own <c>replicaTimeout</c> plus <see cref="StartGraceSeconds"/>
/// (<see cref="FromSettings"/>), so the platform has ended the replica by then and two executions never train one epoch.</param>
/// <param name="EventTimeoutSeconds">How long to wait for the completion event before the first status poll. Set it
/// near the expected epoch time: the event normally ends the wait long before.</param>
/// <param name="PollIntervalSeconds">Time between two status polls after that (durable timers; the event still ends
/// the wait at once when it comes).</param>
/// <param name="MaxAttempts">Executions per epoch in all, including the first (1–20); then the run fails.</param>
public sealed record EpochJobOptions(double AttemptTimeoutSeconds, double EventTimeoutSeconds = 1800, double PollIntervalSeconds = 300,
    int MaxAttempts = 3)
{
    /// <summary>App setting with the job's <c>replicaTimeout</c> in seconds; <c>infra/app/functions.bicep</c> sets it
    /// from the deployed job, so the orchestration and the platform share one number.</summary>
    public const string ReplicaTimeoutSetting = "TRAINING_JOB_REPLICA_TIMEOUT_SECONDS";

    /// <summary>Added to the replica timeout for what precedes the replica's clock: scheduling a GPU node and pulling the
    /// trainer image.</summary>
    public const double StartGraceSeconds = 900;

    /// <summary>The options for a job whose replicas stop after <paramref name="replicaTimeoutSeconds"/>.</summary>
    public static EpochJobOptions ForReplicaTimeout(double replicaTimeoutSeconds) => new(replicaTimeoutSeconds + StartGraceSeconds);

    /// <summary>The options from the <see cref="ReplicaTimeoutSetting"/> app setting.</summary>
    /// <exception cref="ArgumentException">The setting is missing or not a positive number of seconds.</exception>
    public static EpochJobOptions FromSettings(Func<string, string?> getSetting)
    {
        ArgumentNullException.ThrowIfNull(getSetting);
        var text = getSetting(ReplicaTimeoutSetting);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? ForReplicaTimeout(seconds)
            : throw new ArgumentException(
                $"{ReplicaTimeoutSetting} ('{text}') must be the training job's replicaTimeout in seconds; infra/app/functions.bicep sets it "
                + "from the job (azd provision), or set it by hand to the job's configuration.replicaTimeout.", nameof(getSetting));
    }

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
