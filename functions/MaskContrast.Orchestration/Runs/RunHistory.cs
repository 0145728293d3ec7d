using System.Globalization;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Orchestrations;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// Keeps the task hub's run history bounded: runs that ended (Completed, Failed or Terminated) more than
/// <see cref="RetentionDays"/> days ago are purged from it. Only the Durable history goes: the run's files in the artifact
/// store (settings, checkpoints, report, model) stay, its model can still be activated, and starting the run id again
/// resumes it; <c>GET /api/runs/{id}</c> answers 404 for it.
/// </summary>
/// <param name="RetentionDays">Days an ended run stays in the history (app setting <see cref="RetentionDaysSetting"/>).</param>
public sealed record RunHistory(int RetentionDays = RunHistory.DefaultRetentionDays)
{
    /// <summary>The app setting that sets <see cref="RetentionDays"/>.</summary>
    public const string RetentionDaysSetting = "MASKCONTRAST_RUN_HISTORY_DAYS";

    /// <summary>A quarter of a year: long enough to look back at a run, short enough that listing stays cheap.</summary>
    public const int DefaultRetentionDays = 90;

    private static readonly OrchestrationRuntimeStatus[] s_ended =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    /// <summary>Reads <see cref="RetentionDaysSetting"/> (unset: <see cref="DefaultRetentionDays"/>); anything but a
    /// whole number of days ≥ 1 is an error, never a silent default.</summary>
    public static RunHistory FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var value = setting(RetentionDaysSetting);
        if (string.IsNullOrWhiteSpace(value))
            return new RunHistory();
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1
            ? new RunHistory(days)
            : throw new InvalidOperationException($"{RetentionDaysSetting} is '{EchoText.Shorten(value)}'; it must be a whole number of days, 1 or more.");
    }

    /// <summary>
    /// Purges every pipeline run that ended before <paramref name="nowUtc"/> − <see cref="RetentionDays"/>. The query asks
    /// the task hub only for ended runs created before that cutoff; one that was created before it but ended after it
    /// (a long run) is kept until it too is old enough.
    /// </summary>
    /// <returns>The ids of the runs purged.</returns>
    public async Task<IReadOnlyList<string>> PurgeAsync(DurableTaskClient client, DateTimeOffset nowUtc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var cutoff = nowUtc.AddDays(-RetentionDays);
        var query = new OrchestrationQuery { CreatedTo = cutoff, Statuses = s_ended, PageSize = 100, FetchInputsAndOutputs = false };
        // Collected first: purging while paging would move the pages under the query.
        var old = new List<string>();
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
            if (instance.Name == nameof(TrainingPipelineOrchestrator) && instance.LastUpdatedAt < cutoff)
                old.Add(instance.InstanceId);
        var purged = new List<string>();
        foreach (var id in old)
            if ((await client.PurgeInstanceAsync(id, cancellation: cancellationToken)).PurgedInstanceCount > 0)
                purged.Add(id);
        return purged;
    }
}
