using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using MaskContrast.Core.Saliency;
using static TorchSharp.torch;

namespace MaskContrast.Bench.Proposals;

/// <summary>
/// How good can masks from frozen ImageNet features of grid cells be? Two bounds that use the true foreground, which
/// the product never has: (1) the cluster vote's k-means clusters, each chosen by whether most of its cells are true
/// foreground; (2) a ridge regression fitted to each cell's true foreground share, thresholded. Both at the vote's
/// grid (256² input, 32² cells), on layer3 and on layer2 + layer3 features; IoU of the bilinearly upsampled cell mask
/// alone and combined with MB+ the way the vote combines (vote + MB+ &gt; 1).
/// </summary>
internal static class VoteBound
{
    const int InputSize = 256, Grid = InputSize / 8;

    sealed record Cells(int Width, int Height, float[] MbPlus, byte[] Truth, double[] MbPlusCell, double[] TruthCell, float[] Layer2, float[] Layer3);

    public static void Run(string root)
    {
        var data = new VocDataset(root, "val");
        var images = Extract(data);
        Console.WriteLine($"{root}: {images.Count} val images, MB+ IoU {images.Average(i => IoU(i, i.MbPlus.Select(v => v > 0.5f).ToArray())):F3}");
        foreach (var layers in new[] { "layer3", "layer2+3" })
        {
            Func<Cells, int, float[]> feature = layers == "layer3" ? (i, c) => i.Layer3.AsSpan(c * 256, 256).ToArray() : Concatenated;
            var (alone, combined) = Score(images, ClusterOracle(images, feature));
            Console.WriteLine($"{layers,-9} clusters (k 16) chosen by the truth: alone {alone:F3}, with MB+ {combined:F3}");
            foreach (double t in new[] { 0.3, 0.4, 0.5 })
            {
                (alone, combined) = Score(images, RidgeOnTruth(images, feature, t));
                Console.WriteLine($"{layers,-9} ridge on the true share, threshold {t}: alone {alone:F3}, with MB+ {combined:F3}");
            }
        }
    }

    static float[] Concatenated(Cells i, int c)
    {
        var f = new float[384];
        i.Layer2.AsSpan(c * 128, 128).CopyTo(f);
        i.Layer3.AsSpan(c * 256, 256).CopyTo(f.AsSpan(128));
        return f;
    }

    static List<Cells> Extract(VocDataset data)
    {
        using var backbone = Backbone.Create(new ModelConfig { Backbone = BackboneName.MlNetResNet18, OutputStride = OutputStride.Eight });
        var state = ImageNetResNet18.ReadStateDict(ImageNetResNet18.OnnxPath);
        backbone.load_state_dict(state);
        backbone.eval();
        var mbPlus = new MbPlusSaliency();
        var list = new List<Cells>();
        foreach (var id in data.Ids)
        {
            var image = data.LoadImage(id);
            var map = mbPlus.Estimate(image);
            var truth = SaliencyEvaluation.GroundTruth(data, id)!;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (l2, l3) = backbone.ThroughLayers2And3(ImageTensors.FixedResize(image, InputSize).unsqueeze(0));
            list.Add(new Cells(image.Width, image.Height, map.Values, truth.Values,
                ClusterVote.GridAverage(map.Values, map.Width, map.Height, Grid),
                ClusterVote.GridAverage(truth.Values.Select(v => v == 1 ? 1f : 0f).ToArray(), truth.Width, truth.Height, Grid),
                UnitRows(l2), UnitRows(l3)));
        }
        return list;
    }

    static float[] UnitRows(Tensor f)
    {
        f = f[0];
        return nn.functional.normalize(f.reshape(f.shape[0], -1).t(), dim: 1).contiguous().data<float>().ToArray();
    }

    /// <summary>Per image, per cell: foreground or not, by the clusters whose fitted cells are mostly true foreground.</summary>
    static List<bool[]> ClusterOracle(List<Cells> images, Func<Cells, int, float[]> feature)
    {
        var random = new Random(7);
        var drawn = images.SelectMany(i => Enumerable.Range(0, Grid * Grid).OrderBy(_ => random.Next()).Take(128).Select(c => (i, c))).ToList();
        int d = feature(images[0], 0).Length;
        var points = new double[drawn.Count, d];
        for (int p = 0; p < drawn.Count; p++) { var f = feature(drawn[p].i, drawn[p].c); for (int j = 0; j < d; j++) points[p, j] = f[j]; }
        var fit = KMeans.Fit(points, new KMeansOptions(16, 7, Restarts: 2, MaxIterations: 50));
        var truth = new double[16];
        var count = new double[16];
        for (int p = 0; p < drawn.Count; p++) { truth[fit.Labels[p]] += drawn[p].i.TruthCell[drawn[p].c]; count[fit.Labels[p]]++; }
        var chosen = Enumerable.Range(0, 16).Select(k => count[k] > 0 && truth[k] / count[k] > 0.5).ToArray();
        return images.Select(i =>
        {
            var cells = new double[Grid * Grid, d];
            for (int c = 0; c < Grid * Grid; c++) { var f = feature(i, c); for (int j = 0; j < d; j++) cells[c, j] = f[j]; }
            return KMeans.Predict(fit.Centroids, cells).Select(k => chosen[k]).ToArray();
        }).ToList();
    }

    /// <summary>Per image, per cell: is the ridge prediction (λ 1) of the cell's true foreground share above <paramref name="threshold"/>.</summary>
    static List<bool[]> RidgeOnTruth(List<Cells> images, Func<Cells, int, float[]> feature, double threshold)
    {
        int d = feature(images[0], 0).Length + 1;
        var gram = new double[d, d];
        var rhs = new double[d];
        var random = new Random(7);
        foreach (var i in images)
            foreach (int c in Enumerable.Range(0, Grid * Grid).OrderBy(_ => random.Next()).Take(256))
            {
                var x = feature(i, c).Select(v => (double)v).Append(1.0).ToArray();
                for (int r = 0; r < d; r++) { rhs[r] += x[r] * i.TruthCell[c]; for (int q = 0; q < d; q++) gram[r, q] += x[r] * x[q]; }
            }
        for (int r = 0; r < d - 1; r++) gram[r, r] += 1.0;
        var w = Solve(gram, rhs);
        return images.Select(i => Enumerable.Range(0, Grid * Grid)
            .Select(c => feature(i, c).Select((v, j) => v * w[j]).Sum() + w[d - 1] > threshold).ToArray()).ToList();
    }

    static (double Alone, double Combined) Score(List<Cells> images, List<bool[]> cellMasks)
    {
        double alone = 0, combined = 0;
        for (int n = 0; n < images.Count; n++)
        {
            var i = images[n];
            var up = ImageOps.ResizeBilinear(cellMasks[n].Select(b => b ? 1f : 0f).ToArray(), Grid, Grid, i.Width, i.Height);
            alone += IoU(i, up.Select(v => v > 0.5f).ToArray());
            combined += IoU(i, up.Select((v, p) => v + i.MbPlus[p] > 1f).ToArray());
        }
        return (alone / images.Count, combined / images.Count);
    }

    /// <summary>Gaussian elimination with partial pivoting (the system is small and well conditioned by the ridge).</summary>
    static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var v = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c])) pivot = r;
            for (int q = 0; q < n; q++) (m[c, q], m[pivot, q]) = (m[pivot, q], m[c, q]);
            (v[c], v[pivot]) = (v[pivot], v[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int q = c; q < n; q++) m[r, q] -= f * m[c, q];
                v[r] -= f * v[c];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = v[r];
            for (int q = r + 1; q < n; q++) s -= m[r, q] * x[q];
            x[r] = s / m[r, r];
        }
        return x;
    }

    static double IoU(Cells i, bool[] predicted)
    {
        int inter = 0, union = 0;
        for (int p = 0; p < predicted.Length; p++)
        {
            if (i.Truth[p] == 255) continue;
            bool truth = i.Truth[p] == 1;
            if (predicted[p] && truth) inter++;
            if (predicted[p] || truth) union++;
        }
        return union == 0 ? 1 : inter / (double)union;
    }
}
