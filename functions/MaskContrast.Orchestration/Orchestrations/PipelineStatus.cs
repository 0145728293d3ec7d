namespace MaskContrast.Orchestration.Orchestrations;

/// <summary>Custom status of a running pipeline (what <c>maskcontrast status</c> and <c>GET /api/runs/{id}</c> show).</summary>
/// <param name="Phase">One of <see cref="PipelinePhase"/>'s values.</param>
/// <param name="Epoch">The epoch being trained (0 before training).</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Loss">Loss of the last finished epoch, if any.</param>
/// <param name="EtaSeconds">Estimated seconds of training left (mean epoch time × epochs left), if known.</param>
public sealed record PipelineStatus(string Phase, int Epoch, int Epochs, double? Loss, double? EtaSeconds);

/// <summary>The phases reported in <see cref="PipelineStatus.Phase"/>.</summary>
public static class PipelinePhase
{
    /// <summary>Listing the dataset's images.</summary>
    public const string ListingImages = nameof(ListingImages);
    /// <summary>Generating mask proposals (fan-out over shards).</summary>
    public const string GeneratingProposals = nameof(GeneratingProposals);
    /// <summary>Training epochs.</summary>
    public const string Training = nameof(Training);
    /// <summary>Evaluating the model.</summary>
    public const string Evaluating = nameof(Evaluating);
    /// <summary>Publishing the model bundle.</summary>
    public const string Publishing = nameof(Publishing);
    /// <summary>Done.</summary>
    public const string Completed = nameof(Completed);
    /// <summary>The cancel event arrived; the running step is finishing.</summary>
    public const string Cancelling = nameof(Cancelling);
    /// <summary>Stopped by the cancel event.</summary>
    public const string Cancelled = nameof(Cancelled);
    /// <summary>Stopped because the epochs so far used the run's GPU budget (<see cref="PipelineInput.GpuBudgetSeconds"/>).</summary>
    public const string BudgetSpent = nameof(BudgetSpent);
}
