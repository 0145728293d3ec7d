using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="StartEpochJob"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Epoch">The epoch to train.</param>
/// <param name="Attempt">1 for the first execution of the epoch, 2… for each restart from the last checkpoint.</param>
public sealed record StartEpochJobInput(string RunId, int Epoch, int Attempt);

/// <summary>What <see cref="StartEpochJob"/> did.</summary>
/// <param name="ExecutionName">The execution training the epoch; null when the epoch was already done.</param>
/// <param name="Completed">The epoch's record when it was already done (nothing was started).</param>
public sealed record EpochJobStarted(string? ExecutionName, EpochResult? Completed);

/// <summary>What <c>runs/{id}/jobs/epoch-NNNN-attempt-NN.json</c> holds.</summary>
public sealed record EpochJobExecutionRecord(string ExecutionName, int Epoch, int Attempt, DateTime StartedUtc);

/// <summary>
/// Starts the job execution that trains one epoch (<see cref="IEpochJobLauncher"/>), and returns at once.
/// Idempotent: when the epoch's record and checkpoint exist nothing is started; when this attempt already started an
/// execution (a retry of this activity after the start went through) that execution is returned.
/// </summary>
/// <remarks>The one window left: a crash after ARM accepted the start and before the record was written makes the
/// retry start a second execution of the same epoch. Checkpoints and epoch records are written create-only
/// (<see cref="IArtifactStore.CreateAsync"/>), so the first writer wins and the other fails without replacing them;
/// only GPU time is lost.</remarks>
public sealed class StartEpochJob(IEpochJobLauncher launcher, IArtifactStore store, ILogger<StartEpochJob> logger)
    : TaskActivity<StartEpochJobInput, EpochJobStarted>
{
    /// <inheritdoc/>
    public override async Task<EpochJobStarted> RunAsync(TaskActivityContext context, StartEpochJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await EpochRecords.ReadCompletedAsync(store, input.RunId, input.Epoch) is { } done)
        {
            logger.LogInformation("Run {RunId}: epoch {Epoch} already has a checkpoint, no job started", input.RunId, input.Epoch);
            return new EpochJobStarted(null, done);
        }
        var recordPath = RunLayout.EpochJobRecord(input.RunId, input.Epoch, input.Attempt);
        if (await store.ReadJsonAsync<EpochJobExecutionRecord>(recordPath) is { } started)
        {
            logger.LogInformation("Run {RunId}: epoch {Epoch} attempt {Attempt} already started execution {Execution}",
                input.RunId, input.Epoch, input.Attempt, started.ExecutionName);
            return new EpochJobStarted(started.ExecutionName, null);
        }
        var name = await launcher.StartEpochAsync(input.RunId, input.Epoch, input.Attempt);
        await store.WriteJsonAsync(recordPath, new EpochJobExecutionRecord(name, input.Epoch, input.Attempt, DateTime.UtcNow));
        logger.LogInformation("Run {RunId}: epoch {Epoch} attempt {Attempt} runs as execution {Execution}",
            input.RunId, input.Epoch, input.Attempt, name);
        return new EpochJobStarted(name, null);
    }
}
