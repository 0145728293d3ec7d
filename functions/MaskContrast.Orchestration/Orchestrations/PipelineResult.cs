using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>How a run ended.</summary>
public enum PipelineOutcome
{
    /// <summary>Every step ran.</summary>
    Completed,
    /// <summary>Stopped by the <see cref="TrainingPipelineOrchestrator.CancelEventName"/> event.</summary>
    Cancelled,
    /// <summary>Stopped before an epoch because the epochs so far had used <see cref="PipelineInput.GpuBudgetSeconds"/>;
    /// their checkpoints are kept, nothing was evaluated or published (<see cref="PipelineResult.StopReason"/> says why).</summary>
    BudgetSpent,
}

/// <summary>Output of <see cref="TrainingPipelineOrchestrator"/>.</summary>
public sealed record PipelineResult(string RunId, PipelineOutcome Outcome)
{
    /// <summary>Images in the run.</summary>
    public int Images { get; init; }
    /// <summary>Proposal shards processed.</summary>
    public int ProposalShards { get; init; }
    /// <summary>Mask proposals written.</summary>
    public int ProposalMasks { get; init; }
    /// <summary>What the dataset-level proposal check decided (null when the proposal source has none).</summary>
    public ProposalCheck? ProposalCheck { get; init; }
    /// <summary>Image ids skipped during proposal generation.</summary>
    public IReadOnlyList<string> SkippedImages { get; init; } = [];
    /// <summary>Epochs trained by this orchestration.</summary>
    public int EpochsTrained { get; init; }
    /// <summary>Epochs skipped because their checkpoint already existed.</summary>
    public int EpochsSkipped { get; init; }
    /// <summary>Measured seconds of every finished epoch of the run (<see cref="EpochResult.Seconds"/>, recorded ones included):
    /// what <see cref="PipelineInput.GpuBudgetSeconds"/> is compared with.</summary>
    public double TrainingSeconds { get; init; }
    /// <summary>Why the run stopped early, when it did for its budget; null otherwise.</summary>
    public string? StopReason { get; init; }
    /// <summary>Loss of the last epoch.</summary>
    public double? FinalLoss { get; init; }
    /// <summary>The evaluation, when it ran.</summary>
    public EvalResult? Eval { get; init; }
    /// <summary>The published model, when it was published.</summary>
    public ModelLocation? Model { get; init; }
}
