using MaskContrast.Core.Config;
namespace MaskContrast.Core.Saliency;

/// <summary>Settings of a <see cref="ProposalGenerator"/> run.</summary>
/// <param name="Method"><c>mbplus</c> (default), <c>ft</c>, or <c>user</c> (masks from <paramref name="UserMaskFolder"/>).</param>
/// <param name="PostProcess">Threshold and area rules (official defaults).</param>
/// <param name="SplitComponents">Write one proposal per connected region (<c>{id}_{k}.png</c>, k = 0 largest) instead of one per image.</param>
/// <param name="UserMaskFolder">Folder of user masks named like the images; required for <c>user</c>.</param>
/// <param name="MaxDegreeOfParallelism">Worker threads; -1 = one per core.</param>
/// <param name="PngZlibLevel">zlib level of the written PNGs; binary masks compress well even at level 1.</param>
/// <param name="MbPlus">MB+ settings (defaults = the MB+ release; <see cref="MbPlusOptions.HalfResolutionSmoothing"/> is the fast variant).</param>
public sealed record ProposalOptions(
    ProposalMethod Method = ProposalMethod.MbPlus,
    PostProcessOptions? PostProcess = null,
    bool SplitComponents = false,
    string? UserMaskFolder = null,
    int MaxDegreeOfParallelism = -1,
    int PngZlibLevel = 1,
    MbPlusOptions? MbPlus = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field and the allowed values.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, $"method must be one of {string.Join(", ", ConfigNames.All<ProposalMethod>())}");
        if (Method == ProposalMethod.User && UserMaskFolder is null)
            throw new ArgumentException("method 'user' needs a user mask folder (--masks <dir>)", nameof(UserMaskFolder));
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
    PostProcessOptions PostProcess);
