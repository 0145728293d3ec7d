using MaskContrast.Orchestration.Engine;
using Microsoft.DurableTask;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>Retry with exponential backoff for transient activity failures; <see cref="NonRetryablePipelineException"/>
/// and <see cref="ArgumentException"/> are never retried. The orchestrator drives the retries itself (a durable timer
/// between attempts) so that a cancel stops them; see <c>PipelineRun.CallAsync</c>.</summary>
/// <param name="MaxAttempts">Attempts in all, including the first (1–20).</param>
/// <param name="FirstRetrySeconds">Delay before the first retry (&gt; 0).</param>
/// <param name="BackoffCoefficient">Factor applied to the delay after each retry (≥ 1).</param>
/// <param name="MaxRetrySeconds">Longest delay between two attempts.</param>
public sealed record PipelineRetryOptions(int MaxAttempts = 4, double FirstRetrySeconds = 10, double BackoffCoefficient = 2, double MaxRetrySeconds = 600)
{
    /// <summary>Every problem with the options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxAttempts is < 1 or > 20)
            problems.Add($"retry.maxAttempts ({MaxAttempts}) must be between 1 and 20.");
        if (!(FirstRetrySeconds > 0))
            problems.Add($"retry.firstRetrySeconds ({FirstRetrySeconds}) must be greater than 0.");
        if (!(BackoffCoefficient >= 1))
            problems.Add($"retry.backoffCoefficient ({BackoffCoefficient}) must be at least 1.");
        if (!(MaxRetrySeconds >= FirstRetrySeconds))
            problems.Add($"retry.maxRetrySeconds ({MaxRetrySeconds}) must be at least retry.firstRetrySeconds ({FirstRetrySeconds}).");
        return problems;
    }

    /// <summary>How long to wait before retry <paramref name="retry"/> (1 = the first retry): the first delay times the
    /// coefficient for each retry before it, at most <see cref="MaxRetrySeconds"/>.</summary>
    public TimeSpan DelayBefore(int retry)
        => TimeSpan.FromSeconds(Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(BackoffCoefficient, retry - 1)));

    /// <summary>True when the failure (or one it wraps) is bad input that no retry can fix. Compares type names as well
    /// as IsCausedBy, which needs the type to be loadable from the failure's type name.</summary>
    public static bool IsPermanent(TaskFailureDetails? failure)
    {
        for (; failure is not null; failure = failure.InnerFailure)
            if (failure.ErrorType == typeof(NonRetryablePipelineException).FullName
                || failure.IsCausedBy<NonRetryablePipelineException>() || failure.IsCausedBy<ArgumentException>())
                return true;
        return false;
    }
}
