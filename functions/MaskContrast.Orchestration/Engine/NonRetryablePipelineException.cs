namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// A failure that retrying cannot fix (bad input, an empty dataset, an invalid configuration). The orchestrator's
/// retry policy stops at once when an activity fails with it; every other exception is retried with backoff.
/// </summary>
public sealed class NonRetryablePipelineException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong and what to do.</summary>
    public NonRetryablePipelineException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NonRetryablePipelineException(string message, Exception innerException) : base(message, innerException) { }
}
