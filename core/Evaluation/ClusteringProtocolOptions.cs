namespace MaskContrast.Core.Evaluation;

/// <summary>Settings shared by <see cref="KMeansProtocol"/> and <see cref="PixelClusteringProtocol"/>.</summary>
/// <param name="NumClasses">Classes C including background (VOC: 21); k-means makes C − 1 object clusters.</param>
/// <param name="PcaComponents">PCA output size before k-means; capped at min(D, samples − 1). Paper: 32 (kmeans_utils.py).</param>
/// <param name="Whiten">Whiten the PCA output. Paper: true.</param>
/// <param name="Seeds">One k-means run per seed; the paper reports the mean over seeds 1234..1238 (<c>--num_seeds 5</c>).
/// Null means those five.</param>
/// <param name="Restarts">k-means++ restarts per seed (the official MiniBatchKMeans used 3; full-batch restarts are cheap).</param>
/// <param name="MaxIterations">Lloyd iterations per restart (scikit-learn default 100).</param>
/// <param name="Tolerance">Relative k-means tolerance (scikit-learn default 1e-4).</param>
/// <param name="PixelsPerImage">Pixel variant only: salient pixels sampled per image to fit PCA and k-means.</param>
public sealed record ClusteringProtocolOptions(
    int NumClasses = 21,
    int PcaComponents = 32,
    bool Whiten = true,
    IReadOnlyList<int>? Seeds = null,
    int Restarts = 10,
    int MaxIterations = 100,
    double Tolerance = 1e-4,
    int PixelsPerImage = 64)
{
    /// <summary>The official seeds 1234..1238.</summary>
    public static IReadOnlyList<int> OfficialSeeds { get; } = [1234, 1235, 1236, 1237, 1238];

    /// <summary><see cref="Seeds"/>, or <see cref="OfficialSeeds"/> when null.</summary>
    public IReadOnlyList<int> EffectiveSeeds => Seeds ?? OfficialSeeds;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (NumClasses is < 2 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "must be in 2..255 (background + at least one object class; 255 is the ignore value)");
        }

        if (PcaComponents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PcaComponents), PcaComponents, "must be >= 1 (paper: 32)");
        }

        if (EffectiveSeeds.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Seeds), 0, "give at least one seed (paper: 1234..1238)");
        }

        if (PixelsPerImage < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PixelsPerImage), PixelsPerImage, "must be >= 1");
        }

        new KMeansOptions(NumClasses - 1, 0, Restarts, MaxIterations, Tolerance).Validate(int.MaxValue);
    }
}
