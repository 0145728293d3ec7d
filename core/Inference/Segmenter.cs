using System.Diagnostics;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Inference;

/// <summary>One image's segmentation: a label per pixel at the input size (0 = background, k = object cluster k).</summary>
public sealed record Segmentation(ByteRaster Labels, IReadOnlyList<SegmentArea> Areas, double Milliseconds);

/// <summary>A label present in a segmentation, its share of the image, its class name when the bundle knows it (labelled
/// training data), and the name a user gave the cluster.</summary>
public sealed record SegmentArea(int Label, double Fraction, string? ClassName, string? Name = null);

/// <summary>
/// Segments new images with a <see cref="ModelBundle"/>: the K-means protocol applied to one image (FixedResize to the
/// bundle's inference size, saliency logit &gt; 0.5 as the object mask, a prototype through PCA to the nearest centroid),
/// the label map resized back to the input size with nearest neighbour. One prototype for the whole mask (official,
/// assignment "image") or one per object of the mask (assignment "object", <see cref="ObjectSegments"/>), as the bundle says.
/// </summary>
public sealed class Segmenter(ModelBundle bundle)
{
    public Segmentation Segment(RgbImage image)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        int size = bundle.Manifest.EvalSize;
        var device = bundle.Model.parameters().First().device;
        ByteRaster small;
        using (no_grad())
        {
            using var output = bundle.Model.forward(ImageTensors.FixedResize(image, size).unsqueeze(0).to(device));
            var salient = PrototypeFromEmbedding.SalientMask(output.SaliencyLogits[0].cpu());
            if (bundle.Manifest.Assignment == ClusterAssignment.Object)
            {
                var objects = ObjectSegments.Find(salient);
                var clusters = objects.Count == 0 ? []
                    : KMeansProtocol.AssignClusters(bundle.Pca, bundle.Centroids, objects.Prototypes(output.Embeddings[0], output.SaliencyLogits[0]));
                small = objects.Paint(clusters.Select(c => (byte)(c + 1)).ToArray());
            }
            else
            {
                var prototype = PrototypeFromEmbedding.Compute(output.Embeddings, output.SaliencyLogits).cpu();   // [1, D]
                int cluster = KMeansProtocol.AssignClusters(bundle.Pca, bundle.Centroids, prototype)[0];
                small = KMeansProtocol.PaintMask(salient, (byte)(cluster + 1));
            }
        }
        var labels = NearestResize.Resize(small, image.Width, image.Height);
        var counts = new long[bundle.Clusters + 1];
        foreach (byte v in labels.Values) counts[v]++;
        var areas = Enumerable.Range(0, counts.Length).Where(l => counts[l] > 0)
            .Select(l => new SegmentArea(l, (double)counts[l] / labels.PixelCount, bundle.ClassOf(l), bundle.NameOf(l))).ToList();
        return new Segmentation(labels, areas, clock.Elapsed.TotalMilliseconds);
    }
}
