using System.Diagnostics;
using System.Globalization;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Saliency;
using static TorchSharp.torch;

/// <summary>
/// How often <c>--clusters auto</c> finds the true number of object classes: fresh synthetic sets (one per family and
/// dataset seed), one prototype per (image, class present) from the frozen ImageNet ResNet-18 features (layer3, the
/// features ClusterVote uses) averaged over the class's true pixels, the protocol's PCA (32, not whitened: the default
/// preset), then <see cref="ClusterSweep"/>. It measures the rule on features that separate the classes, not a trained model.
/// usage: Experiments ksweep [--families shapes,clutter] [--seeds 1,2,3,4,5] [--images 100] [--table]
/// </summary>
static class KSweepBench
{
    public static int Run(string[] args)
    {
        string[] families = ["shapes", "clutter"];
        int[] seeds = [1, 2, 3, 4, 5];
        int images = 100;
        bool table = false, network = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--families": families = args[++i].Split(','); break;
                case "--seeds": seeds = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--images": images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--table": table = true; break;
                case "--features": network = args[++i] == "network"; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        using var grid = new ImageNetFeatureGrid(inputSize: 128);
        Console.WriteLine($"| family | dataset seed | segments | true K | auto K | ARI of auto's partition vs classes | sweep seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var hits = new Dictionary<string, int>();
        foreach (var family in families)
            foreach (int seed in seeds)
            {
                string root = Directory.CreateTempSubdirectory("mc-ksweep-").FullName;
                try
                {
                    SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: 0, ValCount: images, Seed: seed,
                        Family: Enum.Parse<SyntheticFamily>(family, ignoreCase: true)));
                    var split = new VocDataset(root, "val");
                    var (prototypes, classes) = network ? NetworkPrototypes(split) : ClassPrototypes(split, grid);
                    using (prototypes)
                    {
                        var clock = Stopwatch.StartNew();
                        var sweep = ClusterSweep.OnPrototypes(prototypes, whiten: false);
                        double seconds = clock.Elapsed.TotalSeconds;
                        int truth = classes.Distinct().Count();
                        var features = Projected(prototypes);
                        double ari = sweep.Chosen is { } k
                            ? AdjustedRandIndex.Compute(KMeans.Fit(features, new KMeansOptions(k, 1234)).Labels, classes) : double.NaN;
                        hits[family] = hits.GetValueOrDefault(family) + (sweep.Chosen == truth ? 1 : 0);
                        Console.WriteLine($"| {family} | {seed} | {sweep.Segments} | {truth} | {sweep.Chosen} | {ari:F2} | {seconds:F2} |");
                        if (table) PrintSweep(sweep);
                    }
                }
                finally { Directory.Delete(root, recursive: true); }
            }
        foreach (var family in families)
            Console.WriteLine($"{family}: auto found the true K in {hits.GetValueOrDefault(family)} of {seeds.Length} sets");
        return 0;
    }

    /// <summary>The sweep as the report's table.</summary>
    static void PrintSweep(ClusterSweep sweep)
    {
        Console.WriteLine("| K | stability (ARI) | silhouette | inertia | smallest cluster % |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var r in sweep.Rows)
            Console.WriteLine($"| {r.K}{(r.K == sweep.Chosen ? " ←" : "")} | {r.Stability:F2} | {r.Silhouette:F2} | {r.Inertia:F1} | {r.SmallestShare * 100:F1} |");
        Console.WriteLine(sweep.Reason);
    }

    // The same PCA the sweep ran on, for the ARI of auto's partition against the true classes.
    static double[,] Projected(Tensor prototypes)
    {
        var pca = Pca.Fit(prototypes, (int)Math.Min(32, prototypes.shape[0] - 1), whiten: false);
        using var projected = pca.Transform(prototypes);
        var flat = projected.data<double>().ToArray();
        int n = (int)projected.shape[0], d = (int)projected.shape[1];
        var rows = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) rows[i, j] = flat[i * d + j];
        return rows;
    }

    // The default preset's network at its initial weights (packaged ImageNet backbone, head seeded with 1), as the
    // report's "initial weights" row: per (image, class present) the protocol's prototype over the class's true pixels.
    static (Tensor Prototypes, int[] Classes) NetworkPrototypes(VocDataset split)
    {
        var config = MaskContrast.Core.Config.Presets.Load(MaskContrast.Core.Config.Presets.Default);
        int size = MaskContrast.Core.Config.InferenceSize.For(config);
        random.manual_seed(1);
        using var model = new MaskContrast.Core.Model.SegmentationModel(config.Model);
        MaskContrast.Core.Model.ImageNetResNet18.Load(model);
        model.eval();
        var rows = new List<Tensor>();
        var classes = new List<int>();
        foreach (var id in split.Ids)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var labels = NearestResize.Resize(split.LoadLabels(id)!, size, size);
            using var output = model.forward(MaskContrast.Core.Inference.ImageTensors.FixedResize(split.LoadImage(id), size).unsqueeze(0));
            foreach (int cls in labels.Values.Where(v => v is > 0 and < 255).Distinct().Order())
            {
                var mask = tensor(labels.Values.Select(v => v == cls ? 1f : 0f).ToArray(), [1, size, size]);
                rows.Add(PrototypeFromEmbedding.Compute(output.Embeddings, mask).MoveToOuterDisposeScope());
                classes.Add(cls - 1);
            }
        }
        var all = cat(rows, 0);
        foreach (var r in rows) r.Dispose();
        return (all, classes.ToArray());
    }

    // One unit-length prototype per (image, object class present): the mean feature over the grid cells of that class.
    static (Tensor Prototypes, int[] Classes) ClassPrototypes(VocDataset split, ImageNetFeatureGrid grid)
    {
        var rows = new List<float[]>();
        var classes = new List<int>();
        int g = grid.GridSide, c = ImageNetFeatureGrid.Channels;
        foreach (var id in split.Ids)
        {
            float[] features = grid.Features(split.LoadImage(id));   // [g², C]
            var labels = NearestResize.Resize(split.LoadLabels(id)!, g, g);
            foreach (int cls in labels.Values.Where(v => v is > 0 and < 255).Distinct().Order())
            {
                var sum = new float[c];
                for (int cell = 0; cell < g * g; cell++)
                    if (labels.Values[cell] == cls)
                        for (int j = 0; j < c; j++) sum[j] += features[cell * c + j];
                float norm = MathF.Sqrt(sum.Sum(v => v * v));
                rows.Add(sum.Select(v => v / norm).ToArray());
                classes.Add(cls - 1);
            }
        }
        return (tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, c]), classes.ToArray());
    }
}
