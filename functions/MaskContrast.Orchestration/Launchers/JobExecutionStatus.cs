using System.Text.Json.Serialization;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>
/// <c>properties.status</c> of a Container Apps job execution (REST <c>JobExecutionRunningState</c>). A value this
/// enum does not know is read as <see cref="Unknown"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobExecutionStatus>))]
public enum JobExecutionStatus
{
    /// <summary>The service does not know (yet), or returned a value newer than this code.</summary>
    Unknown,
    /// <summary>The replica is running.</summary>
    Running,
    /// <summary>The execution is being set up or torn down.</summary>
    Processing,
    /// <summary>The container exited with 0.</summary>
    Succeeded,
    /// <summary>The container failed (non-zero exit, or the replica timeout) after the job's own replica retries.</summary>
    Failed,
    /// <summary>Part of the execution failed; with one replica per execution this is a failure.</summary>
    Degraded,
    /// <summary>Someone stopped the execution.</summary>
    Stopped,
}

/// <summary>Decisions on <see cref="JobExecutionStatus"/> values.</summary>
public static class JobExecutionStatuses
{
    /// <summary>Whether the execution has ended and its status will not change.</summary>
    public static bool IsTerminal(this JobExecutionStatus status)
        => status is JobExecutionStatus.Succeeded or JobExecutionStatus.Failed or JobExecutionStatus.Degraded or JobExecutionStatus.Stopped;

    /// <summary>Parses ARM's status text (case-insensitive); anything unrecognised is <see cref="JobExecutionStatus.Unknown"/>.</summary>
    public static JobExecutionStatus Parse(string? text)
        => Enum.TryParse<JobExecutionStatus>(text, ignoreCase: true, out var status) && Enum.IsDefined(status)
            && !int.TryParse(text, out _) ? status : JobExecutionStatus.Unknown;
}
