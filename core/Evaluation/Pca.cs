using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Principal component analysis with optional whitening, numerically the same as scikit-learn's
/// <c>PCA(n_components, whiten=True, svd_solver='full')</c>: centre, thin SVD of the centred data
/// <c>X − μ = U·S·Vᵀ</c>, components = first K rows of Vᵀ, explained variance = S²/(N − 1), and
/// whitened output = (X − μ)·componentsᵀ / sqrt(explained variance), so each output dimension has unit variance
/// on the fitted data.
/// </summary>
/// <remarks>
/// Signs follow scikit-learn 1.2's <c>svd_flip</c> (u-based: the largest-magnitude entry of each column of U is made
/// positive), so outputs match that version exactly; later scikit-learn versions flip on Vᵀ instead, which can negate
/// whole output columns — harmless for k-means. The fitted state is plain arrays so it can be saved in a model bundle.
/// </remarks>
public sealed class Pca
{
    // A zero-variance direction would divide by zero when whitening; such a direction carries no information.
    private const double MinVariance = 1e-12;

    /// <summary>Restores a fitted PCA from its state (e.g. a model bundle). Shapes: mean [D], components [K, D], variance [K].</summary>
    public Pca(double[] mean, double[,] components, double[] explainedVariance, double[] explainedVarianceRatio, bool whiten)
    {
        if (components.GetLength(1) != mean.Length || components.GetLength(0) != explainedVariance.Length || explainedVarianceRatio.Length != explainedVariance.Length)
        {
            throw new ArgumentException($"inconsistent PCA state: mean [{mean.Length}], components [{components.GetLength(0)}, {components.GetLength(1)}], variance [{explainedVariance.Length}], ratio [{explainedVarianceRatio.Length}]", nameof(components));
        }

        Mean = mean;
        Components = components;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
        Whiten = whiten;
    }

    /// <summary>Per-feature mean of the fitted data, [D].</summary>
    public double[] Mean { get; }

    /// <summary>Principal axes, [K, D], rows orthonormal, ordered by decreasing variance.</summary>
    public double[,] Components { get; }

    /// <summary>Variance of the fitted data along each component (ddof = 1), [K].</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Fraction of the total variance along each component, [K].</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>Whether <see cref="Transform(Tensor)"/> divides by sqrt(explained variance).</summary>
    public bool Whiten { get; }

    /// <summary>Number of input features D.</summary>
    public int Features => Mean.Length;

    /// <summary>Number of output components K.</summary>
    public int ComponentCount => ExplainedVariance.Length;

    /// <summary>
    /// Fits on <paramref name="data"/> [N, D] (any floating dtype, any device; computed in float64 on the CPU).
    /// <paramref name="components"/> must be in 1..min(N, D); the paper uses 32 with whitening.
    /// </summary>
    public static Pca Fit(Tensor data, int components, bool whiten = true)
    {
        if (data.dim() != 2)
        {
            throw new ArgumentException($"data must be [N, D], got [{string.Join(", ", data.shape)}]", nameof(data));
        }

        int n = (int)data.shape[0];
        int d = (int)data.shape[1];
        if (components < 1 || components > Math.Min(n, d))
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, $"must be in 1..min(N={n}, D={d})");
        }

        using var scope = NewDisposeScope();
        var x = data.detach().to(float64).cpu();                       // [N, D]
        var mean = x.mean([0L]);                                       // [D]
        var centred = x - mean;                                        // [N, D]
        var (u, s, vh) = linalg.svd(centred, fullMatrices: false);     // [N, r], [r], [r, D], r = min(N, D)

        // u-based sign flip: the largest |U[:, k]| becomes positive (scikit-learn 1.2 svd_flip).
        var maxRows = u.abs().argmax(0);                               // [r]
        var signs = u.gather(0, maxRows.unsqueeze(0)).squeeze(0).sign(); // [r]
        signs = where(signs == 0, ones_like(signs), signs);
        vh = vh * signs.unsqueeze(1);                                  // [r, D]

        var variance = s.square() / Math.Max(n - 1, 1);                // [r]
        var ratio = variance / variance.sum().clamp_min(MinVariance);  // [r]

        var componentsTensor = vh.narrow(0, 0, components).contiguous(); // [K, D]
        return new Pca(
            mean.data<double>().ToArray(),
            To2D(componentsTensor.data<double>().ToArray(), components, d),
            variance.narrow(0, 0, components).data<double>().ToArray(),
            ratio.narrow(0, 0, components).data<double>().ToArray(),
            whiten);
    }

    /// <summary>Projects <paramref name="data"/> [M, D] to [M, K] (float64, CPU), whitened when <see cref="Whiten"/>.</summary>
    public Tensor Transform(Tensor data)
    {
        if (data.dim() != 2 || data.shape[1] != Features)
        {
            throw new ArgumentException($"data must be [M, {Features}], got [{string.Join(", ", data.shape)}]", nameof(data));
        }

        using var scope = NewDisposeScope();
        var x = data.detach().to(float64).cpu();                                        // [M, D]
        var mean = tensor(Mean, [Features]);                                            // [D]
        var axes = tensor(Flatten(Components), [ComponentCount, Features]);             // [K, D]
        var projected = (x - mean).matmul(axes.t());                                    // [M, K]
        if (Whiten)
        {
            var scale = tensor(ExplainedVariance, [ComponentCount]).clamp_min(MinVariance).sqrt(); // [K]
            projected = projected / scale;
        }

        return projected.MoveToOuterDisposeScope();
    }

    /// <summary>Convenience overload on plain arrays: [M, D] → [M, K].</summary>
    public double[,] Transform(double[,] data)
    {
        using var scope = NewDisposeScope();
        var x = tensor(Flatten(data), [data.GetLength(0), data.GetLength(1)]);   // [M, D]
        var y = Transform(x);                                                      // [M, K]
        return To2D(y.data<double>().ToArray(), data.GetLength(0), ComponentCount);
    }

    internal static double[] Flatten(double[,] m)
    {
        var flat = new double[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, m.Length * sizeof(double));
        return flat;
    }

    internal static double[,] To2D(double[] flat, int rows, int cols)
    {
        var m = new double[rows, cols];
        Buffer.BlockCopy(flat, 0, m, 0, rows * cols * sizeof(double));
        return m;
    }
}
