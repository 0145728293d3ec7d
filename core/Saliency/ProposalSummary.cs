using MaskContrast.Core.Config;
namespace MaskContrast.Core.Saliency;

/// <summary>Settings of a <see cref="ProposalGenerator"/> run.</summary>
/// <param name="Method"><c>mbplus-clusters</c> (default), <c>mbplus</c>, <c>ft</c>, or <c>user</c> (masks from <paramref name="UserMaskFolder"/>).</param>
/// <param name="PostProcess">Threshold and area rules (official defaults).</param>
/// <param name="SplitComponents">Write one proposal per connected region (<c>{id}_{k}.png</c>, k = 0 largest) instead of one per image.</param>
/// <param name="UserMaskFolder">Folder of user masks named like the images; required for <c>user</c>.</param>
/// <param name="MaxDegreeOfParallelism">Worker threads; -1 = one per core.</param>
/// <param name="PngZlibLevel">zlib level of the written PNGs; binary masks compress well even at level 1.</param>
/// <param name="MbPlus">MB+ settings (defaults = the MB+ release; <see cref="MbPlusOptions.HalfResolutionSmoothing"/> is the fast variant).</param>
/// <param name="Vote">For <c>mbplus-clusters</c>: the check fitted beforehand on the whole dataset (<see cref="ClusterVote.Fit"/>), when
/// the images given to the generator are only part of it; null fits it on those images.</param>
public sealed record ProposalOptions(
    ProposalMethod Method = ProposalMethod.MbPlusClusters,
    PostProcessOptions? PostProcess = null,
    bool SplitComponents = false,
    string? UserMaskFolder = null,
    int MaxDegreeOfParallelism = -1,
    int PngZlibLevel = 1,
    MbPlusOptions? MbPlus = null,
    ClusterVote? Vote = null)
{
    /// <summary>Whether a run needs the ImageNet network: <c>mbplus-clusters</c> fits its vote with it, or applies a given
    /// vote that refines; a given vote that keeps MB+ (most shards of most datasets) needs none.</summary>
    public bool NeedsImageNetFeatures => Method == ProposalMethod.MbPlusClusters && Vote is not { UseVote: false };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and the allowed values.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, $"method must be one of {string.Join(", ", ConfigNames.All<ProposalMethod>())}");
        if (Method == ProposalMethod.User && UserMaskFolder is null)
            throw new ArgumentException("method 'user' needs a user mask folder (--masks <dir>)", nameof(UserMaskFolder));
        if (Vote is not null && Method != ProposalMethod.MbPlusClusters)
            throw new ArgumentException($"a cluster vote refines method '{ProposalMethod.MbPlusClusters.JsonName()}' only, not '{Method.JsonName()}'", nameof(Vote));
        if (PngZlibLevel is < 0 or > 9)
            throw new ArgumentOutOfRangeException(nameof(PngZlibLevel), PngZlibLevel, "PngZlibLevel must be in 0..9");
        (PostProcess ?? new PostProcessOptions()).Validate();
    }
}

/// <summary>Progress of a run, reported after every image.</summary>
public sealed record ProposalProgress(int Done, int Total, int Kept, int Dropped);

/// <summary>An image without a proposal and why.</summary>
/// <param name="Id">The image id.</param>
/// <param name="Kind">Machine-readable cause: <c>too-little-foreground</c>, <c>unreadable-image</c> or <c>missing-user-mask</c>.</param>
/// <param name="Reason">Human-readable detail (fractions, the decoder's error naming the file…).</param>
public sealed record DroppedImage(string Id, string Kind, string Reason);

/// <summary>Time spent per stage in milliseconds, summed over all worker threads.</summary>
public sealed record StageTimings(double DecodeMs, double SaliencyMs, double PostProcessMs, double EncodeMs);

/// <summary>What a run did; written as <c>summary.json</c> next to the proposals.</summary>
/// <param name="Method">The method used.</param>
/// <param name="Total">Images in the dataset.</param>
/// <param name="KeptCount">Images with a proposal.</param>
/// <param name="DroppedCount">Images without one.</param>
/// <param name="ProposalFiles">PNG files written (more than <paramref name="KeptCount"/> when splitting components).</param>
/// <param name="Kept">Ids of the images with a proposal, in dataset order.</param>
/// <param name="Dropped">Dropped images with reasons, in dataset order.</param>
/// <param name="StageMs">Per-stage time summed over threads.</param>
/// <param name="WallSeconds">Elapsed wall-clock time.</param>
/// <param name="ImagesPerSecond">Total / WallSeconds.</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="PostProcess">The post-processing settings.</param>
/// <param name="Vote">For <c>mbplus-clusters</c>: what the dataset-level check found and whether it refined the maps.</param>
public sealed record ProposalSummary(
    ProposalMethod Method,
    int Total,
    int KeptCount,
    int DroppedCount,
    int ProposalFiles,
    IReadOnlyList<string> Kept,
    IReadOnlyList<DroppedImage> Dropped,
    StageTimings StageMs,
    double WallSeconds,
    double ImagesPerSecond,
    int Threads,
    PostProcessOptions PostProcess,
    ClusterVoteSummary? Vote = null);

/// <summary>The decision of a <see cref="ClusterVote"/>, for summaries and run records.</summary>
/// <param name="Disagreement">Share-weighted binary entropy of the clusters' mean saliency (bits, 0–1).</param>
/// <param name="Used">Whether the vote refined the saliency maps.</param>
/// <param name="Images">Images the clusters were fitted on.</param>
/// <param name="ForegroundClusters">Clusters voting foreground, of <paramref name="Clusters"/>.</param>
/// <param name="Clusters">Clusters fitted.</param>
public sealed record ClusterVoteSummary(double Disagreement, bool Used, int Images, int ForegroundClusters, int Clusters)
{
    /// <summary>One line for logs and the CLI.</summary>
    public override string ToString() => Clusters == 0
        ? $"cluster check skipped: {Images} readable images, at least {ClusterVoteOptions.MinImages} needed; MB+ kept"
        : $"MB+ against {Clusters} ImageNet feature clusters of {Images} images: disagreement {Disagreement:F2} bits " +
          (Used ? $"> {new ClusterVoteOptions().MaxDisagreement:F2}, so the {ForegroundClusters} clusters MB+ favours refine the masks"
                : $"≤ {new ClusterVoteOptions().MaxDisagreement:F2}, MB+ kept");
}
