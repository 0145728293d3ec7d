using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using Microsoft.DurableTask;

namespace MaskContrast.Cli;

/// <summary>Process exit codes of the <c>maskcontrast</c> command (documented in the README), and the one map from
/// failures to them that every command uses.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Some inputs failed (e.g. images that could not be segmented); the others were processed.</summary>
    public const int PartialFailure = 1;
    /// <summary>Invalid arguments, configuration or data: retrying the same command will not help.</summary>
    public const int InvalidInput = 2;
    /// <summary>A transient failure (I/O, storage); running the same command again is expected to succeed.</summary>
    public const int Retryable = 3;
    /// <summary>An unexpected internal error (a bug, or a fault of the machine).</summary>
    public const int InternalError = 4;

    /// <summary>The exit code of a command that failed with <paramref name="error"/>.</summary>
    public static int For(Exception error) => error switch
    {
        NonRetryablePipelineException or ArgumentException or FormatException or InvalidDataException
            or FileNotFoundException or DirectoryNotFoundException => InvalidInput,
        IOException or HttpRequestException or TimeoutException or Azure.RequestFailedException => Retryable,
        _ => InternalError,
    };

    /// <summary>The exit code of a run whose orchestration failed: bad input (as the retry policy judges it) or transient.</summary>
    public static int For(TaskFailureDetails? failure) => PipelineRetryOptions.IsPermanent(failure) ? InvalidInput : Retryable;

    /// <summary>Prints <paramref name="error"/> for the user (the stack trace only for an internal error) and returns its exit code.</summary>
    public static int Report(Exception error)
    {
        int code = For(error);
        Console.Error.WriteLine(code switch
        {
            InvalidInput => $"error: {error.Message}",
            Retryable => $"error (retry may help): {error.Message}",
            _ => $"internal error: {error}",
        });
        return code;
    }
}
