namespace MaskContrast.Core.Data;

/// <summary>
/// A PASCAL-VOC-layout dataset: images, palette-PNG class maps read as indices (255 = ignore), split files and an
/// optional folder of saliency masks (0/255 or 0/1).
/// </summary>
public sealed class VocDataset : IImageDataset, IImageFiles
{
    private static readonly string[] s_imageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Opens the dataset at <paramref name="root"/>.</summary>
    /// <param name="root">Dataset root (contains <see cref="VocLayout.Images"/> etc.).</param>
    /// <param name="split">Split name (<c>train</c>, <c>val</c>, <c>trainval</c>…) read from <c>{Splits}/{split}.txt</c>;
    /// null for every image in the image folder, sorted by id.</param>
    /// <param name="layout">Folder names; null detects <see cref="VocLayout.Standard"/> or <see cref="VocLayout.Official"/>.</param>
    /// <param name="maxPixels">Decompression-bomb limit passed to <see cref="ImageCodec"/>.</param>
    public VocDataset(string root, string? split = "train", VocLayout? layout = null, long maxPixels = ImageCodec.DefaultMaxPixels)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"VOC dataset root '{root}' does not exist.");
        Root = root;
        Split = split;
        Layout = layout ?? VocLayout.Detect(root);
        MaxPixels = maxPixels;
        var imageDir = Path.Combine(root, Layout.Images);
        if (!Directory.Exists(imageDir))
            throw new DirectoryNotFoundException($"'{root}' has no '{Layout.Images}' folder; is it a VOC-layout dataset?");
        Ids = split is null ? ListIds(imageDir) : ReadSplit(split);
    }

    /// <summary>The dataset root folder.</summary>
    public string Root { get; }

    /// <summary>The split read, or null for all images.</summary>
    public string? Split { get; }

    /// <summary>The folder names in use.</summary>
    public VocLayout Layout { get; }

    /// <summary>Decompression-bomb limit in pixels.</summary>
    public long MaxPixels { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The image file of <paramref name="id"/> (<c>.jpg</c> first, then <c>.jpeg</c>, <c>.png</c>).</summary>
    public string ImagePath(string id)
    {
        foreach (var ext in s_imageExtensions)
        {
            var path = Path.Combine(Root, Layout.Images, id + ext);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"Image '{id}' listed in split '{Split}' has no file '{Path.Combine(Root, Layout.Images, id)}.jpg'.");
    }

    /// <inheritdoc/>
    public RgbImage LoadImage(string id) => ImageCodec.DecodeRgb(ImagePath(id), MaxPixels);

    /// <inheritdoc/>
    /// <remarks>Null when the mask file is missing: the official set keeps only images with a mask (see <see cref="WithMasksOnly"/>).</remarks>
    public ByteRaster? LoadMask(string id)
    {
        if (MaskPath(id) is not { } path)
            return null;
        var (w, h) = ImageCodec.ReadSize(ImagePath(id), MaxPixels);
        return MaskFile.LoadBinary(path, w, h, MaxPixels);
    }

    /// <inheritdoc/>
    public bool HasMask(string id) => MaskPath(id) is not null;

    // The mask file of the image, or null when there is none.
    private string? MaskPath(string id) => Layout.Saliency is null ? null : MaskFile.Find(Path.Combine(Root, Layout.Saliency), id);

    /// <inheritdoc/>
    public ByteRaster? LoadLabels(string id)
    {
        var path = Path.Combine(Root, Layout.Labels, id + ".png");
        if (!File.Exists(path))
            return null;
        var bytes = File.ReadAllBytes(path);
        return IndexedPng.TryRead(bytes, path, MaxPixels)
            ?? throw new InvalidDataException(
                $"Label map '{path}' is not a palette or 8-bit grayscale PNG; class maps must store class indices, not colours.");
    }

    /// <summary>
    /// The ids whose saliency mask exists, as the official pretraining set is filtered
    /// (pretrain/data/dataloaders/pascal_voc.py keeps only images with a saliency PNG).
    /// </summary>
    public IReadOnlyList<string> WithMasksOnly()
    {
        if (Layout.Saliency is null)
            return [];
        var folder = Path.Combine(Root, Layout.Saliency);
        return Ids.Where(id => MaskFile.Find(folder, id) is not null).ToArray();
    }

    private string[] ReadSplit(string split)
    {
        var path = Path.Combine(Root, Layout.Splits, split + ".txt");
        if (!File.Exists(path))
        {
            var dir = Path.Combine(Root, Layout.Splits);
            var available = Directory.Exists(dir)
                ? string.Join(", ", Directory.GetFiles(dir, "*.txt").Select(Path.GetFileNameWithoutExtension).Order())
                : "none";
            throw new FileNotFoundException($"Split file '{path}' does not exist (available splits: {available}).", path);
        }
        return File.ReadLines(path)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
            .OfType<string>()
            .ToArray();
    }

    private static string[] ListIds(string imageDir) =>
        Directory.EnumerateFiles(imageDir)
            .Where(f => s_imageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();
}
