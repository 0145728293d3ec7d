namespace MaskContrast.Orchestration.Launchers;

/// <summary>An epoch attempt failed in a way a retry may fix (a crash, a kill, a timeout, exit code 3).</summary>
public sealed class EpochLaunchException(string message) : Exception(message);
