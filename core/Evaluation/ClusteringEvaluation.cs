using MaskContrast.Core.Data;
using static TorchSharp.torch;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Evaluation;

/// <summary>A protocol's score over the seeds: mean and spread of mIoU, the per-seed values, per-class IoU of the best seed.</summary>
public sealed record ProtocolSummary(double MeanIoU, double StdIoU, double[] PerSeed, double[] ClassIoU)
{
    public static ProtocolSummary From(ClusteringProtocolResult r) =>
        new(r.MeanIoU, r.StdIoU, r.PerSeed.Select(s => s.MeanIoU).ToArray(), r.Best.Scores.IoU);
}

/// <summary>
/// Every number of a K-means evaluation, computed by the same code in the same run: the trained model with its own
/// saliency masks (the official protocol) and with the true foreground (prototype = normalised mean embedding over the true
/// object, painted on it: the representation judged without the saliency head), the same network untrained, k-means on
/// raw pixel colours, and the chance level (true foreground, a random cluster per image). <see cref="PerObject"/> is the
/// trained model with one cluster per object of its own masks (<see cref="ObjectClusteringProtocol"/>); <see cref="Whitened"/>
/// says whether the PCA was whitened and <see cref="Assignment"/> which of the two the model bundle segments with.
/// <see cref="PerImageCeiling"/> is the best any one-cluster-per-image protocol can score on the split (true foreground,
/// each image's majority class): on data whose images hold several classes it caps the official protocol.
/// <see cref="Sweep"/> is the K sweep over the prototypes the bundle's assignment clusters; <see cref="AutoClusters"/> says
/// that <see cref="NumClasses"/> − 1 is the sweep's pick (unlabelled data, <c>--clusters auto</c>).
/// </summary>
public sealed record ClusteringReport(
    int Images, int Size, int NumClasses, int[] Seeds,
    ProtocolSummary Trained, ProtocolSummary TrainedTrueForeground,
    ProtocolSummary? Untrained, ProtocolSummary? UntrainedTrueForeground,
    ProtocolSummary RawColours, ProtocolSummary Chance,
    double SaliencyIoU, ProtocolSummary? PixelClustering,
    ProtocolSummary? PerObject = null, bool Whitened = true, ClusterAssignment Assignment = ClusterAssignment.Image, double? PerImageCeiling = null,
    ClusterSweep? Sweep = null, bool AutoClusters = false)
{
    /// <summary>The score of the assignment the model bundle segments with.</summary>
    public ProtocolSummary Headline => Assignment == ClusterAssignment.Object && PerObject is not null ? PerObject : Trained;
}

/// <summary>Builds a <see cref="ClusteringReport"/> from the outputs of <see cref="SplitInference"/>.</summary>
public static class ClusteringEvaluation
{
    /// <returns>The report, and the trained model's per-image and per-object protocol results (the PCA and best centroids of
    /// one of them go into the model bundle; the per-object one is null when the split has fewer objects than clusters).</returns>
    public static (ClusteringReport Report, ClusteringProtocolResult Trained, ClusteringProtocolResult? PerObject) Evaluate(
        SplitOutputs trained, SplitOutputs? untrained, ClusteringProtocolOptions options)
    {
        var result = KMeansProtocol.Evaluate(trained.Prototypes, trained.PredictedMasks, trained.GroundTruth, options);
        var perObject = trained.ObjectPrototypes.shape[0] >= options.NumClasses - 1
            ? ObjectClusteringProtocol.Evaluate(trained.ObjectPrototypes, trained.Objects, trained.GroundTruth, options) : null;
        var withTrueFg = KMeansProtocol.Evaluate(trained.TrueForegroundPrototypes, trained.TrueMasks, trained.GroundTruth, options);
        ProtocolSummary? untrainedOwn = null, untrainedTrue = null;
        if (untrained is not null)
        {
            untrainedOwn = ProtocolSummary.From(KMeansProtocol.Evaluate(untrained.Prototypes, untrained.PredictedMasks, untrained.GroundTruth, options));
            untrainedTrue = ProtocolSummary.From(KMeansProtocol.Evaluate(untrained.TrueForegroundPrototypes, untrained.TrueMasks, untrained.GroundTruth, options));
        }
        var report = new ClusteringReport(
            trained.Ids.Count, trained.GroundTruth[0].Width, options.NumClasses, [.. options.EffectiveSeeds],
            ProtocolSummary.From(result), ProtocolSummary.From(withTrueFg), untrainedOwn, untrainedTrue,
            RawColourBaseline(trained.Colours, trained.GroundTruth, options),
            ProtocolSummary.From(KMeansProtocol.ChanceLevel(trained.TrueMasks, trained.GroundTruth, options)),
            ForegroundIoU(trained.PredictedMasks, trained.TrueMasks), PixelClustering: null,
            perObject is null ? null : ProtocolSummary.From(perObject), options.Whiten,
            PerImageCeiling: PerImageCeiling(trained.TrueMasks, trained.GroundTruth, options.NumClasses));
        return (report, result, perObject);
    }

    /// <summary>mIoU of the true foreground with every image's object pixels given its majority class, background elsewhere.</summary>
    public static double PerImageCeiling(IReadOnlyList<ByteRaster> trueMasks, IReadOnlyList<ByteRaster> groundTruth, int classes)
    {
        var meter = new SegmentationMeter(classes);
        for (int i = 0; i < trueMasks.Count; i++)
        {
            byte majority = (byte)(SegmentRetrieval.MajorityObjectClass(trueMasks[i], groundTruth[i]) ?? 0);
            meter.Update(KMeansProtocol.PaintMask(trueMasks[i], majority), groundTruth[i]);
        }
        return meter.Scores().MeanIoU;
    }

    /// <summary>IoU of predicted and true foreground, accumulated over the split.</summary>
    public static double ForegroundIoU(IReadOnlyList<ByteRaster> predicted, IReadOnlyList<ByteRaster> truth)
    {
        long inter = 0, union = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            byte[] mine = predicted[i].Values, theirs = truth[i].Values;   // once per image: the lists may make them on access
            for (int p = 0; p < mine.Length; p++)
            {
                bool a = mine[p] != 0, b = theirs[p] != 0;
                if (a && b) inter++;
                if (a || b) union++;
            }
        }
        return union == 0 ? 0 : (double)inter / union;
    }

    /// <summary>
    /// k-means of raw RGB pixel values into C clusters (no network, no saliency), every pixel labelled with its cluster,
    /// then the same Hungarian matching and mIoU. A floor that any learned representation should clear.
    /// </summary>
    public static ProtocolSummary RawColourBaseline(IReadOnlyList<RgbImage> images, IReadOnlyList<ByteRaster> groundTruth,
        ClusteringProtocolOptions options)
    {
        const int samplesPerImage = 64;
        int c = options.NumClasses;
        var seeds = options.EffectiveSeeds.ToArray();
        // Two passes over the images for all seeds together (a seed's draws are still in image order): the images may be
        // read again from the dataset on each access. One label buffer for every image and seed, not a double[S², 3]
        // copy of the pixels and an int[] of labels per image and seed (2.3 MB of large-object garbage each at 288²).
        var randoms = seeds.Select(seed => new Random(seed)).ToArray();
        var samples = seeds.Select(_ => new double[images.Count * samplesPerImage, 3]).ToArray();
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            for (int k = 0; k < seeds.Length; k++)
                for (int s = 0, row = i * samplesPerImage; s < samplesPerImage; s++, row++)
                {
                    int p = randoms[k].Next(image.PixelCount);
                    for (int ch = 0; ch < 3; ch++) samples[k][row, ch] = image.Rgb[3 * p + ch];
                }
        }
        var centroids = seeds.Select((seed, k) => KMeans.Fit(samples[k], new KMeansOptions(c, seed, Restarts: 3)).Centroids).ToArray();
        var meters = seeds.Select(_ => new SegmentationMeter(c)).ToArray();
        var labels = Array.Empty<byte>();
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            if (labels.Length != image.PixelCount) labels = new byte[image.PixelCount];
            for (int k = 0; k < seeds.Length; k++)
            {
                NearestColour(centroids[k], image.Rgb, labels);
                meters[k].Update(labels, groundTruth[i].Values);
            }
        }
        var outcomes = meters.Select(meter => ClusterMatching.MatchAndScore(meter).Scores).Select(scores => (Miou: scores.MeanIoU, ClassIoU: scores.IoU)).ToList();
        var per = outcomes.Select(o => o.Miou).ToArray();
        double mean = per.Average();
        int best = Array.IndexOf(per, per.Max());
        return new ProtocolSummary(mean, Math.Sqrt(per.Select(v => (v - mean) * (v - mean)).Average()), per, outcomes[best].ClassIoU);
    }

    /// <summary>Each pixel of <paramref name="rgb"/> (interleaved RGB) labelled with its nearest centroid (squared RGB distance,
    /// the lowest index on ties), written into <paramref name="labels"/>.</summary>
    static void NearestColour(double[,] centroids, byte[] rgb, byte[] labels)
    {
        int k = centroids.GetLength(0);
        const int Chunk = 4096;
        Parallel.For(0, (labels.Length + Chunk - 1) / Chunk, chunk =>
        {
            int end = Math.Min(labels.Length, (chunk + 1) * Chunk);
            for (int p = chunk * Chunk; p < end; p++)
            {
                double r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2], best = double.MaxValue;
                int nearest = 0;
                for (int c = 0; c < k; c++)
                {
                    double dr = r - centroids[c, 0], dg = g - centroids[c, 1], db = b - centroids[c, 2];
                    double d = dr * dr + dg * dg + db * db;
                    if (d < best) { best = d; nearest = c; }
                }
                labels[p] = (byte)nearest;
            }
        });
    }
}
