using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>Input of <see cref="TrainingPipelineOrchestrator"/>.</summary>
/// <param name="RunId">The run id; also the orchestration instance id.</param>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Epochs">Number of training epochs (1–<see cref="RunLayout.MaxEpoch"/>).</param>
/// <param name="ShardSize">Images per proposal shard (1–<see cref="MaxShardSize"/>).</param>
public sealed record PipelineInput(string RunId, string Dataset, int Epochs, int ShardSize = PipelineInput.DefaultShardSize)
{
    /// <summary>Images per proposal shard unless told otherwise.</summary>
    public const int DefaultShardSize = 64;

    /// <summary>Most images in one proposal shard.</summary>
    public const int MaxShardSize = 10_000;

    /// <summary>Why <paramref name="shardSize"/> is not allowed, or null.</summary>
    public static string? ShardSizeProblem(int shardSize)
        => shardSize is < 1 or > MaxShardSize ? $"shardSize ({shardSize}) must be between 1 and {MaxShardSize}." : null;

    /// <summary>Retry policy of every activity.</summary>
    public PipelineRetryOptions Retry { get; init; } = new();

    /// <summary>Null (the default): each epoch runs in the <c>RunTrainingEpoch</c> activity through the host's
    /// <c>IEpochLauncher</c>. Set: each epoch runs as a job execution through the host's <c>IEpochJobLauncher</c>.</summary>
    public EpochJobOptions? EpochJob { get; init; }

    /// <summary>The run's GPU budget in seconds of measured epoch time (<see cref="Engine.EpochResult.Seconds"/>, counting
    /// epochs recorded before a resume): no epoch starts once the epochs so far have used it. Null (the CLI): no budget.
    /// The HTTP API sets it from <see cref="Runs.RunLimits.MaxGpuMinutesPerRun"/>.</summary>
    public double? GpuBudgetSeconds { get; init; }

    /// <summary>Every problem with the input, each naming the field and the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        try { NameValidator.ValidateRunId(RunId, "runId"); } catch (ArgumentException e) { problems.Add(e.Message); }
        try { NameValidator.ValidateDatasetName(Dataset, "dataset"); } catch (ArgumentException e) { problems.Add(e.Message); }
        if (Epochs is < 1 or > RunLayout.MaxEpoch)
            problems.Add($"epochs ({Epochs}) must be between 1 and {RunLayout.MaxEpoch}.");
        if (ShardSizeProblem(ShardSize) is { } shardProblem)
            problems.Add(shardProblem);
        if (GpuBudgetSeconds is { } budget && !(budget > 0 && double.IsFinite(budget)))
            problems.Add($"gpuBudgetSeconds ({budget}) must be a positive number of seconds, or null for no budget.");
        problems.AddRange((Retry ?? new()).Validate());
        problems.AddRange(EpochJob?.Validate() ?? []);
        return problems;
    }
}
