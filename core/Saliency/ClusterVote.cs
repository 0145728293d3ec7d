using System.Numerics.Tensors;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Core.Saliency;

/// <summary>Settings of <see cref="ClusterVote.Fit"/>.</summary>
/// <param name="Clusters">k-means clusters over the ImageNet features of the dataset's grid cells.</param>
/// <param name="MaxDisagreement">Above this share-weighted binary entropy (bits) of the clusters' mean saliency, the
/// saliency estimator is taken to disagree with what recurs in the dataset and the vote refines its maps.</param>
/// <param name="VoteFactor">A cluster votes foreground when its mean saliency exceeds this multiple of the dataset's.</param>
/// <param name="MaxFitImages">Images (evenly spaced over the dataset) the clusters are fitted on.</param>
/// <param name="CellsPerImage">Grid cells drawn from each of those images for the fit.</param>
/// <param name="Seed">Seeds the cell draw and k-means: the same images give the same vote.</param>
public sealed record ClusterVoteOptions(int Clusters = 16, double MaxDisagreement = 0.5, double VoteFactor = 1.5,
    int MaxFitImages = 400, int CellsPerImage = 128, int Seed = 7)
{
    /// <summary>Fewer readable images than this and the vote is not used (too little to tell what recurs).</summary>
    public const int MinImages = 8;
}

/// <summary>
/// A dataset-level check of saliency proposals (ours, not in the official code). MB+ marks whatever stands out from the
/// image border; on cluttered scenes that includes background texture and distractor shapes, and its masks fall to
/// chance (IoU 0.23 on the <c>clutter</c> family against 0.96 on <c>shapes</c>). What the objects of a dataset share is
/// their appearance across images, which frozen ImageNet features capture: cluster every grid cell's layer3 feature
/// over the dataset and look at each cluster's mean saliency. When saliency agrees with the features, each cluster is
/// almost all salient or all background (low <see cref="Disagreement"/>: 0.24 on <c>shapes</c>) and MB+ is kept as is.
/// When it does not (0.90 on <c>clutter</c>), the clusters MB+ marks clearly more than average (<see cref="Foreground"/>)
/// become the object mask, its edges taken from MB+: a pixel is foreground when vote + saliency &gt; 1.
/// </summary>
/// <param name="Centroids">k-means centres of the fitted cells' unit-length features.</param>
/// <param name="Foreground">Per cluster: does it vote foreground.</param>
/// <param name="ClusterSaliency">Per cluster: mean saliency of its fitted cells.</param>
/// <param name="ClusterShare">Per cluster: share of the fitted cells.</param>
/// <param name="MeanSaliency">Mean saliency of all fitted cells.</param>
/// <param name="Disagreement">Share-weighted binary entropy of <paramref name="ClusterSaliency"/>, in bits (0–1).</param>
/// <param name="UseVote">Whether proposals are refined by the vote (disagreement above the limit).</param>
/// <param name="Images">Images the clusters were fitted on.</param>
/// <param name="InputSize">Side of the feature grid's square input.</param>
public sealed record ClusterVote(float[][] Centroids, bool[] Foreground, double[] ClusterSaliency, double[] ClusterShare,
    double MeanSaliency, double Disagreement, bool UseVote, int Images, int InputSize)
{
    /// <summary>What was found and decided.</summary>
    public ClusterVoteSummary Summary => new(Disagreement, UseVote, Images, Foreground.Count(f => f), Centroids.Length);

    /// <summary>
    /// Fits the clusters on up to <see cref="ClusterVoteOptions.MaxFitImages"/> images of <paramref name="ids"/> and
    /// decides whether the vote is used. Unreadable images are skipped (the proposal generator reports them).
    /// </summary>
    public static ClusterVote Fit(IImageDataset data, IReadOnlyList<string> ids, ISaliencyEstimator saliency, ImageNetFeatureGrid grid,
        ClusterVoteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClusterVoteOptions();
        int step = Math.Max(1, (int)Math.Ceiling(ids.Count / (double)options.MaxFitImages));
        int cells = grid.GridSide * grid.GridSide;
        int draw = Math.Min(options.CellsPerImage, cells);
        var random = new Random(options.Seed);
        var features = new List<float[]>();
        var cellSaliency = new List<double>();
        int images = 0;
        for (int i = 0; i < ids.Count; i += step)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RgbImage image;
            try { image = data.LoadImage(ids[i]); }
            catch (InvalidDataException) { continue; }
            var map = saliency.Estimate(image);
            var perCell = GridAverage(map.Values, map.Width, map.Height, grid.GridSide);
            var f = grid.Features(image);
            foreach (int c in Enumerable.Range(0, cells).OrderBy(_ => random.Next()).Take(draw))
            {
                features.Add(f.AsSpan(c * ImageNetFeatureGrid.Channels, ImageNetFeatureGrid.Channels).ToArray());
                cellSaliency.Add(perCell[c]);
            }
            images++;
        }
        int k = options.Clusters;
        if (images < ClusterVoteOptions.MinImages || features.Count < k)
            return new ClusterVote([], [], [], [], 0, 0, UseVote: false, images, grid.InputSize);

        var points = new double[features.Count, ImageNetFeatureGrid.Channels];
        for (int p = 0; p < features.Count; p++)
            for (int d = 0; d < ImageNetFeatureGrid.Channels; d++) points[p, d] = features[p][d];
        var fit = KMeans.Fit(points, new KMeansOptions(k, options.Seed, Restarts: 2, MaxIterations: 50));

        var sum = new double[k];
        var count = new double[k];
        for (int p = 0; p < fit.Labels.Length; p++) { sum[fit.Labels[p]] += cellSaliency[p]; count[fit.Labels[p]]++; }
        double mean = cellSaliency.Average();
        var clusterSaliency = Enumerable.Range(0, k).Select(c => count[c] > 0 ? sum[c] / count[c] : 0).ToArray();
        var share = count.Select(n => n / features.Count).ToArray();
        double disagreement = Enumerable.Range(0, k).Sum(c => share[c] * BinaryEntropy(clusterSaliency[c]));
        var foreground = clusterSaliency.Select(s => s > options.VoteFactor * mean).ToArray();
        var centroids = Enumerable.Range(0, k)
            .Select(c => Enumerable.Range(0, ImageNetFeatureGrid.Channels).Select(d => (float)fit.Centroids[c, d]).ToArray()).ToArray();
        return new ClusterVote(centroids, foreground, clusterSaliency, share, mean, disagreement,
            UseVote: disagreement > options.MaxDisagreement && foreground.Any(f => f), images, grid.InputSize);
    }

    /// <summary>
    /// The refined saliency of one image at <paramref name="width"/> × <paramref name="height"/>: (vote + saliency) / 2,
    /// so the proposal threshold 0.5 keeps the voted cells' pixels that the estimator marks at all. Unchanged when the
    /// vote is not used.
    /// </summary>
    public float[] Refine(RgbImage image, ReadOnlySpan<float> saliency, int width, int height, ImageNetFeatureGrid grid)
    {
        if (!UseVote) return saliency.ToArray();
        if (grid.InputSize != InputSize)
            throw new ArgumentException($"the vote was fitted on a {InputSize}² feature grid, not {grid.InputSize}²", nameof(grid));
        var vote = ImageOps.ResizeBilinear(VoteGrid(grid.Features(image)), grid.GridSide, grid.GridSide, width, height);
        for (int p = 0; p < vote.Length; p++) vote[p] = 0.5f * (vote[p] + saliency[p]);
        return vote;
    }

    /// <summary>1 where a cell's nearest centre votes foreground, else 0.</summary>
    internal float[] VoteGrid(float[] features)
    {
        int cells = features.Length / ImageNetFeatureGrid.Channels;
        var squaredNorm = Centroids.Select(c => TensorPrimitives.Dot<float>(c, c)).ToArray();
        var vote = new float[cells];
        for (int cell = 0; cell < cells; cell++)
        {
            var x = features.AsSpan(cell * ImageNetFeatureGrid.Channels, ImageNetFeatureGrid.Channels);
            int best = 0;
            float bestDistance = float.MaxValue;
            for (int c = 0; c < Centroids.Length; c++)
            {
                float distance = squaredNorm[c] - 2 * TensorPrimitives.Dot(x, Centroids[c]);   // ‖x − c‖² − ‖x‖²
                if (distance < bestDistance) { bestDistance = distance; best = c; }
            }
            vote[cell] = Foreground[best] ? 1 : 0;
        }
        return vote;
    }

    /// <summary>Mean of <paramref name="values"/> (w × h) over each cell of a side × side grid laid over the whole image.</summary>
    internal static double[] GridAverage(float[] values, int width, int height, int side)
    {
        var sum = new double[side * side];
        var count = new int[side * side];
        for (int y = 0; y < height; y++)
        {
            int row = Math.Min(side - 1, y * side / height) * side;
            for (int x = 0; x < width; x++)
            {
                int cell = row + Math.Min(side - 1, x * side / width);
                sum[cell] += values[y * width + x];
                count[cell]++;
            }
        }
        for (int c = 0; c < sum.Length; c++) sum[c] = count[c] > 0 ? sum[c] / count[c] : 0;
        return sum;
    }

    internal static double BinaryEntropy(double p)
    {
        if (p <= 0 || p >= 1) return 0;
        return -(p * Math.Log2(p) + (1 - p) * Math.Log2(1 - p));
    }
}
