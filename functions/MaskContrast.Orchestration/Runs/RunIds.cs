using System.Security.Cryptography;

namespace MaskContrast.Orchestration.Runs;

/// <summary>New run ids, for the CLI and the HTTP API alike.</summary>
public static class RunIds
{
    /// <summary><c>run-yyyyMMdd-HHmmss-xxxxxx</c>: sortable by start time, and two runs started in the same second
    /// (from two shells or two HTTP callers) still get different ids without coordinating.</summary>
    public static string New(DateTime nowUtc)
        => $"run-{nowUtc:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
