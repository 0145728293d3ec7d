using MaskContrast.Orchestration.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Functions;

/// <summary>Purges old runs from the task hub's history every night (<see cref="RunHistory"/>), so the history, and what
/// reading it costs, stays bounded.</summary>
public sealed class RunHistoryFunctions(RunHistory history, TimeProvider clock, ILogger<RunHistoryFunctions> logger)
{
    /// <summary>Every day at 03:30 UTC (NCRONTAB: second minute hour day month weekday).</summary>
    public const string Schedule = "0 30 3 * * *";

    /// <summary>Purges the runs that ended more than <see cref="RunHistory.RetentionDays"/> days ago.</summary>
    [Function(nameof(PurgeRunHistory))]
    public async Task PurgeRunHistory([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var purged = await history.PurgeAsync(client, clock.GetUtcNow(), cancellationToken);
        logger.LogInformation("Purged {Count} runs that ended more than {Days} days ago from the run history: {RunIds}",
            purged.Count, history.RetentionDays, purged);
    }
}
