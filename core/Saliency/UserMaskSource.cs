using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>
/// Masks a user brings (e.g. from a supervised saliency model): <c>{folder}/{id}.png</c> (or .bmp/.jpg/.webp),
/// 0/255 or 0/1 — both read as foreground = 1 (see <see cref="MaskFile"/>). A mask of the wrong size or that cannot
/// be decoded is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class UserMaskSource
{
    /// <summary>Uses the masks in <paramref name="folder"/>.</summary>
    public UserMaskSource(string folder, long maxPixels = ImageCodec.DefaultMaxPixels)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"User mask folder '{folder}' does not exist.");
        Folder = folder;
        MaxPixels = maxPixels;
    }

    /// <summary>The mask folder.</summary>
    public string Folder { get; }

    /// <summary>Decompression-bomb limit in pixels.</summary>
    public long MaxPixels { get; }

    /// <summary>The mask file for <paramref name="id"/>, or null when the folder has none.</summary>
    public string? Find(string id) => MaskFile.Find(Folder, id);

    /// <summary>Loads the 0/1 mask of <paramref name="id"/>, checking it has the image's size; null when it has no file.</summary>
    public ByteRaster? Load(string id, int imageWidth, int imageHeight)
    {
        var path = Find(id);
        return path is null ? null : MaskFile.LoadBinary(path, imageWidth, imageHeight, MaxPixels);
    }
}
