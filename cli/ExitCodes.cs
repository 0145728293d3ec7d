namespace MaskContrast.Cli;

/// <summary>Process exit codes of the <c>maskcontrast</c> command (documented in the README).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Some inputs failed (e.g. images that could not be segmented); the others were processed.</summary>
    public const int PartialFailure = 1;
    /// <summary>Invalid arguments or configuration: nothing was done.</summary>
    public const int InvalidInput = 2;
    /// <summary>A transient failure (I/O, storage); running the same command again is expected to succeed.</summary>
    public const int Retryable = 3;
    /// <summary>An unexpected internal error.</summary>
    public const int InternalError = 4;
}
