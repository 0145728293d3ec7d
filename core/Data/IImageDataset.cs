namespace MaskContrast.Core.Data;

/// <summary>
/// A set of images addressed by id (the file name without extension), with optional object masks
/// (saliency proposals, values 0/1) and optional ground-truth class maps (class indices, 255 = ignore).
/// </summary>
public interface IImageDataset
{
    /// <summary>Image ids in a stable order.</summary>
    IReadOnlyList<string> Ids { get; }

    RgbImage LoadImage(string id);

    /// <summary>The object mask of the image (0/1, same size as the image), or null when the dataset has none for it.</summary>
    ByteRaster? LoadMask(string id);

    /// <summary>Whether <see cref="LoadMask"/> would find a mask; datasets that keep masks in files answer without decoding.</summary>
    bool HasMask(string id) => LoadMask(id) is not null;

    /// <summary>Ground-truth class indices (255 = ignore), or null when the dataset has no labels.</summary>
    ByteRaster? LoadLabels(string id);
}
