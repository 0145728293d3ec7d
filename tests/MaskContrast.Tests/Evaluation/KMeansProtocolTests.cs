using MaskContrast.Core.Evaluation;
using Xunit.Abstractions;

namespace MaskContrast.Tests.Evaluation;

public class KMeansProtocolTests(ITestOutputHelper output)
{
    private static readonly ClusteringProtocolOptions s_fiveClasses = new(NumClasses: 5, PcaComponents: 32);

    [Fact]
    public void Evaluate_SeparatedClassDirections_ScoresPerfectMIoUOnEverySeed()
    {
        // 4 directions in 4 dimensions: 3 carry the classes, 1 is noise that whitening scales up (see the next test).
        using var split = SyntheticSplit.Create(images: 40, objectClasses: 4, dim: 4, seed: 1);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);   // [40, 4]

        var result = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, s_fiveClasses);

        output.WriteLine($"separated: mIoU {result.MeanIoU:F4} ± {result.StdIoU:F4}");
        Assert.Equal(5, result.PerSeed.Count);
        Assert.Equal([1234, 1235, 1236, 1237, 1238], result.PerSeed.Select(s => s.Seed));
        Assert.All(result.PerSeed, s => Assert.Equal(1.0, s.MeanIoU, 12));
        Assert.Equal(0.0, result.StdIoU, 12);
        Assert.Equal(0, result.Best.LabelToClass[0]);                            // the non-salient label is background
        Assert.Equal([0, 1, 2, 3, 4], result.Best.LabelToClass.Order());         // one-to-one
        Assert.Equal(4, result.Pca!.ComponentCount);                              // min(32, D)
        Assert.Equal(new[] { 4, 4 }, new[] { result.Best.Centroids.GetLength(0), result.Best.Centroids.GetLength(1) });
        // 63 scored pixels per image (one void pixel), 40 images.
        Assert.Equal(40L * 63, result.Best.Scores.ScoredPixels);
    }

    [Fact]
    public void Evaluate_WhiteningManyNoiseDimensions_LosesClustersThatUnwhitenedPcaKeeps()
    {
        // 4 class directions span 3 of 16 dimensions; whitening scales the 13 pure-noise directions up to unit variance,
        // and with 40 images they swamp the class signal. scikit-learn's PCA + KMeans fail the same way on such data
        // (ARI 0.07-0.19 at 16-d; at 8-d both it and ours find the true partition on only 3 of the 5 seeds), so this
        // documents the official protocol, not a bug of ours.
        using var split = SyntheticSplit.Create(images: 40, objectClasses: 4, dim: 16, seed: 1);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);   // [40, 16]

        var whitened = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, s_fiveClasses);
        var plain = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, s_fiveClasses with { Whiten = false });

        output.WriteLine($"16-d prototypes: whitened mIoU {whitened.MeanIoU:F4}, unwhitened {plain.MeanIoU:F4}");
        Assert.True(whitened.MeanIoU < 0.8, $"whitened mIoU {whitened.MeanIoU}");
        Assert.All(plain.PerSeed, s => Assert.Equal(1.0, s.MeanIoU, 12));
    }

    [Fact]
    public void Evaluate_ClassFreePrototypes_ScoresNearChanceNotPerfect()
    {
        using var split = SyntheticSplit.Create(images: 40, objectClasses: 4, dim: 16, seed: 2, classDirections: false);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);

        var result = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, s_fiveClasses);
        var chance = KMeansProtocol.ChanceLevel(split.Masks, split.GroundTruth, s_fiveClasses);

        output.WriteLine($"class-free: mIoU {result.MeanIoU:F4} ± {result.StdIoU:F4}; chance {chance.MeanIoU:F4} ± {chance.StdIoU:F4}");
        // Background is perfect through the masks (IoU 1), objects are guessed: about (1 + 4 · 0.2) / 5.
        Assert.Equal(1.0, result.Best.Scores.IoU[0], 12);
        Assert.InRange(result.MeanIoU, 0.25, 0.6);
        Assert.InRange(chance.MeanIoU, 0.25, 0.6);
        Assert.True(Math.Abs(result.MeanIoU - chance.MeanIoU) < 0.15, "class-free prototypes should score like chance");
    }

    [Fact]
    public void ChanceLevel_SameSeeds_IsDeterministicAndHasNoPca()
    {
        using var split = SyntheticSplit.Create(images: 20, objectClasses: 4, dim: 4, seed: 3);

        var a = KMeansProtocol.ChanceLevel(split.Masks, split.GroundTruth, s_fiveClasses);
        var b = KMeansProtocol.ChanceLevel(split.Masks, split.GroundTruth, s_fiveClasses);

        Assert.Equal(a.PerSeed.Select(s => s.MeanIoU), b.PerSeed.Select(s => s.MeanIoU));
        Assert.Null(a.Pca);
        Assert.True(a.MeanIoU < 0.8);
    }

    [Fact]
    public void Evaluate_TwoObjectClassesPerImage_PixelVariantSegmentsWhatImageLevelCannot()
    {
        using var split = SyntheticSplit.Create(images: 24, objectClasses: 4, dim: 16, seed: 4, twoObjects: true);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);
        var embeddings = Enumerable.Range(0, 24).Select(i => split.Embeddings[i]).ToList();   // [D, H, W] each
        var options = s_fiveClasses with { PixelsPerImage = 16, Restarts = 3 };

        var imageLevel = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, options);
        var pixelLevel = PixelClusteringProtocol.Evaluate(embeddings, split.Masks, split.GroundTruth, options);
        embeddings.ForEach(e => e.Dispose());

        output.WriteLine($"two objects per image: image-level {imageLevel.MeanIoU:F4}, pixel-level {pixelLevel.MeanIoU:F4}");
        Assert.All(pixelLevel.PerSeed, s => Assert.Equal(1.0, s.MeanIoU, 12));
        Assert.True(imageLevel.MeanIoU < 0.8, $"image-level protocol cannot split two classes, got {imageLevel.MeanIoU}");
    }

    [Fact]
    public void AssignClusters_FittedPrototypes_ReproducesFittedLabelsOnSameImages()
    {
        using var split = SyntheticSplit.Create(images: 20, objectClasses: 4, dim: 4, seed: 5);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);
        var result = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, s_fiveClasses with { Seeds = [7] });
        Assert.Equal(1.0, result.MeanIoU, 12);

        int[] clusters = KMeansProtocol.AssignClusters(result.Pca!, result.Best.Centroids, prototypes);

        // Image i's object class is i % 4 + 1; the matched label of its cluster must name it.
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i % 4 + 1, result.Best.LabelToClass[clusters[i] + 1]);
        }

        var painted = KMeansProtocol.PaintMask(split.Masks[0], (byte)(clusters[0] + 1));
        Assert.Equal(24, painted.Values.Count(v => v == clusters[0] + 1));   // the 4x6 object block
    }

    [Fact]
    public void Evaluate_FewerImagesThanDimensions_CapsPcaAtRankAndStaysPerfect()
    {
        // 12 images of 16-d prototypes: centred data has rank 11, so PCA keeps 11 components, not 12.
        using var split = SyntheticSplit.Create(images: 12, objectClasses: 2, dim: 16, seed: 8);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);   // [12, 16]

        var result = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, new ClusteringProtocolOptions(NumClasses: 3, Whiten: false));

        Assert.Equal(11, result.Pca!.ComponentCount);
        Assert.All(result.PerSeed, s => Assert.Equal(1.0, s.MeanIoU, 12));
    }

    [Fact]
    public void Evaluate_MismatchedCounts_ThrowsNamingCounts()
    {
        using var split = SyntheticSplit.Create(images: 6, objectClasses: 4, dim: 4, seed: 6);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);

        var ex = Assert.Throws<ArgumentException>(() => KMeansProtocol.Evaluate(prototypes, split.Masks.Take(5).ToList(), split.GroundTruth, s_fiveClasses));
        Assert.Contains("6 prototypes, 5 masks", ex.Message);
    }
}
