using System.Text.Json.Serialization;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>How a trainer failed, as <c>maskcontrast train-epoch</c> judged it from its exit code.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EpochJobFailureKind>))]
public enum EpochJobFailureKind
{
    /// <summary>Bad data or configuration (exit code 2): no new execution can fix it, so the run fails at once.</summary>
    InvalidInput,
    /// <summary>A transient fault (exit code 3, e.g. storage): another execution is started.</summary>
    Transient,
    /// <summary>An unexpected error (exit code 4): another execution is started.</summary>
    Internal,
}

/// <summary>
/// What <c>runs/{id}/jobs/epoch-NNNN-attempt-NN.error.json</c> holds: why the trainer of one job execution failed. ARM
/// only reports <c>Failed</c>; this record is how the orchestration learns that the failure is final.
/// </summary>
public sealed record EpochJobFailure(EpochJobFailureKind Kind, string Message, int Epoch, int Attempt, DateTime FailedUtc);
