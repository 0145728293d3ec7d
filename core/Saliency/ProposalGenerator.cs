using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using MaskContrast.Core.Data;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Saliency;

/// <summary>
/// Writes one object-mask proposal per image of a dataset: <c>{out}/{id}.png</c>, 8-bit grayscale 0/255 at the
/// image's size, for every image that survives the post-processing, and <c>{out}/summary.json</c>
/// (<see cref="ProposalSummary"/>). Images run in parallel, one per core. For <c>mbplus-clusters</c> the
/// <see cref="ClusterVote"/> is fitted first (or given) and refines every MB+ map when it disagrees with the features. An unreadable image is dropped with its
/// error as the reason; a user mask of the wrong size or that cannot be decoded stops the run (the user must fix it).
/// </summary>
public sealed class ProposalGenerator
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private const string UnreadablePrefix = "unreadable image: ";
    private const string NoMaskPrefix = "no user mask for ";
    private readonly ISaliencyEstimator? _estimator;
    private readonly UserMaskSource? _userMasks;
    private readonly ImageNetFeatureGrid? _grid;

    /// <summary>Validates <paramref name="options"/> and prepares the estimator or the user mask folder.</summary>
    /// <param name="grid">The ImageNet network for <c>mbplus-clusters</c>, shared by the caller and not disposed here (a
    /// pipeline runs many shards in one process); null: each <see cref="Run"/> loads its own when it needs one.</param>
    public ProposalGenerator(ProposalOptions? options = null, ImageNetFeatureGrid? grid = null)
    {
        _grid = grid;
        Options = options ?? new ProposalOptions();
        Options.Validate();
        _estimator = Options.Method switch
        {
            ProposalMethod.MbPlus or ProposalMethod.MbPlusClusters => new MbPlusSaliency(Options.MbPlus),
            ProposalMethod.Ft => new FrequencyTunedSaliency(),
            _ => null,
        };
        if (Options.UserMaskFolder is not null)
            _userMasks = new UserMaskSource(Options.UserMaskFolder);
    }

    /// <summary>The settings in use.</summary>
    public ProposalOptions Options { get; }

    /// <summary>Processes every image of <paramref name="data"/> into <paramref name="outputFolder"/>.</summary>
    public ProposalSummary Run(IImageDataset data, string outputFolder, IProgress<ProposalProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputFolder);
        var post = Options.PostProcess ?? new PostProcessOptions();
        int threads = Options.MaxDegreeOfParallelism > 0 ? Options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        var ids = data.Ids;
        var vote = Options.Vote;
        bool needsGrid = Options.NeedsImageNetFeatures;
        using var ownGrid = needsGrid && _grid is null ? new ImageNetFeatureGrid(vote?.InputSize ?? 256) : null;
        var grid = needsGrid ? _grid ?? ownGrid : null;
        if (grid is not null && vote is null)
            vote = ClusterVote.Fit(data, ids, _estimator!, grid, cancellationToken: cancellationToken);
        var refineWith = vote is { UseVote: true } ? grid : null;
        var outcome = new (bool Kept, string? Reason, int Files)[ids.Count];
        long decode = 0, saliency = 0, postTicks = 0, encode = 0;
        int done = 0, kept = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, i =>
            {
                var (files, reason, ticks) = ProcessOne(data, ids[i], post, outputFolder, vote, refineWith);
                Interlocked.Add(ref decode, ticks.Decode);
                Interlocked.Add(ref saliency, ticks.Saliency);
                Interlocked.Add(ref postTicks, ticks.Post);
                Interlocked.Add(ref encode, ticks.Encode);
                outcome[i] = (files > 0, reason, files);
                int k = files > 0 ? Interlocked.Increment(ref kept) : Volatile.Read(ref kept);
                int d = Interlocked.Increment(ref done);
                progress?.Report(new ProposalProgress(d, ids.Count, k, d - k));
            });
        }
        catch (AggregateException e)
        {
            // Surface the first error as itself (e.g. the InvalidDataException naming a bad user mask), not wrapped.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        watch.Stop();
        // The features' forward buffers were freed on the worker threads; glibc keeps them in per-thread arenas unless trimmed
        // (a shared grid is not disposed here, which would trim).
        if (grid is not null) NativeHeap.Trim();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var summary = new ProposalSummary(
            Options.Method, ids.Count, kept, ids.Count - kept, outcome.Sum(o => o.Files),
            Enumerable.Range(0, ids.Count).Where(i => outcome[i].Kept).Select(i => ids[i]).ToArray(),
            Enumerable.Range(0, ids.Count).Where(i => !outcome[i].Kept).Select(i => new DroppedImage(ids[i], KindOf(outcome[i].Reason), outcome[i].Reason ?? "unknown")).ToArray(),
            new StageTimings(Ms(decode), Ms(saliency), Ms(postTicks), Ms(encode)),
            watch.Elapsed.TotalSeconds, ids.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9), threads, post, vote?.Summary);
        File.WriteAllText(Path.Combine(outputFolder, "summary.json"), JsonSerializer.Serialize(summary, s_json));
        return summary;
    }

    /// <summary>One image: decode, saliency (or user mask), post-process, encode. Returns files written or the drop reason.</summary>
    private (int Files, string? Reason, (long Decode, long Saliency, long Post, long Encode) Ticks) ProcessOne(
        IImageDataset data, string id, PostProcessOptions post, string outputFolder, ClusterVote? vote, ImageNetFeatureGrid? grid)
    {
        long t0 = Stopwatch.GetTimestamp();
        bool user = Options.Method == ProposalMethod.User;
        if (!user && _estimator is IWorkingSizeEstimator working && data is IImageFiles imageFiles)
            return ProcessFast(imageFiles, working, id, post, outputFolder, vote, grid, t0);
        RgbImage? image = null;
        try
        {
            // User masks need only the image size, which the header gives when the dataset is made of files.
            if (!user || data is not IImageFiles)
                image = data.LoadImage(id);
        }
        catch (InvalidDataException e)
        {
            return (0, UnreadablePrefix + e.Message, (Stopwatch.GetTimestamp() - t0, 0, 0, 0));
        }
        long t1 = Stopwatch.GetTimestamp();
        SaliencyMap? map = null;
        ByteRaster? binary = null;
        if (user)
        {
            binary = LoadUserMask(data, id, image);
            if (binary is null)
                return (0, $"{NoMaskPrefix}'{id}' in '{Options.UserMaskFolder}'", (t1 - t0, Stopwatch.GetTimestamp() - t1, 0, 0));
        }
        else
        {
            map = _estimator!.Estimate(image!);
            if (grid is not null)
                map = map with { Values = vote!.Refine(image!, map.Values, map.Width, map.Height, grid) };
        }
        long t2 = Stopwatch.GetTimestamp();
        var result = binary is not null ? ProposalPostProcessor.Apply(binary, post) : ProposalPostProcessor.Apply(map!, post);
        long t3 = Stopwatch.GetTimestamp();
        int files = result.Mask is { } mask ? Write(outputFolder, id, mask) : 0;
        long t4 = Stopwatch.GetTimestamp();
        return (files, result.DropReason, (t1 - t0, t2 - t1, t3 - t2, t4 - t3));
    }

    /// <summary>
    /// The fast path for image files: decode at a reduced size (JPEG DCT scaling), estimate at the working size,
    /// then upsample and threshold in one pass. Same result as the general path up to the resampling of the input.
    /// </summary>
    private (int Files, string? Reason, (long Decode, long Saliency, long Post, long Encode) Ticks) ProcessFast(
        IImageFiles files, IWorkingSizeEstimator estimator, string id, PostProcessOptions post, string outputFolder,
        ClusterVote? vote, ImageNetFeatureGrid? grid, long t0)
    {
        RgbImage small;
        int fullW, fullH;
        try
        {
            (small, fullW, fullH) = ImageCodec.DecodeRgbReduced(files.ImagePath(id), estimator.MaxSide, files.MaxPixels);
        }
        catch (InvalidDataException e)
        {
            return (0, UnreadablePrefix + e.Message, (Stopwatch.GetTimestamp() - t0, 0, 0, 0));
        }
        long t1 = Stopwatch.GetTimestamp();
        var map = estimator.EstimateWorking(small, out int w, out int h);
        if (grid is not null)
            map = vote!.Refine(small, map, w, h, grid);
        long t2 = Stopwatch.GetTimestamp();
        var binary = new byte[fullW * fullH];
        ImageOps.ResizeThreshold(map, w, h, fullW, fullH, (float)post.Threshold, binary);
        var result = ProposalPostProcessor.Apply(new ByteRaster(fullW, fullH, binary), post);
        long t3 = Stopwatch.GetTimestamp();
        int written = result.Mask is { } mask ? Write(outputFolder, id, mask) : 0;
        long t4 = Stopwatch.GetTimestamp();
        return (written, result.DropReason, (t1 - t0, t2 - t1, t3 - t2, t4 - t3));
    }

    private static string KindOf(string? reason) =>
        reason is null ? "unknown"
        : reason.StartsWith(UnreadablePrefix, StringComparison.Ordinal) ? "unreadable-image"
        : reason.StartsWith(NoMaskPrefix, StringComparison.Ordinal) ? "missing-user-mask"
        : "too-little-foreground";

    private ByteRaster? LoadUserMask(IImageDataset data, string id, RgbImage? image)
    {
        var (w, h) = image is not null ? (image.Width, image.Height) : ImageCodec.ReadSize(((IImageFiles)data).ImagePath(id));
        return _userMasks!.Load(id, w, h);
    }

    private int Write(string outputFolder, string id, ByteRaster mask)
    {
        var masks = Options.SplitComponents ? ProposalPostProcessor.SplitComponents(mask) : [mask];
        for (int k = 0; k < masks.Count; k++)
        {
            var path = Path.Combine(outputFolder, (Options.SplitComponents ? $"{id}_{k}" : id) + ".png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, ImageCodec.EncodeGrayPng(MaskFile.To255(masks[k]), Options.PngZlibLevel));
        }
        return masks.Count;
    }
}
