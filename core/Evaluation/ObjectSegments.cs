using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The objects of one image: the 8-connected components of its salient mask. A component smaller than
/// <see cref="MinAreaFraction"/> of the image is a fragment, not an object: it joins the largest component (or, when no
/// component is large enough, all salient pixels form one object). So every salient pixel belongs to exactly one object and
/// an image with one object segments exactly as the official per-image protocol does.
/// </summary>
/// <param name="ObjectOf">Per pixel, 0 = background, k = object k (1-based). A byte is enough (each object covers
/// at least 1 % of the image, so there are at most 100), and an evaluation keeps one map per image of its split.</param>
public sealed record ObjectSegments(int Width, int Height, byte[] ObjectOf, int Count)
{
    /// <summary>Components below this share of the image are fragments (the proposals' own area rule is 1 %).</summary>
    public const double MinAreaFraction = 0.01;

    public static ObjectSegments Find(ByteRaster salient)
    {
        var (labels, areas) = ConnectedComponents.Label(salient);
        int minArea = (int)Math.Ceiling(MinAreaFraction * salient.PixelCount);
        var objectOfComponent = new int[areas.Length];
        int count = 0, largest = 0;
        for (int c = 1; c < areas.Length; c++)
        {
            if (areas[c] >= minArea) objectOfComponent[c] = ++count;
            if (largest == 0 || areas[c] > areas[largest]) largest = c;
        }
        if (count == 0 && largest > 0) objectOfComponent[largest] = count = 1;   // only fragments: one object of all of them
        for (int c = 1; c < areas.Length; c++)
            if (objectOfComponent[c] == 0) objectOfComponent[c] = objectOfComponent[largest];
        var objectOf = labels.Select(l => l == 0 ? (byte)0 : (byte)objectOfComponent[l]).ToArray();
        return new ObjectSegments(salient.Width, salient.Height, objectOf, count);
    }

    /// <summary>
    /// One prototype per object, the official per-image formula restricted to the object: the normalised sum of the
    /// embedding weighted by the saliency logit. <paramref name="embedding"/> [D, H, W], <paramref name="saliencyLogits"/>
    /// [H, W] → [Count, D] float32 on the CPU.
    /// </summary>
    public Tensor Prototypes(Tensor embedding, Tensor saliencyLogits)
    {
        using var scope = NewDisposeScope();
        long d = embedding.shape[0];
        if (Count == 0) return zeros(0, d).MoveToOuterDisposeScope();
        var device = embedding.device;
        var sal = saliencyLogits.to(float32).reshape(-1);
        var weight = sal * (sal > PrototypeFromEmbedding.SaliencyThreshold).to(float32);                      // [HW]
        var owner = tensor(ObjectOf.Select(o => (long)o).ToArray(), device: device);                           // [HW]
        // Summed per owner (row 0 = background, dropped). Not a product with a one-hot [HW, Count + 1] matrix: with up to
        // 100 objects at 288² that was 67 MB of int64 per image, and at VOC scale the freed blocks piled up in glibc's arenas.
        var weighted = embedding.detach().to(float32).reshape(d, -1).t() * weight.unsqueeze(1);                // [HW, D]
        var summed = zeros(Count + 1, d, device: device).index_add_(0, owner, weighted, 1).narrow(0, 1, Count);   // [Count, D]
        return nn.functional.normalize(summed, p: 2, dim: 1, eps: 1e-12).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The salient mask these objects were found in (every salient pixel belongs to an object), 0/1.</summary>
    public ByteRaster SalientMask() => new(Width, Height, ObjectOf.Select(o => o == 0 ? (byte)0 : (byte)1).ToArray());

    /// <summary>The label map: <paramref name="background"/> off the objects, object k painted with <paramref name="labelOfObject"/>[k − 1].</summary>
    public ByteRaster Paint(IReadOnlyList<byte> labelOfObject, byte background = 0)
    {
        var values = new byte[ObjectOf.Length];
        for (int p = 0; p < values.Length; p++)
            values[p] = ObjectOf[p] == 0 ? background : labelOfObject[ObjectOf[p] - 1];
        return new ByteRaster(Width, Height, values);
    }
}
