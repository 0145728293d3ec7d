namespace MaskContrast.Core.Data;

/// <summary>
/// Loads object masks (saliency proposals, user masks) as 0/1 rasters, accepting both common encodings.
/// </summary>
/// <remarks>
/// A mask whose largest value is 1 is read as 0/1; otherwise a value ≥ 128 is foreground (0/255 masks, and JPEG or
/// anti-aliased masks near those levels). The official loader (<c>ToTensor().long()</c>) silently turns 0/1 PNGs into
/// empty masks; we do not (wvangansbeke/Unsupervised-Semantic-Segmentation pretrain/data/dataloaders/pascal_voc.py).
/// </remarks>
public static class MaskFile
{
    /// <summary>Extensions tried, in order, when a mask is looked up by image id.</summary>
    public static readonly string[] Extensions = [".png", ".bmp", ".jpg", ".jpeg", ".webp"];

    /// <summary>
    /// Reads a mask and binarises it to 0/1. When an expected size is given, a different size is an
    /// <see cref="InvalidDataException"/> naming the file and both sizes.
    /// </summary>
    public static ByteRaster LoadBinary(string path, int? expectedWidth = null, int? expectedHeight = null,
        long maxPixels = ImageCodec.DefaultMaxPixels)
    {
        ByteRaster raw;
        try
        {
            raw = ImageCodec.DecodeSingleChannel(path, maxPixels);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Mask '{path}' is unreadable: {e.Message}", e);
        }
        if (expectedWidth is int w && expectedHeight is int h && (raw.Width != w || raw.Height != h))
            throw new InvalidDataException(
                $"Mask '{path}' is {raw.Width}×{raw.Height} but its image is {w}×{h}; masks must have the image's size.");
        return Binarize(raw);
    }

    /// <summary>0/1 stays 0/1; anything with larger values is thresholded at 128.</summary>
    public static ByteRaster Binarize(ByteRaster raw)
    {
        byte max = 0;
        foreach (byte v in raw.Values)
            max = Math.Max(max, v);
        var values = new byte[raw.Values.Length];
        if (max <= 1)
            raw.Values.CopyTo(values, 0);
        else
            for (int i = 0; i < values.Length; i++)
                values[i] = (byte)(raw.Values[i] >= 128 ? 1 : 0);
        return new ByteRaster(raw.Width, raw.Height, values);
    }

    /// <summary>The mask file for <paramref name="id"/> in <paramref name="folder"/>, or null when there is none.</summary>
    public static string? Find(string folder, string id)
    {
        foreach (var ext in Extensions)
        {
            var path = Path.Combine(folder, id + ext);
            if (File.Exists(path))
                return path;
        }
        return null;
    }

    /// <summary>Scales 0/1 to 0/255 for writing (the encoding the official loader and most viewers expect).</summary>
    public static ByteRaster To255(ByteRaster binary)
    {
        var values = new byte[binary.Values.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = binary.Values[i] != 0 ? (byte)255 : (byte)0;
        return new ByteRaster(binary.Width, binary.Height, values);
    }
}
