namespace MaskContrast.Core.Data;

/// <summary>
/// A plain folder of images (optionally recursive) with an optional folder of masks named like the images.
/// Ids are relative paths without extension, with '/' separators (<c>cats/001</c>).
/// </summary>
public sealed class FolderDataset : IImageDataset, IImageFiles
{
    /// <summary>File extensions recognised as images (case-insensitive).</summary>
    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    private readonly Dictionary<string, string> _paths;

    /// <summary>Lists the images under <paramref name="folder"/>.</summary>
    /// <param name="folder">The image folder.</param>
    /// <param name="recursive">Include sub-folders (ids then contain the relative folder).</param>
    /// <param name="maskFolder">Masks <c>{id}.png</c> (0/255 or 0/1; mirrored sub-folders when recursive), or null.</param>
    /// <param name="maxPixels">Decompression-bomb limit passed to <see cref="ImageCodec"/>.</param>
    public FolderDataset(string folder, bool recursive = false, string? maskFolder = null, long maxPixels = ImageCodec.DefaultMaxPixels)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        if (maskFolder is not null && !Directory.Exists(maskFolder))
            throw new DirectoryNotFoundException($"Mask folder '{maskFolder}' does not exist.");
        Folder = folder;
        MaskFolder = maskFolder;
        MaxPixels = maxPixels;
        _paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var option = recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        foreach (var file in Directory.EnumerateFiles(folder, "*", option))
        {
            if (!ImageExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
                continue;
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            var id = relative[..^Path.GetExtension(relative).Length];
            // Two files with one id (a.jpg and a.png) would make masks and outputs ambiguous.
            if (!_paths.TryAdd(id, file))
                throw new InvalidDataException($"Images '{_paths[id]}' and '{file}' have the same id '{id}'; rename one of them.");
        }
        Ids = _paths.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The image folder.</summary>
    public string Folder { get; }

    /// <summary>The mask folder, or null.</summary>
    public string? MaskFolder { get; }

    /// <summary>Decompression-bomb limit in pixels.</summary>
    public long MaxPixels { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The image file of <paramref name="id"/>.</summary>
    public string ImagePath(string id) =>
        _paths.TryGetValue(id, out var path) ? path : throw new KeyNotFoundException($"No image with id '{id}' in '{Folder}'.");

    /// <inheritdoc/>
    public RgbImage LoadImage(string id) => ImageCodec.DecodeRgb(ImagePath(id), MaxPixels);

    /// <inheritdoc/>
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
    private string? MaskPath(string id) => MaskFolder is null ? null : MaskFile.Find(MaskFolder, id);

    /// <inheritdoc/>
    public ByteRaster? LoadLabels(string id) => null;
}
