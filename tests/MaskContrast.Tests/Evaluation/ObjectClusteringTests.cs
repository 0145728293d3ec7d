using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public class ObjectClusteringTests
{
    // A 10×10 mask with a 4×4 object at the top left, a 3×3 object at the bottom right and a 1-pixel fragment.
    static ByteRaster TwoObjectsAndAFragment()
    {
        var v = new byte[100];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) v[y * 10 + x] = 1;
        for (int y = 7; y < 10; y++) for (int x = 7; x < 10; x++) v[y * 10 + x] = 1;
        v[0 * 10 + 8] = 1;
        return new ByteRaster(10, 10, v);
    }

    [Fact]
    public void Find_ComponentsAreObjects_FragmentsJoinTheLargest()
    {
        var s = ObjectSegments.Find(TwoObjectsAndAFragment());   // 1 % of 100 px = 1 px: the fragment would be an object
        Assert.Equal(3, s.Count);
        // A fragment below 1 %: 1 pixel in a 20×20 image (4 px needed).
        var v = new byte[400];
        for (int y = 0; y < 5; y++) for (int x = 0; x < 5; x++) v[y * 20 + x] = 1;
        v[19 * 20 + 19] = 1;
        var withFragment = ObjectSegments.Find(new ByteRaster(20, 20, v));
        Assert.Equal(1, withFragment.Count);
        Assert.Equal(1, withFragment.ObjectOf[19 * 20 + 19]);   // joined the 5×5 object
        Assert.Equal(0, withFragment.ObjectOf[10 * 20 + 10]);
    }

    [Fact]
    public void Find_OnlyFragments_MakeOneObject_AndEmptyMaskNone()
    {
        var v = new byte[400];
        v[0] = 1; v[399] = 1;
        Assert.Equal(1, ObjectSegments.Find(new ByteRaster(20, 20, v)).Count);
        Assert.Equal(0, ObjectSegments.Find(new ByteRaster(20, 20, new byte[400])).Count);
    }

    [Fact]
    public void Prototypes_AreTheLogitWeightedMeanDirectionOfEachObject()
    {
        // 2-d embedding: object 1 (left column) points along x, object 2 (right column) along y; logits weight pixels.
        var mask = new ByteRaster(2, 2, [1, 1, 1, 1]);
        var s = new ObjectSegments(2, 2, [1, 2, 1, 2], 2);
        var emb = tensor(new float[] { 3, 0, 1, 0,    0, 2, 0, 4 }, [2, 2, 2]);     // [D, H, W]: pixel (0,0) = (3,0), (0,1) = (0,2), …
        var logits = tensor(new float[] { 1, 1, 2, 0.6f }, [2, 2]);
        var p = s.Prototypes(emb, logits).data<float>().ToArray();
        // object 1: 1·(3,0) + 2·(1,0) = (5,0) → (1,0); object 2: 1·(0,2) + 0.6·(0,4) = (0,4.4) → (0,1)
        Assert.Equal([1f, 0f, 0f, 1f], p.Select(x => MathF.Round(x, 5)));
        Assert.Equal(mask.PixelCount, s.ObjectOf.Length);
    }

    [Fact]
    public void PerObject_ScoresTwoClassImagesThatPerImageCannot()
    {
        // 8 images of 10×10, each with a class-1 object on the left half and a class-2 object on the right half; the
        // prototypes point to the class. Per object the split is perfect; per image every image gets one cluster.
        var segments = new List<ObjectSegments>();
        var truth = new List<ByteRaster>();
        var masks = new List<ByteRaster>();
        var objectProtos = new List<float>();
        var imageProtos = new List<float>();
        for (int i = 0; i < 8; i++)
        {
            var objectOf = new byte[100];
            var gt = new byte[100];
            for (int y = 2; y < 8; y++)
                for (int x = 0; x < 10; x++)
                    if (x is >= 1 and <= 3) { objectOf[y * 10 + x] = 1; gt[y * 10 + x] = 1; }
                    else if (x is >= 6 and <= 8) { objectOf[y * 10 + x] = 2; gt[y * 10 + x] = 2; }
            segments.Add(new ObjectSegments(10, 10, objectOf, 2));
            truth.Add(new ByteRaster(10, 10, gt));
            masks.Add(new ByteRaster(10, 10, objectOf.Select(o => (byte)(o == 0 ? 0 : 1)).ToArray()));
            float jitter = 0.01f * i;
            objectProtos.AddRange([1, jitter, jitter, 1]);
            imageProtos.AddRange(i % 2 == 0 ? [1, jitter] : [jitter, 1]);
        }
        var options = new ClusteringProtocolOptions(NumClasses: 3, Whiten: false);
        var perObject = ObjectClusteringProtocol.Evaluate(tensor(objectProtos.ToArray(), [16, 2]), segments, truth, options);
        var perImage = KMeansProtocol.Evaluate(tensor(imageProtos.ToArray(), [8, 2]), masks, truth, options);
        Assert.All(perObject.PerSeed, s => Assert.Equal(1.0, s.MeanIoU, 12));
        // Per image: background IoU 1, and each class gets half of the pixels of its cluster at best: (1 + 1/3 + 1/3) / 3.
        Assert.Equal((1 + 1 / 3.0 + 1 / 3.0) / 3, perImage.MeanIoU, 6);
    }

    [Fact]
    public void PerObject_WithOneObjectPerImage_EqualsThePerImageProtocol()
    {
        using var split = SyntheticSplit.Create(images: 30, objectClasses: 4, dim: 4, seed: 3);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);
        var segments = split.Masks.Select(m => new ObjectSegments(m.Width, m.Height, m.Values.Select(v => (byte)(v == 0 ? 0 : 1)).ToArray(), 1)).ToList();
        var options = new ClusteringProtocolOptions(NumClasses: 5);
        var perImage = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth, options);
        var perObject = ObjectClusteringProtocol.Evaluate(prototypes, segments, split.GroundTruth, options);
        Assert.Equal(perImage.PerSeed.Select(s => s.MeanIoU), perObject.PerSeed.Select(s => s.MeanIoU));
    }
}
