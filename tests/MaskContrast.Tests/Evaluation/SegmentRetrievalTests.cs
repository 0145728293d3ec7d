using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public class SegmentRetrievalTests
{
    // 4×4 rasters written as rows; in ground truth 'x' = 255.
    static ByteRaster Raster(params string[] rows) =>
        new(rows[0].Length, rows.Length, rows.SelectMany(r => r).Select(ch => ch == 'x' ? (byte)255 : (byte)(ch - '0')).ToArray());

    static ByteRaster MaskOf(ByteRaster truth) => new(truth.Width, truth.Height, truth.Values.Select(v => v is > 0 and < 255 ? (byte)1 : (byte)0).ToArray());

    static Tensor Protos(params float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    [Fact]
    public void Evaluate_SeparablePrototypesAndPerfectMasks_ScoresOneOnEveryClass()
    {
        // Three object classes, each with its own prototype direction; query prototypes are noisy copies.
        var truth = new[] { 1, 2, 3, 1, 2, 3 }.Select(c => Raster("0000", $"0{c}{c}0", $"0{c}{c}0", "x000")).ToList();
        using var bank = Protos([1, 0, 0], [0, 1, 0], [0, 0, 1], [0.9f, 0.1f, 0], [0.1f, 0.9f, 0], [0, 0.1f, 0.9f]);
        using var queries = Protos([0.8f, 0.3f, 0.1f], [0.2f, 0.7f, 0.1f], [0, 0.2f, 0.9f]);
        var queryTruth = truth.Take(3).ToList();

        var result = SegmentRetrieval.Evaluate(bank, truth.Select(MaskOf).ToList(), truth, queries, queryTruth.Select(MaskOf).ToList(), queryTruth,
            new RetrievalOptions(4, new HashSet<int>(), BackgroundInMean: true));

        Assert.Equal(1.0, result.MeanIoU, 12);
        Assert.Equal([0, 1, 2, 3], result.ScoredClasses);
        Assert.Equal([1, 2, 3], result.QueryLabels);
        Assert.Equal(6, result.BankLabels.Count);
    }

    [Fact]
    public void Evaluate_BankImage_TakesMajorityObjectClassInsideMaskIgnoringBackgroundAndVoid()
    {
        // Inside the mask: 4 background, 3 void, 3 of class 2, 2 of class 1 (class 3 is outside the mask) → label 2.
        // Second image: a tie between classes 3 and 1 (2 pixels each) → the highest id, 3 (official max over (count, class)).
        var gt = new[] { Raster("0000", "xxx2", "2211", "3333"), Raster("3300", "1100", "0000", "0000") };
        var masks = new[] { Raster("1111", "1111", "1111", "0000"), Raster("1100", "1100", "0000", "0000") };
        using var bank = Protos([1, 0], [0, 1]);
        using var query = Protos([0.6f, 0.4f]);

        var result = SegmentRetrieval.Evaluate(bank, masks, gt, query, [masks[0]], [gt[0]], new RetrievalOptions(4, new HashSet<int>(), true));

        Assert.Equal([2, 3], result.BankLabels);
        Assert.Equal([0], result.QueryNeighbours);
        Assert.Equal([2], result.QueryLabels);
    }

    [Fact]
    public void Evaluate_BankImagesWithoutSalientPixelsOrObjects_AreSkipped()
    {
        // 0: no salient pixel. 1: mask covers only background and void. 2: mask covers only class 2, which is ignored (→ 255).
        // 3: kept, class 1. The query is nearest to 0, 1 and 2 but can only retrieve 3.
        var gt = new[] { Raster("1100", "0000"), Raster("0x11", "0000"), Raster("2200", "0000"), Raster("1100", "0000") };
        var masks = new[] { Raster("0000", "0000"), Raster("1100", "0000"), Raster("1100", "0000"), Raster("1100", "0000") };
        using var bank = Protos([1, 0], [1, 0], [1, 0], [0, 1]);
        using var query = Protos([1, 0]);
        var options = new RetrievalOptions(3, new HashSet<int> { 2 }, BackgroundInMean: true);

        var result = SegmentRetrieval.Evaluate(bank, masks, gt, query, [masks[3]], [gt[3]], options);

        Assert.Equal(1, result.SkippedNoSalient);
        Assert.Equal(2, result.SkippedNoObject);
        Assert.Equal([3], result.BankImages);
        Assert.Equal([1], result.QueryLabels);
        Assert.Equal([0, 1], result.ScoredClasses);
        Assert.Equal(1.0, result.MeanIoU, 12);
    }

    [Fact]
    public void Evaluate_EmptyBank_PredictsBackgroundEverywhere()
    {
        var gt = Raster("0110", "0000");
        using var bank = Protos([1, 0]);
        using var query = Protos([1, 0]);

        var result = SegmentRetrieval.Evaluate(bank, [Raster("0000", "0000")], [gt], query, [MaskOf(gt)], [gt], new RetrievalOptions(2, new HashSet<int>(), true));

        Assert.Equal([-1], result.QueryNeighbours);
        Assert.Equal(0.5 * (6.0 / 8 + 0), result.MeanIoU, 12);   // background 6/8, class 1 missed
    }

    [Fact]
    public void Evaluate_Voc7Classes_RemapsIgnoredClassesAndAveragesKeptObjectClassesOnly()
    {
        // Bank: aeroplane (1) → e0, bicycle (2, ignored → skipped), bottle (5) → e1.
        var bankGt = new[] { Raster("0110", "0000"), Raster("0220", "0000"), Raster("0550", "0000") };
        using var bank = Protos([1, 0], [1, 0], [0, 1]);
        // Queries: an aeroplane (perfect mask), a bicycle retrieved as bottle (its ground truth becomes void: no error),
        // a bottle whose predicted mask also covers 2 background pixels (IoU 2/4).
        var queryGt = new[] { Raster("1100", "0000"), Raster("0022", "0000"), Raster("0055", "0000") };
        var queryMasks = new[] { Raster("1100", "0000"), Raster("0011", "0000"), Raster("0011", "0011") };
        using var queries = Protos([0.9f, 0.1f], [0.1f, 0.9f], [0, 1]);

        var result = SegmentRetrieval.Evaluate(bank, bankGt.Select(MaskOf).ToList(), bankGt, queries, queryMasks, queryGt, RetrievalOptions.Voc7Classes);

        Assert.Equal([1, 5, 6, 7, 8, 10, 15], result.ScoredClasses);
        Assert.Equal([1, 5], result.BankLabels);
        Assert.Equal([1, 5, 5], result.QueryLabels);
        Assert.Equal(1.0, result.Scores.IoU[1], 12);
        Assert.Equal(0.5, result.Scores.IoU[5], 12);
        Assert.Equal(0, result.Scores.FalsePositives[2] + result.Scores.FalseNegatives[2]);   // bicycle pixels are void
        // Background (IoU 16/18 here) is scored by the meter but not averaged; absent kept classes count as 0.
        Assert.Equal(16.0 / 18, result.Scores.IoU[0], 12);
        Assert.Equal((1.0 + 0.5) / 7, result.MeanIoU, 12);

        var all = SegmentRetrieval.Evaluate(bank, bankGt.Select(MaskOf).ToList(), bankGt, queries, queryMasks, queryGt, RetrievalOptions.Voc21Classes);
        Assert.Equal([1, 2, 5], all.BankLabels);
        Assert.Equal(21, all.ScoredClasses.Count);
        // Without the remap the bicycle query's bottle label is an error: bottle IoU 2/6, bicycle 0; background counts.
        Assert.Equal([1, 5, 5], all.QueryLabels);
        Assert.Equal((16.0 / 18 + 1 + 0 + 2.0 / 6) / 21, all.MeanIoU, 12);
    }

    [Fact]
    public void RetrievalOptions_Voc7Classes_IgnoresThirteenClasses()
    {
        Assert.Equal(13, RetrievalOptions.Voc7Classes.IgnoredClasses.Count);
        Assert.DoesNotContain(0, RetrievalOptions.Voc7Classes.ScoredClasses);
        Assert.Equal(Enumerable.Range(0, 21), RetrievalOptions.Voc21Classes.ScoredClasses);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrievalOptions(21, new HashSet<int> { 0 }, true).Validate());
    }
}
