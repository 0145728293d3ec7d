using MaskContrast.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Pixel-level variant of the K-means protocol (our addition, not in the paper): salient pixel embeddings, sampled
/// per image, are L2-normalised, PCA-whitened and clustered into C − 1 clusters; then every salient pixel gets its
/// nearest cluster + 1 and every other pixel 0, followed by the same Hungarian matching and mIoU as
/// <see cref="KMeansProtocol"/>. One image can therefore hold several object classes.
/// </summary>
/// <remarks>
/// Pixels are normalised because the contrastive loss compares normalised pixel embeddings; the image-level protocol
/// normalises its prototypes for the same reason. Each seed draws its own pixel sample, so it fits its own PCA.
/// </remarks>
public static class PixelClusteringProtocol
{
    /// <summary>
    /// Runs the variant. <paramref name="embeddings"/>[i] is image i's pixel embedding [D, H, W] at the evaluation
    /// resolution (the size of <paramref name="masks"/>[i] and <paramref name="groundTruth"/>[i]); each is read once per
    /// seed for fitting and once for predicting, so a lazily computing list works.
    /// </summary>
    public static ClusteringProtocolResult Evaluate(
        IReadOnlyList<Tensor> embeddings,
        IReadOnlyList<ByteRaster> masks,
        IReadOnlyList<ByteRaster> groundTruth,
        ClusteringProtocolOptions? options = null)
    {
        options ??= new ClusteringProtocolOptions();
        options.Validate();
        int c = options.NumClasses;
        int n = embeddings.Count;
        if (masks.Count != n || groundTruth.Count != n)
        {
            throw new ArgumentException($"got {n} embeddings, {masks.Count} masks and {groundTruth.Count} ground-truth maps; give one of each per image", nameof(masks));
        }

        var outcomes = new List<SeedOutcome>();
        var pcas = new List<Pca>();
        foreach (int seed in options.EffectiveSeeds)
        {
            var (pca, centroids, inertia) = Fit(embeddings, masks, options, seed);
            var meter = new SegmentationMeter(c);
            PredictInto(meter, pca, centroids, embeddings, masks, groundTruth);
            var (labelToClass, scores) = ClusterMatching.MatchAndScore(meter);
            outcomes.Add(new SeedOutcome(seed, scores.MeanIoU, inertia, labelToClass, scores, centroids));
            pcas.Add(pca);
        }

        var (mean, std, best) = ClusteringProtocolResult.Summarise(outcomes);
        return new ClusteringProtocolResult(outcomes, mean, std, best, pcas[best]);
    }

    /// <summary>
    /// Segments one image with fitted clusters: <paramref name="embedding"/> [D, H, W] and its salient mask → a map with
    /// nearest cluster + 1 on salient pixels and 0 elsewhere (unmatched labels; apply a label → class map to name them).
    /// </summary>
    public static ByteRaster Predict(Pca pca, double[,] centroids, Tensor embedding, ByteRaster mask)
    {
        var salient = SalientIndices(mask, embedding);
        var values = new byte[mask.PixelCount];
        if (salient.Length > 0)
        {
            using var scope = NewDisposeScope();
            var pixels = NormalisedPixels(embedding, salient);                     // [S, D]
            var projected = pca.Transform(pixels);                                 // [S, K]
            var clusters = KMeans.Predict(centroids, Pca.To2D(projected.data<double>().ToArray(), salient.Length, pca.ComponentCount));
            for (int s = 0; s < salient.Length; s++)
            {
                values[salient[s]] = (byte)(clusters[s] + 1);
            }
        }

        return new ByteRaster(mask.Width, mask.Height, values);
    }

    // Predicts every image and adds it to the meter. Pixels of many images go through PCA and the nearest-centroid
    // search together (up to ChunkPixels at a time), which saves thousands of small tensor calls per seed.
    private static void PredictInto(SegmentationMeter meter, Pca pca, double[,] centroids, IReadOnlyList<Tensor> embeddings, IReadOnlyList<ByteRaster> masks, IReadOnlyList<ByteRaster> groundTruth)
    {
        const int ChunkPixels = 1 << 16;
        var pending = new List<(int Image, int[] Salient, Tensor Pixels)>();
        int pendingPixels = 0;

        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            using var scope = NewDisposeScope();
            var pixels = cat(pending.Select(p => p.Pixels).ToList(), 0);           // [P, D]
            var projected = pca.Transform(pixels);                                  // [P, K]
            int[] clusters = KMeans.Predict(centroids, Pca.To2D(projected.data<double>().ToArray(), pendingPixels, pca.ComponentCount));
            int offset = 0;
            foreach (var (image, salient, imagePixels) in pending)
            {
                var values = new byte[masks[image].PixelCount];
                for (int s = 0; s < salient.Length; s++)
                {
                    values[salient[s]] = (byte)(clusters[offset + s] + 1);
                }

                offset += salient.Length;
                meter.Update(new ByteRaster(masks[image].Width, masks[image].Height, values), groundTruth[image]);
                imagePixels.Dispose();
            }

            pending.Clear();
            pendingPixels = 0;
        }

        for (int i = 0; i < embeddings.Count; i++)
        {
            var salient = SalientIndices(masks[i], embeddings[i]);
            if (salient.Length == 0)
            {
                meter.Update(new ByteRaster(masks[i].Width, masks[i].Height, new byte[masks[i].PixelCount]), groundTruth[i]);
                continue;
            }

            using (var scope = NewDisposeScope())
            {
                pending.Add((i, salient, NormalisedPixels(embeddings[i], salient).MoveToOuterDisposeScope()));   // [S, D]
            }

            pendingPixels += salient.Length;
            if (pendingPixels >= ChunkPixels)
            {
                Flush();
            }
        }

        Flush();
    }

    private static (Pca Pca, double[,] Centroids, double Inertia) Fit(
        IReadOnlyList<Tensor> embeddings, IReadOnlyList<ByteRaster> masks, ClusteringProtocolOptions options, int seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        var samples = new List<Tensor>();
        for (int i = 0; i < embeddings.Count; i++)
        {
            var salient = SalientIndices(masks[i], embeddings[i]);
            if (salient.Length == 0)
            {
                continue;
            }

            // Partial Fisher–Yates: a uniform sample without replacement, the same for the same seed.
            int take = Math.Min(options.PixelsPerImage, salient.Length);
            for (int t = 0; t < take; t++)
            {
                int swap = random.Next(t, salient.Length);
                (salient[t], salient[swap]) = (salient[swap], salient[t]);
            }

            samples.Add(NormalisedPixels(embeddings[i], salient[..take]));         // [take, D]
        }

        int clusters = options.NumClasses - 1;
        var data = samples.Count > 0 ? cat(samples, 0) : zeros(0, 1);              // [P, D]
        int total = (int)data.shape[0];
        if (total < clusters)
        {
            throw new ArgumentException($"only {total} salient pixels were sampled but {clusters} clusters are needed; raise PixelsPerImage or check the masks", nameof(masks));
        }

        int components = Math.Max(1, Math.Min(options.PcaComponents, Math.Min((int)data.shape[1], total - 1)));   // rank ≤ P − 1
        var pca = Pca.Fit(data, components, options.Whiten);
        var projected = pca.Transform(data);                                       // [P, K]
        var km = KMeans.Fit(
            Pca.To2D(projected.data<double>().ToArray(), total, components),
            new KMeansOptions(clusters, seed, options.Restarts, options.MaxIterations, options.Tolerance));
        return (pca, km.Centroids, km.Inertia);
    }

    // Row-major pixel indices (y * W + x) where the mask is nonzero.
    private static int[] SalientIndices(ByteRaster mask, Tensor embedding)
    {
        if (embedding.dim() != 3 || embedding.shape[1] != mask.Height || embedding.shape[2] != mask.Width)
        {
            throw new ArgumentException($"embedding [{string.Join(", ", embedding.shape)}] must be [D, {mask.Height}, {mask.Width}] to match its mask", nameof(embedding));
        }

        var indices = new List<int>();
        for (int p = 0; p < mask.PixelCount; p++)
        {
            if (mask.Values[p] != 0)
            {
                indices.Add(p);
            }
        }

        return indices.ToArray();
    }

    // Selected pixels as rows, unit L2 norm. Not disposed here: callers own a dispose scope.
    private static Tensor NormalisedPixels(Tensor embedding, int[] pixelIndices)
    {
        long d = embedding.shape[0];
        var flat = embedding.detach().cpu().to(float64).reshape(d, -1);           // [D, H*W]
        using var index = tensor(pixelIndices.Select(p => (long)p).ToArray());    // [S]
        var rows = flat.index_select(1, index).t();                                // [S, D]
        return nn.functional.normalize(rows, p: 2, dim: 1, eps: 1e-12);           // [S, D]
    }
}
