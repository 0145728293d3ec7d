using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Tests.Inference;

/// <summary>A bundle that assigns clusters per object keeps that choice through a save and load, and segments the same
/// foreground as per image, with one label per object.</summary>
public sealed class ObjectAssignmentTests
{
    static RgbImage Stripes(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = 3 * (y * w + x);
                rgb[i] = (byte)((x / 6 % 2) * 200 + 20); rgb[i + 1] = (byte)(y * 4); rgb[i + 2] = (byte)((x * y) % 256);
            }
        return new RgbImage(w, h, rgb);
    }

    [Fact]
    public void ObjectBundle_RoundTrips_AndSegmentsTheSameForegroundWithOneLabelPerObject()
    {
        using var perImage = SegmentationWriterTests.TinyBundle();
        using var buffer = new MemoryStream();
        using (var created = SegmentationWriterTests.TinyBundle(ClusterAssignment.Object)) created.Save(buffer);
        buffer.Position = 0;
        using var perObject = ModelBundle.Load(buffer, "object bundle");
        Assert.Equal(ClusterAssignment.Object, perObject.Manifest.Assignment);
        Assert.Equal(perImage.Manifest.EvalSize, perObject.Manifest.EvalSize);

        // An untrained saliency head marks nothing; random signed weights make it mark separate regions (the same in both).
        foreach (var bundle in new[] { perImage, perObject })
            using (TorchSharp.torch.no_grad())
            {
                var w = bundle.Model.SaliencyHead.weight;
                TorchSharp.torch.random.manual_seed(1);   // a seed whose head marks several regions of this image
                w.copy_(TorchSharp.torch.randn(w.shape).mul(5));
            }
        var image = Stripes(48, 40);
        var a = new Segmenter(perImage).Segment(image).Labels;
        var b = new Segmenter(perObject).Segment(image).Labels;
        Assert.Equal(a.Values.Select(v => v != 0), b.Values.Select(v => v != 0));   // the same salient pixels
        Assert.Single(a.Values.Where(v => v != 0).Distinct());                       // per image: one label
        var (components, areas) = ConnectedComponents.Label(new ByteRaster(b.Width, b.Height, b.Values.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray()));
        Assert.True(areas.Length > 2, "the test needs at least two separate salient regions");
        foreach (var group in components.Select((c, p) => (c, p)).Where(t => t.c != 0).GroupBy(t => t.c))
            Assert.Single(group.Select(t => b.Values[t.p]).Distinct());               // per object: one label each
    }
}
