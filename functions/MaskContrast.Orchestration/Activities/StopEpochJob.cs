using MaskContrast.Orchestration.Launchers;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="StopEpochJob"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Epoch">The epoch the execution trains.</param>
/// <param name="ExecutionName">The execution to stop.</param>
/// <param name="Reason">Why, for the log: the run was cancelled, or the execution ran past its attempt timeout.</param>
public sealed record StopEpochJobInput(string RunId, int Epoch, string ExecutionName, string Reason);

/// <summary>Stops an epoch's job execution (<see cref="IEpochJobLauncher.StopAsync"/>), so that a cancelled run or a
/// replaced attempt spends no more GPU time. Stopping an execution that has ended does nothing.</summary>
public sealed class StopEpochJob(IEpochJobLauncher launcher, ILogger<StopEpochJob> logger) : TaskActivity<StopEpochJobInput, bool>
{
    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, StopEpochJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await launcher.StopAsync(input.ExecutionName);
        logger.LogInformation("Run {RunId}: stopped execution {Execution} of epoch {Epoch}: {Reason}",
            input.RunId, input.ExecutionName, input.Epoch, input.Reason);
        return true;
    }
}
