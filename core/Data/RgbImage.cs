namespace MaskContrast.Core.Data;

/// <summary>An 8-bit RGB image, row-major, 3 bytes per pixel (R, G, B). EXIF orientation already applied.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    public int PixelCount => Width * Height;
}

/// <summary>A single-channel 8-bit raster, row-major: a binary mask (0/1), class indices (255 = ignore) or a cluster map.</summary>
public sealed record ByteRaster(int Width, int Height, byte[] Values)
{
    public int PixelCount => Width * Height;
}
