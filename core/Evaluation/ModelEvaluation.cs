using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>Settings of an evaluation run.</summary>
/// <param name="Size">Evaluation resolution S (FixedResize S×S). Paper: 512 (VOC); the pipeline passes <see cref="Config.InferenceSize.For"/> unless told otherwise.</param>
/// <param name="NumClasses">Classes including background; null = detected from the ground truth (largest label + 1).</param>
/// <param name="Seeds">k-means seeds; null = the official 1234..1238.</param>
/// <param name="IncludeUntrained">Also evaluate the same network at its initial weights (same seed, and the packaged ImageNet
/// backbone when the run started from it), the yardstick for learning.</param>
/// <param name="PixelClustering">Also run the pixel-level variant (several clusters per image, for multi-object scenes).</param>
/// <param name="AutoClusters">Without ground truth and without <paramref name="NumClasses"/>: cluster into the K that the
/// K sweep (<see cref="ClusterSweep"/>, run on every evaluation) picks. With ground truth the protocol keeps C − 1.</param>
public sealed record EvaluationOptions(int Size = 512, int? NumClasses = null, IReadOnlyList<int>? Seeds = null,
    bool IncludeUntrained = true, int BatchSize = 8, bool PixelClustering = false, bool AutoClusters = false)
{
    public void Validate()
    {
        if (AutoClusters && NumClasses is not null) throw new ArgumentException($"give either NumClasses ({NumClasses}) or AutoClusters, not both", nameof(AutoClusters));
        if (Size is < 16 or > 2048) throw new ArgumentOutOfRangeException(nameof(Size), Size, "evaluation size must be in 16..2048 (paper: 512)");
        if (NumClasses is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "classes must be in 2..255");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
    }
}

/// <summary>Images with their ground truth and predicted class maps at the evaluation size, and every cluster's contact
/// sheet, for reports.</summary>
public sealed record EvaluationSamples(IReadOnlyList<RgbImage> Images, IReadOnlyList<ByteRaster> Truth, IReadOnlyList<ByteRaster> Prediction,
    ContactSheets? Sheets = null);

/// <summary>Evaluates a trained query encoder on a labelled split and packages it with its clusters as a <see cref="ModelBundle"/>.</summary>
public static class ModelEvaluation
{
    /// <returns>The report, the bundle (owned by the caller) and up to <paramref name="samples"/> images with ground truth and matched prediction.</returns>
    public static (ClusteringReport Report, ModelBundle Bundle, EvaluationSamples Samples) Run(SegmentationModel trained, TrainingConfig config, IImageDataset split,
        EvaluationOptions options, string[]? classNames = null, string? sourceRun = null, int epoch = 0,
        IProgress<string>? progress = null, int samples = 8, CancellationToken cancellationToken = default)
    {
        using var outputs = Embed(trained, split, options, progress, cancellationToken);
        return Evaluate(outputs, trained, config, split, options, classNames, sourceRun, epoch, progress, samples, cancellationToken);
    }

    /// <summary>The trained network's outputs on the split as <see cref="Evaluate"/> needs them (embeddings kept only for pixel clustering).</summary>
    public static SplitOutputs Embed(SegmentationModel trained, IImageDataset split, EvaluationOptions options,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        progress?.Report($"embedding {split.Ids.Count} images at {options.Size}×{options.Size}");
        return SplitInference.Run(trained, split, options.Size, options.BatchSize, null, cancellationToken, options.PixelClustering);
    }

    /// <summary><see cref="Run"/> on outputs the caller has already computed with <see cref="Embed"/>, so that other protocols can read them too.</summary>
    public static (ClusteringReport Report, ModelBundle Bundle, EvaluationSamples Samples) Evaluate(SplitOutputs outputs, SegmentationModel trained,
        TrainingConfig config, IImageDataset split, EvaluationOptions options, string[]? classNames = null, string? sourceRun = null, int epoch = 0,
        IProgress<string>? progress = null, int samples = 8, CancellationToken cancellationToken = default)
    {
        options.Validate();
        outputs.RequireComputedOn(split, options.Size, withEmbeddings: options.PixelClustering);
        // The sweep runs on every evaluation (seconds at most; bench/README.md): it is the only evidence for K without labels,
        // and with labels it shows how the label-free pick compares with the true C − 1.
        bool objects = config.Evaluation.Assignment == ClusterAssignment.Object;
        progress?.Report("K sweep: k-means stability, silhouette and cluster sizes for K in " + string.Join(", ", ClusterSweepOptions.DefaultKs));
        var sweep = ClusterSweep.OnPrototypes(objects ? outputs.ObjectPrototypes : outputs.Prototypes, config.Evaluation.Whiten, cancellationToken: cancellationToken);
        int? labelled = DetectClasses(outputs.GroundTruth);
        bool auto = options.AutoClusters && labelled is null;
        int classes = options.NumClasses ?? labelled
            ?? (!options.AutoClusters ? throw new InvalidDataException("the split has no ground truth; give the number of classes (object clusters + 1) explicitly")
                : sweep.Chosen + 1 ?? throw new InvalidDataException($"clusters auto: {sweep.Reason}; the split has {sweep.Segments} segments. Give the number of clusters instead"));
        var protocol = new ClusteringProtocolOptions(NumClasses: classes, Seeds: options.Seeds, Whiten: config.Evaluation.Whiten);
        SplitOutputs? untrained = null;
        try
        {
            if (options.IncludeUntrained)
            {
                progress?.Report("embedding with the untrained network");
                random.manual_seed(config.Schedule.Seed);   // the same initial weights the run started from (Trainer seeds the same way)
                using (var initial = new SegmentationModel(config.Model))
                {
                    // Packaged ImageNet weights are part of the start too; a file a user brought (imagenet, moco) is not at hand here.
                    if (config.Model.Pretraining == PretrainingSource.MlNetImageNet) ImageNetResNet18.Load(initial);
                    initial.to(trained.parameters().First().device);
                    untrained = SplitInference.Run(initial, split, options.Size, options.BatchSize, null, cancellationToken, sameSplit: outputs);
                }
                NativeHeap.Trim();   // the untrained network's weights
            }
            progress?.Report($"clustering into {classes - 1} object clusters over {protocol.EffectiveSeeds.Count} seeds");
            var (report, perImage, perObject) = ClusteringEvaluation.Evaluate(outputs, untrained, protocol);
            bool byObject = config.Evaluation.Assignment == ClusterAssignment.Object && perObject is not null;
            var result = byObject ? perObject! : perImage;
            report = report with { Assignment = byObject ? ClusterAssignment.Object : ClusterAssignment.Image, Sweep = sweep, AutoClusters = auto };
            long salient = outputs.PredictedMasks.Sum(m => m.Values.Count(v => v != 0));
            if (options.PixelClustering && salient < classes - 1)
                progress?.Report($"pixel-level clustering skipped: only {salient} salient pixels in the split");
            else if (options.PixelClustering)
            {
                progress?.Report("pixel-level clustering");
                report = report with { PixelClustering = ProtocolSummary.From(
                    PixelClusteringProtocol.Evaluate(outputs.Embeddings, outputs.PredictedMasks, outputs.GroundTruth, protocol)) };
            }
            var bundle = ModelBundle.Create(trained, config, options.Size, result, classNames, sourceRun, epoch, report.Assignment);
            var sheets = ClusterContactSheets.Build(outputs, result, byObject, labelled: labelled is not null);
            return (report, bundle, Samples(outputs, result, samples, byObject) with { Sheets = sheets });
        }
        finally { untrained?.Dispose(); }
    }

    /// <summary>The first images of the split with their ground truth and the prediction of the best seed, mapped to classes.</summary>
    static EvaluationSamples Samples(SplitOutputs outputs, ClusteringProtocolResult result, int count, bool byObject)
    {
        count = Math.Min(count, outputs.Ids.Count);
        var best = result.Best;
        byte ClassOf(int label) => (byte)Math.Max(0, best.LabelToClass[label]);
        var predictions = new List<ByteRaster>();
        if (byObject)
        {
            int objects = outputs.Objects.Take(count).Sum(o => o.Count), first = 0;
            var clusters = objects == 0 ? [] : KMeansProtocol.AssignClusters(result.Pca!, best.Centroids, outputs.ObjectPrototypes.narrow(0, 0, objects));
            for (int i = 0; i < count; i++)
            {
                var segments = outputs.Objects[i];
                var classes = clusters.Skip(first).Take(segments.Count).Select(c => ClassOf(c + 1)).ToArray();
                predictions.Add(segments.Paint(classes, ClassOf(0)));
                first += segments.Count;
            }
        }
        else
        {
            var clusters = KMeansProtocol.AssignClusters(result.Pca!, best.Centroids, outputs.Prototypes.narrow(0, 0, count));
            for (int i = 0; i < count; i++)
            {
                var mask = outputs.PredictedMasks[i];
                byte fg = ClassOf(clusters[i] + 1), bg = ClassOf(0);
                predictions.Add(new ByteRaster(mask.Width, mask.Height, mask.Values.Select(v => v != 0 ? fg : bg).ToArray()));
            }
        }
        return new EvaluationSamples(outputs.Colours.Take(count).ToList(), outputs.GroundTruth.Take(count).ToList(), predictions);
    }

    /// <summary>Largest class index in the ground truth (255 excluded) + 1, at least 2; null when every pixel is ignored.</summary>
    public static int? DetectClasses(IReadOnlyList<ByteRaster> groundTruth)
    {
        int max = -1;
        foreach (var g in groundTruth)
            foreach (byte v in g.Values)
                if (v != SegmentationMeter.IgnoreIndex && v > max) max = v;
        return max < 0 ? null : Math.Max(2, max + 1);
    }
}
