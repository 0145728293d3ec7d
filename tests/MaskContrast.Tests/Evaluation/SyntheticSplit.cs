using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

/// <summary>
/// A tiny labelled split whose right answer is known: images of H×W pixels, background 0 and one or two object
/// rectangles per image; each object class has its own embedding direction (or, with <c>classDirections: false</c>, every
/// image gets a random direction, so the embedding carries no class information). The saliency is perfect.
/// </summary>
internal sealed class SyntheticSplit : IDisposable
{
    public const int Size = 8;

    private SyntheticSplit(Tensor embeddings, Tensor logits, List<ByteRaster> masks, List<ByteRaster> gt)
    {
        Embeddings = embeddings;
        Logits = logits;
        Masks = masks;
        GroundTruth = gt;
    }

    public Tensor Embeddings { get; }          // [N, D, H, W]
    public Tensor Logits { get; }              // [N, H, W]
    public List<ByteRaster> Masks { get; }
    public List<ByteRaster> GroundTruth { get; }

    public static SyntheticSplit Create(int images, int objectClasses, int dim, int seed, bool classDirections = true, bool twoObjects = false)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[][] directions = Enumerable.Range(0, objectClasses).Select(_ => Enumerable.Range(0, dim).Select(_ => Gaussian()).ToArray()).ToArray();

        var emb = new float[images * dim * Size * Size];
        var logits = new float[images * Size * Size];
        var masks = new List<ByteRaster>();
        var gts = new List<ByteRaster>();
        for (int i = 0; i < images; i++)
        {
            var gt = new byte[Size * Size];
            var mask = new byte[Size * Size];
            int first = i % objectClasses;
            int[] classes = twoObjects ? [first, (first + 1 + i / objectClasses % (objectClasses - 1)) % objectClasses] : [first];
            double[][] dirs = classDirections
                ? classes.Select(c => directions[c]).ToArray()
                : classes.Select(_ => Enumerable.Range(0, dim).Select(_ => Gaussian()).ToArray()).ToArray();
            for (int y = 0; y < Size; y++)
            {
                for (int x = 0; x < Size; x++)
                {
                    int p = y * Size + x;
                    // One object: a centred 4x6 block. Two objects: left and right blocks, a background column between.
                    int obj = twoObjects
                        ? (y is >= 2 and < 7 && x is >= 0 and < 3 ? 0 : y is >= 2 and < 7 && x is >= 5 ? 1 : -1)
                        : (y is >= 2 and < 6 && x is >= 1 and < 7 ? 0 : -1);
                    gt[p] = obj < 0 ? (byte)0 : (byte)(classes[obj] + 1);
                    mask[p] = obj < 0 ? (byte)0 : (byte)1;
                    logits[i * Size * Size + p] = obj < 0 ? -3f : 3f;
                    for (int d = 0; d < dim; d++)
                    {
                        double signal = obj < 0 ? 0 : 2 * dirs[obj][d];
                        emb[((i * dim + d) * Size + y) * Size + x] = (float)(signal + 0.3 * Gaussian());
                    }
                }
            }

            gt[0] = 255;   // a void pixel in every image: must be ignored
            masks.Add(new ByteRaster(Size, Size, mask));
            gts.Add(new ByteRaster(Size, Size, gt));
        }

        return new SyntheticSplit(tensor(emb, [images, dim, Size, Size]), tensor(logits, [images, Size, Size]), masks, gts);
    }

    public void Dispose()
    {
        Embeddings.Dispose();
        Logits.Dispose();
    }
}
