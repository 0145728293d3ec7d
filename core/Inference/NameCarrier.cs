using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Core.Inference;

/// <summary>
/// Passes a previous model's cluster names on to a new model (issue 19): both bundles segment the same reference images
/// exactly as <c>segment</c> would (<see cref="Segmenter"/>), and <see cref="NameCarry.Match"/> pairs their clusters on
/// the overlap of the two label maps.
/// </summary>
public static class NameCarrier
{
    /// <summary>Most reference images: enough pixels for every cluster of a K = 20 model to show, at two forward passes each.</summary>
    public const int MaxReferenceImages = 100;

    /// <summary>Up to <paramref name="max"/> ids evenly spaced through <paramref name="ids"/> (all of them when fewer): a fixed
    /// choice, so the same dataset gives the same reference images.</summary>
    public static IReadOnlyList<string> ReferenceIds(IReadOnlyList<string> ids, int max = MaxReferenceImages) =>
        ids.Count <= max ? ids : Enumerable.Range(0, max).Select(i => ids[(int)((long)i * ids.Count / max)]).ToList();

    /// <summary>
    /// The carry from <paramref name="previous"/> to <paramref name="current"/> over <paramref name="ids"/> of
    /// <paramref name="images"/>; an image that cannot be decoded is left out. A previous model without names carries
    /// nothing and says so (no image is segmented).
    /// </summary>
    public static NameCarry Carry(ModelBundle previous, string source, ModelBundle current, IImageDataset images, IReadOnlyList<string> ids,
        CancellationToken cancellationToken = default)
    {
        if (previous.Manifest.ClusterNames is not { Count: > 0 } names)
            return NameCarry.Failed(source, "the previous model has no cluster names; name its clusters first");
        var overlap = new ClusterOverlap(previous.Clusters, current.Clusters);
        var before = new Segmenter(previous);
        var after = new Segmenter(current);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RgbImage image;
            try { image = images.LoadImage(id); }
            catch (InvalidDataException) { continue; }
            overlap.Add(before.Segment(image).Labels, after.Segment(image).Labels);
        }
        return overlap.Images == 0
            ? NameCarry.Failed(source, "no reference image could be read")
            : NameCarry.Match(overlap, names, source);
    }
}
