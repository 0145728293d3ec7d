namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// The ML engine as the orchestration sees it: five coarse steps, each reading and writing only through the artifact
/// store and <see cref="Storage.RunLayout"/>. <see cref="CorePipelineEngine"/> implements it on core/ (TorchSharp); the
/// orchestration tests use a fake. No TorchSharp type appears here, so the orchestration and its activities never touch
/// libtorch themselves.
/// </summary>
/// <remarks>
/// Throw <see cref="NonRetryablePipelineException"/> (or an <see cref="ArgumentException"/>) for bad input that a
/// retry cannot fix; any other exception is treated as transient and retried with backoff. The calling activities
/// record each result (shard records, epoch records, eval/model records); the engine writes only its own files.
/// </remarks>
public interface IPipelineEngine
{
    /// <summary>The image ids of dataset <paramref name="dataset"/> (under <c>datasets/{dataset}/</c>), in a stable order.</summary>
    Task<IReadOnlyList<string>> ListImagesAsync(string dataset, CancellationToken cancellationToken = default);

    /// <summary>
    /// Before the shards: fits what the run's proposal source needs from the whole dataset (for <c>mbplus-clusters</c>,
    /// the cluster check under <see cref="Storage.RunLayout.ProposalClusterVote"/>) and says what it decided; null when
    /// the source needs nothing.
    /// </summary>
    Task<ProposalCheck?> CheckProposalsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Writes one mask proposal per image of the shard to <see cref="Storage.RunLayout.ProposalMask"/>.</summary>
    Task<ProposalShardSummary> GenerateProposalsShardAsync(string runId, ProposalShard shard, CancellationToken cancellationToken = default);

    /// <summary>
    /// Trains epoch <paramref name="epoch"/>: loads <see cref="Storage.RunLayout.Checkpoint"/> of epoch − 1 (none for
    /// epoch 1) and writes the checkpoint of <paramref name="epoch"/>. Must not write the epoch record or <c>latest</c>.
    /// </summary>
    Task<EpochResult> TrainEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default);

    /// <summary>Evaluates the newest checkpoint; reports and plots go under <see cref="Storage.RunLayout.Eval"/>.</summary>
    Task<EvalResult> EvaluateAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Writes the model bundle under <see cref="Storage.RunLayout.Model"/> and says where it is.</summary>
    Task<ModelLocation> PublishModelAsync(string runId, CancellationToken cancellationToken = default);
}

/// <summary>A shard of a dataset's images for proposal generation.</summary>
/// <param name="Index">0-based shard number (names the shard record).</param>
/// <param name="ImageIds">The image ids of the shard.</param>
public sealed record ProposalShard(int Index, IReadOnlyList<string> ImageIds);

/// <summary>What the dataset-level check of the proposals decided.</summary>
/// <param name="Refines">Whether the check changes the proposals (MB+ disagreed with the dataset's feature clusters).</param>
/// <param name="Disagreement">How much MB+ and the feature clusters disagree (bits, 0–1).</param>
/// <param name="Description">One sentence for the run's result and log.</param>
public sealed record ProposalCheck(bool Refines, double Disagreement, string Description);

/// <summary>What one proposal shard produced.</summary>
/// <param name="Index">The shard number.</param>
/// <param name="Images">Images in the shard.</param>
/// <param name="Masks">Masks written.</param>
/// <param name="Skipped">Ids of images skipped (corrupt, or an object under 1 % of the area), for the run report.</param>
public sealed record ProposalShardSummary(int Index, int Images, int Masks, IReadOnlyList<string> Skipped);

/// <summary>Metrics of one finished training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Total loss (mean over the epoch).</param>
/// <param name="Contrastive">Pixel-contrastive term.</param>
/// <param name="Saliency">Saliency (balanced BCE) term.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took (feeds the ETA).</param>
public sealed record EpochResult(int Epoch, double Loss, double Contrastive, double Saliency, double Seconds)
{
    /// <summary>SHA-256 of the epoch's checkpoint, set when the epoch is recorded (<see cref="Storage.EpochRecords"/>) and
    /// checked whenever the checkpoint is loaded; null in records written before hashes were recorded.</summary>
    public string? CheckpointSha256 { get; init; }
}

/// <summary>Result of the evaluation.</summary>
/// <param name="MeanIou">Mean intersection over union, 0–1, after Hungarian matching.</param>
/// <param name="Clusters">Number of clusters (classes) evaluated.</param>
/// <param name="ReportPath">Artifact path of the human-readable report.</param>
/// <param name="Chance">The protocol's chance level on the same split (true foreground, a random cluster per image).</param>
/// <param name="PerImageCeiling">The best one cluster per image can score on the split (true foreground, majority class).</param>
/// <param name="ClusterChoice">Where the number of clusters came from (labels, as asked, or the K sweep's pick) and the sweep's evidence.</param>
public sealed record EvalResult(double MeanIou, int Clusters, string ReportPath, double? Chance = null, double? PerImageCeiling = null,
    string? ClusterChoice = null);

/// <summary>Where the published model bundle is.</summary>
/// <param name="Path">Artifact path of the bundle's main file.</param>
/// <param name="Sha256">SHA-256 of that file, lowercase hex.</param>
public sealed record ModelLocation(string Path, string Sha256);
