namespace MaskContrast.Core.Data;

/// <summary>
/// Folder names of a PASCAL-VOC-layout dataset, relative to its root. <see cref="Standard"/> is the VOC2012
/// devkit layout; <see cref="Official"/> the layout of the MaskContrast tarball (pretrain/data/dataloaders/pascal_voc.py).
/// </summary>
/// <param name="Images">RGB images, <c>{id}.jpg</c>.</param>
/// <param name="Labels">Ground-truth class maps, palette PNGs <c>{id}.png</c> holding class indices, 255 = ignore.</param>
/// <param name="Splits">Split files <c>{split}.txt</c> with one id per line.</param>
/// <param name="Saliency">Saliency masks <c>{id}.png</c> (0/255 or 0/1), or null for none.</param>
public sealed record VocLayout(
    string Images = "JPEGImages",
    string Labels = "SegmentationClass",
    string Splits = "ImageSets/Segmentation",
    string? Saliency = "saliency_gt")
{
    /// <summary>VOC2012 devkit folders plus a <c>saliency_gt</c> mask folder (what <see cref="SyntheticDataset"/> writes).</summary>
    public static VocLayout Standard { get; } = new();

    /// <summary>The official MaskContrast tarball: <c>images/</c>, <c>sets/</c>, unsupervised saliency masks.</summary>
    public static VocLayout Official { get; } = new("images", "SegmentationClass", "sets", "saliency_unsupervised_model");

    /// <summary>Picks <see cref="Official"/> when <paramref name="root"/> has an <c>images/</c> folder and no <c>JPEGImages/</c>.</summary>
    public static VocLayout Detect(string root) =>
        !Directory.Exists(Path.Combine(root, Standard.Images)) && Directory.Exists(Path.Combine(root, Official.Images))
            ? Official
            : Standard;
}
