using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public class PcaTests
{
    [Theory]
    [InlineData("pca", 16)] // all components: whitening over the full space
    [InlineData("pca8", 8)] // truncated, as the protocol does when D > 32
    public void Fit_PrototypeGolden_MatchesSklearnUpToComponentSign(string prefix, int components)
    {
        var golden = Golden.Load("prototypes_pca_kmeans.json");
        double[,] data = golden.Data();
        int d = data.GetLength(1);
        using var x = tensor(Flatten(data), [data.GetLength(0), d]);

        var pca = Pca.Fit(x, components, whiten: true);

        var expectedComponents = golden.Matrix($"{prefix}_components", components, d);
        var expectedRows = golden.Matrix($"{prefix}_whitened_first_rows", 16, components);
        var firstRows = new double[16, d];
        Array.Copy(data, firstRows, 16 * d);
        var whitened = pca.Transform(firstRows);
        for (int k = 0; k < components; k++)
        {
            // Component signs are arbitrary; align on the dot product, then the match must be exact to rounding.
            double dot = 0;
            for (int j = 0; j < d; j++)
            {
                dot += pca.Components[k, j] * expectedComponents[k, j];
            }

            double sign = Math.Sign(dot);
            for (int j = 0; j < d; j++)
            {
                AssertNear(expectedComponents[k, j], sign * pca.Components[k, j], 1e-8);
            }

            for (int i = 0; i < 16; i++)
            {
                AssertNear(expectedRows[i, k], sign * whitened[i, k], 1e-6);
            }
        }

        if (prefix == "pca")
        {
            AssertClose(golden.Vector("pca_explained_variance"), pca.ExplainedVariance, 1e-9);
            AssertClose(golden.Vector("pca_explained_variance_ratio"), pca.ExplainedVarianceRatio, 1e-9);
            AssertClose(golden.Vector("pca_mean"), pca.Mean, 1e-9);
        }
    }

    [Fact]
    public void Transform_WhitenedFitData_HasZeroMeanAndUnitVariance()
    {
        var random = new Random(3);
        var data = new double[50, 6];
        for (int i = 0; i < 50; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                data[i, j] = random.NextDouble() * (j + 1) + (j == 2 ? data[i, 0] : 0);
            }
        }

        using var x = tensor(Flatten(data), [50, 6]);
        var pca = Pca.Fit(x, 4);
        using var y = pca.Transform(x);                       // [50, 4]

        double[] mean = y.mean([0L]).data<double>().ToArray();
        double[] variance = y.var(0, unbiased: true).data<double>().ToArray();
        Assert.All(mean, m => Assert.Equal(0.0, m, 10));
        Assert.All(variance, v => Assert.Equal(1.0, v, 10));
        Assert.Equal([50L, 4L], y.shape);
    }

    [Fact]
    public void Fit_MoreComponentsThanSamples_ThrowsOutOfRange()
    {
        using var x = zeros(3, 5, dtype: float64);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(x, 4));
        Assert.Equal("components", ex.ParamName);
    }

    private static void AssertNear(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected}, got {actual} (tolerance {tolerance})");

    internal static double[] Flatten(double[,] m) => m.Cast<double>().ToArray();

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }
}
