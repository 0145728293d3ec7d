namespace MaskContrast.Orchestration.Launchers;

/// <summary>Every job execution allowed for an epoch failed or ran out of time; the run fails with this message.</summary>
public sealed class EpochJobFailedException(string message) : Exception(message);
