namespace MaskContrast.Core.Data;

/// <summary>A dataset whose images are files, so their size can be read from the header without decoding.</summary>
public interface IImageFiles
{
    /// <summary>The image file of <paramref name="id"/>.</summary>
    string ImagePath(string id);

    /// <summary>Decompression-bomb limit in pixels used when reading the files.</summary>
    long MaxPixels { get; }
}
