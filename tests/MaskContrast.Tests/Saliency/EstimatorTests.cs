using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Tests.Saliency;

public class EstimatorTests
{
    private static (double MbPlus, double Ft) MeanIoU(int count)
    {
        var options = new SyntheticOptions(Seed: 11);
        ISaliencyEstimator mb = new MbPlusSaliency(), ft = new FrequencyTunedSaliency();
        double mbSum = 0, ftSum = 0;
        for (int i = 0; i < count; i++)
        {
            var (image, labels) = SyntheticDataset.RenderOne(options, i);
            var truth = SaliencyMetrics.ForegroundFromLabels(labels);
            mbSum += SaliencyMetrics.IoU(ProposalPostProcessor.Apply(mb.Estimate(image)).Mask, truth);
            ftSum += SaliencyMetrics.IoU(ProposalPostProcessor.Apply(ft.Estimate(image)).Mask, truth);
        }
        return (mbSum / count, ftSum / count);
    }

    [Fact]
    public void MbPlus_SyntheticObjects_MeanIoUAbove085AndBeatsFt()
    {
        // Measured on these 40 images (seed 11): MB+ 0.955, FT 0.783; on the 400-image default set MB+ 0.952, FT 0.801
        // (core/Saliency/README.md). 0.85 leaves room for float differences across platforms yet catches a broken
        // step: on the val set, MB+ without smoothing measures 0.870 and without backgroundness 0.906.
        var (mb, ft) = MeanIoU(40);
        Assert.True(mb > 0.85, $"MB+ mean IoU {mb:F3}");
        Assert.True(mb > ft + 0.05, $"MB+ {mb:F3} vs FT {ft:F3}");
    }

    [Fact]
    public void MbPlus_OutputSizeAndRange_MatchImage()
    {
        var (image, _) = SyntheticDataset.RenderOne(new SyntheticOptions(Width: 333, Height: 217, Seed: 4), 0);
        var map = new MbPlusSaliency().Estimate(image);
        Assert.Equal((333, 217), (map.Width, map.Height));
        // Computed at 300×195, normalised there, then upsampled bilinearly: values stay in [0, 1]; the maximum may
        // fall slightly below 1 between samples.
        Assert.Equal(0f, map.Values.Min());
        Assert.InRange(map.Values.Max(), 0.98f, 1f);
    }

    [Fact]
    public void MinimumBarrier_BrightSquareOnFlatBackground_BarrierIsContrast()
    {
        // 12×12 plane of 10 with a 4×4 square of 200: inside the square every border path climbs 10 → 200.
        var plane = Enumerable.Repeat((byte)10, 144).ToArray();
        for (int y = 4; y < 8; y++) for (int x = 4; x < 8; x++) plane[y * 12 + x] = 200;
        var d = new float[144];
        Filters.AddMinimumBarrier(plane, 12, 12, 3, d);
        Assert.Equal(190f, d[5 * 12 + 5]);
        Assert.Equal(0f, d[2 * 12 + 2]);
        Assert.Equal(0f, d[0]);
    }

    [Fact]
    public void Median5_RandomPlane_EqualsSortedWindowMedian()
    {
        var rng = new Random(3);
        int w = 13, h = 11;
        var plane = new byte[w * h];
        rng.NextBytes(plane);
        var fast = Filters.Median5(plane, w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var window = new List<byte>();
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        window.Add(plane[Math.Clamp(y + dy, 0, h - 1) * w + Math.Clamp(x + dx, 0, w - 1)]);
                window.Sort();
                Assert.Equal(window[12], fast[y * w + x]);
            }
    }

    [Fact]
    public void ReconstructByDilation_RandomMaps_EqualsIteratedGeodesicDilation()
    {
        var rng = new Random(9);
        int w = 17, h = 12;
        var mask = Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble()).ToArray();
        var marker = mask.Select(v => v * (float)rng.NextDouble() * 0.5f).ToArray();
        var expected = (float[])marker.Clone();
        // Reference: dilate by 3×3 and clip under the mask until nothing changes.
        for (bool changed = true; changed;)
        {
            changed = false;
            var next = Morphology.Square(expected, w, h, 3, dilate: true);
            for (int i = 0; i < next.Length; i++)
            {
                float v = Math.Min(next[i], mask[i]);
                if (v != expected[i]) { expected[i] = v; changed = true; }
            }
        }
        Morphology.ReconstructByDilation(marker, mask, w, h);
        Assert.Equal(expected, marker);
    }

    [Fact]
    public void SquareErosion_Width5_EqualsNaiveWindowMinimum()
    {
        var rng = new Random(2);
        int w = 9, h = 7;
        var src = Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble()).ToArray();
        var fast = Morphology.Square(src, w, h, 5, dilate: false);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float min = float.MaxValue;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        if (x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h)
                            min = Math.Min(min, src[(y + dy) * w + x + dx]);
                Assert.Equal(min, fast[y * w + x]);
            }
    }

    [Fact]
    public void SymmetricEigen3_Covariance_ReconstructsEigenpairs()
    {
        var a = new double[3, 3] { { 4, 1, 0.5 }, { 1, 3, 0.2 }, { 0.5, 0.2, 2 } };
        var (values, vectors) = Backgroundness.SymmetricEigen3(a);
        for (int j = 0; j < 3; j++)
            for (int r = 0; r < 3; r++)
            {
                double av = a[r, 0] * vectors[0, j] + a[r, 1] * vectors[1, j] + a[r, 2] * vectors[2, j];
                Assert.Equal(values[j] * vectors[r, j], av, 9);
            }
        Assert.Equal(9.0, values.Sum(), 9); // trace
    }
}
