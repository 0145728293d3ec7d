using System.Diagnostics;
using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>Measures estimators against a dataset's ground-truth foreground.</summary>
public static class SaliencyEvaluation
{
    /// <summary>
    /// Runs <paramref name="estimator"/> and the post-processing on every image that has ground truth (class labels
    /// if the dataset has them, else its masks) and returns the dataset-level metrics and the elapsed seconds.
    /// Images without ground truth are skipped.
    /// </summary>
    public static (QualityReport Report, double Seconds) Evaluate(IImageDataset data, ISaliencyEstimator estimator,
        PostProcessOptions? post = null, int maxDegreeOfParallelism = -1)
    {
        var total = new QualityAccumulator();
        var watch = Stopwatch.StartNew();
        Parallel.ForEach(data.Ids, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new QualityAccumulator(),
            (id, _, local) =>
            {
                var truth = GroundTruth(data, id);
                if (truth is null)
                    return local;
                var map = estimator.Estimate(data.LoadImage(id));
                local.Add(map, ProposalPostProcessor.Apply(map, post).Mask, truth);
                return local;
            },
            local => { lock (total) total.Merge(local); });
        return (total.Report(), watch.Elapsed.TotalSeconds);
    }

    /// <summary>Foreground ground truth of an image (0/1, 255 = ignore), or null when the dataset has none.</summary>
    public static ByteRaster? GroundTruth(IImageDataset data, string id)
    {
        var labels = data.LoadLabels(id);
        if (labels is not null)
            return SaliencyMetrics.ForegroundFromLabels(labels);
        return data.LoadMask(id);
    }
}
