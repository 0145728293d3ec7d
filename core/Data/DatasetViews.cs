namespace MaskContrast.Core.Data;

/// <summary>Some images of another dataset, in the given order.</summary>
public sealed class SubsetDataset(IImageDataset inner, IReadOnlyList<string> ids) : IImageDataset
{
    public IReadOnlyList<string> Ids { get; } = ids;
    public RgbImage LoadImage(string id) => inner.LoadImage(id);
    public ByteRaster? LoadMask(string id) => inner.LoadMask(id);
    public bool HasMask(string id) => inner.HasMask(id);
    public ByteRaster? LoadLabels(string id) => inner.LoadLabels(id);
}

/// <summary>Another dataset's images and labels with the object masks taken from a folder of proposals (<c>{id}.png</c>, 0/255 or 0/1).</summary>
public sealed class ProposalMaskDataset(IImageDataset inner, string maskFolder) : IImageDataset
{
    public IReadOnlyList<string> Ids => inner.Ids;
    public RgbImage LoadImage(string id) => inner.LoadImage(id);
    public ByteRaster? LoadLabels(string id) => inner.LoadLabels(id);

    public ByteRaster? LoadMask(string id) =>
        MaskFile.Find(maskFolder, id) is { } path ? MaskFile.LoadBinary(path) : null;

    public bool HasMask(string id) => MaskFile.Find(maskFolder, id) is not null;
}

/// <summary>Opens a dataset folder: PASCAL-VOC layout when it has an image folder of that layout, else a plain folder of images.</summary>
public static class DatasetFolder
{
    /// <param name="split">VOC split to read when its split file exists (e.g. train); otherwise every image.</param>
    public static IImageDataset Open(string root, string? split = "train")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder '{root}' does not exist");
        var layout = VocLayout.Detect(root);
        if (Directory.Exists(Path.Combine(root, layout.Images)))
        {
            bool hasSplit = split is not null && File.Exists(Path.Combine(root, layout.Splits, split + ".txt"));
            return new VocDataset(root, hasSplit ? split : null, layout);
        }
        var folder = new FolderDataset(root, recursive: true);
        if (folder.Ids.Count == 0) throw new InvalidDataException($"dataset folder '{root}' holds no images (jpg, png, webp, bmp, gif)");
        return folder;
    }

    /// <summary>PASCAL VOC's 21 class names, background first.</summary>
    public static readonly string[] VocClassNames =
    [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
        "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>
    /// Class names of a labelled dataset: <c>classes.txt</c> in its root (one name per line, background first) when present,
    /// VOC's names for 21 classes, otherwise null (reports then say "class k").
    /// </summary>
    public static string[]? ClassNames(string root, int numClasses)
    {
        string file = Path.Combine(root, "classes.txt");
        if (File.Exists(file))
        {
            var names = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            return names.Length == numClasses ? names
                : throw new InvalidDataException($"'{file}' lists {names.Length} class names but the ground truth has {numClasses} classes");
        }
        return numClasses == VocClassNames.Length ? VocClassNames : null;
    }

    /// <summary>True when <paramref name="root"/> is a VOC-layout dataset that has the split <paramref name="split"/> and ground truth.</summary>
    public static bool HasLabelledSplit(string root, string split)
    {
        var layout = VocLayout.Detect(root);
        return File.Exists(Path.Combine(root, layout.Splits, split + ".txt")) && Directory.Exists(Path.Combine(root, layout.Labels));
    }
}
