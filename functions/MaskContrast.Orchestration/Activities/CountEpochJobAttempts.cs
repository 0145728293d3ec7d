using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="CountEpochJobAttempts"/>.</summary>
public sealed record CountEpochJobAttemptsInput(string RunId, int Epoch);

/// <summary>
/// How many job attempts of an epoch earlier orchestrations of the run recorded (<see cref="RunLayout.EpochJobRecord"/>;
/// attempts are numbered without gaps). A run started again with the same id numbers its attempts after them, so it
/// starts new executions instead of finding the old ones' records and failure records.
/// </summary>
public sealed class CountEpochJobAttempts(IArtifactStore store) : TaskActivity<CountEpochJobAttemptsInput, int>
{
    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, CountEpochJobAttemptsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var recorded = 0;
        while (recorded < RunLayout.MaxJobAttempt && await store.ExistsAsync(RunLayout.EpochJobRecord(input.RunId, input.Epoch, recorded + 1)))
            recorded++;
        return recorded;
    }
}
