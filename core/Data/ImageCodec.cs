using System.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MaskContrast.Core.Data;

/// <summary>
/// Image file I/O through SkiaSharp: decode any format Skia reads (JPEG, PNG, WebP, GIF, BMP, ICO, WBMP) to
/// <see cref="RgbImage"/> with the EXIF orientation applied, and encode masks and images as PNG.
/// </summary>
/// <remarks>
/// Every decode checks the pixel count from the file header before any pixel memory is allocated, so a small file
/// that claims a huge size (a decompression bomb) is refused cheaply. Errors are <see cref="InvalidDataException"/>
/// (or <see cref="FileNotFoundException"/>) with the file name in the message.
/// </remarks>
public static class ImageCodec
{
    /// <summary>Default limit on width × height: 40 megapixels (a 7200×5400 photo), ~160 MB of RGBA while decoding.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>Decodes an image file to RGB with its EXIF orientation applied.</summary>
    public static RgbImage DecodeRgb(string path, long maxPixels = DefaultMaxPixels) =>
        DecodeRgb(ReadAllBytes(path), path, maxPixels);

    /// <summary>Decodes an image held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static RgbImage DecodeRgb(byte[] encoded, string name, long maxPixels = DefaultMaxPixels)
    {
        using var codec = OpenCodec(encoded, name, maxPixels);
        return Orientation.Apply(DecodeAt(codec, codec.Info.Width, codec.Info.Height, name), codec.EncodedOrigin);
    }

    /// <summary>
    /// Decodes at a reduced size whose longer side is still at least <paramref name="minLongSide"/>, when the format
    /// can do so cheaply (JPEG scales by n/8 in the DCT domain, which is both faster than a full decode and an
    /// area-like average); other formats decode at full size. Also returns the full displayed size, which is what
    /// outputs such as masks must match. EXIF orientation is applied.
    /// </summary>
    public static (RgbImage Image, int FullWidth, int FullHeight) DecodeRgbReduced(string path, int minLongSide, long maxPixels = DefaultMaxPixels)
    {
        using var codec = OpenCodec(ReadAllBytes(path), path, maxPixels);
        int w = codec.Info.Width, h = codec.Info.Height;
        var (fullW, fullH) = Orientation.SwapsAxes(codec.EncodedOrigin) ? (h, w) : (w, h);
        if (Math.Max(w, h) > minLongSide)
        {
            var size = codec.GetScaledDimensions(minLongSide / (float)Math.Max(w, h));
            if (Math.Max(size.Width, size.Height) >= minLongSide && size.Width < w)
            {
                var reduced = TryDecodeAt(codec, size.Width, size.Height, path);
                if (reduced is not null)
                    return (Orientation.Apply(reduced, codec.EncodedOrigin), fullW, fullH);
            }
        }
        return (Orientation.Apply(DecodeAt(codec, w, h, path), codec.EncodedOrigin), fullW, fullH);
    }

    /// <summary>Decodes an image from a stream (read to the end first); <paramref name="name"/> is used in errors.</summary>
    public static RgbImage DecodeRgb(Stream stream, string name, long maxPixels = DefaultMaxPixels)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return DecodeRgb(buffer.ToArray(), name, maxPixels);
    }

    /// <summary>The displayed size (after EXIF orientation) read from the header only, without decoding pixels.</summary>
    public static (int Width, int Height) ReadSize(string path, long maxPixels = DefaultMaxPixels)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        // A stream, not the whole file: Skia reads only the header (and EXIF) to report the size and origin.
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
            throw new InvalidDataException($"'{path}' is empty (0 bytes), not an image.");
        using var codec = OpenCodec(stream, path, maxPixels);
        return Orientation.SwapsAxes(codec.EncodedOrigin)
            ? (codec.Info.Height, codec.Info.Width)
            : (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Decodes a single-channel raster: palette PNGs give their indices, grayscale PNGs their grey levels, anything
    /// else (RGB PNG, JPEG…) its luminance. EXIF orientation is applied to JPEG masks as to images.
    /// </summary>
    public static ByteRaster DecodeSingleChannel(string path, long maxPixels = DefaultMaxPixels)
    {
        var bytes = ReadAllBytes(path);
        var raw = IndexedPng.TryRead(bytes, path, maxPixels);
        if (raw is not null)
            return raw;
        var rgb = DecodeRgb(bytes, path, maxPixels);
        var gray = new byte[rgb.PixelCount];
        for (int i = 0; i < gray.Length; i++)
            gray[i] = (byte)((rgb.Rgb[3 * i] * 77 + rgb.Rgb[3 * i + 1] * 150 + rgb.Rgb[3 * i + 2] * 29 + 128) >> 8); // BT.601 luma
        return new ByteRaster(rgb.Width, rgb.Height, gray);
    }

    /// <summary>Encodes a raster as an 8-bit grayscale PNG (values written as they are, e.g. 0/255 masks).</summary>
    public static byte[] EncodeGrayPng(ByteRaster raster, int zlibLevel = 6) =>
        Encode(new SKImageInfo(raster.Width, raster.Height, SKColorType.Gray8, SKAlphaType.Opaque), raster.Values, zlibLevel);

    /// <summary>Encodes an RGB image as a PNG (lossless).</summary>
    public static byte[] EncodePng(RgbImage image) =>
        Encode(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), ToRgba(image), 6);

    /// <summary>Encodes an RGB image as a JPEG (4:2:0 chroma); 95 keeps synthetic textures nearly lossless.</summary>
    public static byte[] EncodeJpeg(RgbImage image, int quality = 95)
    {
        var rgba = ToRgba(image);
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
                ?? throw new InvalidOperationException("SkiaSharp failed to encode a JPEG");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Throws when width × height exceeds <paramref name="maxPixels"/> (or is not positive).</summary>
    internal static void CheckPixelLimit(int width, int height, long maxPixels, string name)
    {
        if (width <= 0 || height <= 0)
            throw new InvalidDataException($"'{name}' has an invalid size {width}×{height}.");
        long pixels = (long)width * height;
        if (pixels > maxPixels)
            throw new InvalidDataException(
                $"'{name}' is {width}×{height} = {pixels:N0} pixels, over the limit of {maxPixels:N0} " +
                "(decompression-bomb guard); downscale the image or raise the pixel limit.");
    }

    private static byte[] ReadAllBytes(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        return File.ReadAllBytes(path);
    }

    private static SKCodec OpenCodec(byte[] encoded, string name, long maxPixels)
    {
        if (encoded.Length == 0)
            throw new InvalidDataException($"'{name}' is empty (0 bytes), not an image.");
        return OpenCodec(new MemoryStream(encoded, writable: false), name, maxPixels);
    }

    private static SKCodec OpenCodec(Stream stream, string name, long maxPixels)
    {
        // SKCodec reads only the header here; pixels are decoded later by GetPixels.
        var codec = SKCodec.Create(stream, out var result);
        if (codec is null && result == SKCodecResult.IncompleteInput)
            throw new InvalidDataException($"'{name}' is truncated: the file ends inside the image header.");
        if (codec is null)
            throw new InvalidDataException(
                $"'{name}' is not a readable image ({result}); supported formats: JPEG, PNG, WebP, GIF, BMP, ICO, WBMP.");
        try
        {
            CheckPixelLimit(codec.Info.Width, codec.Info.Height, maxPixels, name);
        }
        catch
        {
            codec.Dispose();
            throw;
        }
        return codec;
    }

    private static RgbImage DecodeAt(SKCodec codec, int width, int height, string name) =>
        TryDecodeAt(codec, width, height, name) ?? throw new InvalidDataException($"'{name}' could not be decoded ({SKCodecResult.InvalidScale}).");

    /// <summary>Decodes to RGB at the given size; null when the codec cannot scale to it.</summary>
    private static RgbImage? TryDecodeAt(SKCodec codec, int width, int height, string name)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = ArrayPool<byte>.Shared.Rent(info.BytesSize);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            var result = codec.GetPixels(info, handle.AddrOfPinnedObject());
            if (result == SKCodecResult.InvalidScale)
                return null;
            if (result == SKCodecResult.IncompleteInput)
                throw new InvalidDataException($"'{name}' is truncated: the image data ends before the last row.");
            if (result != SKCodecResult.Success)
                throw new InvalidDataException($"'{name}' could not be decoded ({result}).");
            var rgb = new byte[width * height * 3];
            for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
            {
                rgb[j] = rgba[i];
                rgb[j + 1] = rgba[i + 1];
                rgb[j + 2] = rgba[i + 2];
            }
            return new RgbImage(width, height, rgb);
        }
        finally
        {
            handle.Free();
            // The RGBA buffer is pooled: a 500×375 image needs 750 KB, which would otherwise be a large-object
            // allocation per image.
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static byte[] Encode(SKImageInfo info, byte[] pixels, int zlibLevel)
    {
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zlibLevel))
                ?? throw new InvalidOperationException($"SkiaSharp failed to encode a {info.ColorType} PNG");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    private static byte[] ToRgba(RgbImage image)
    {
        var rgba = new byte[image.PixelCount * 4];
        for (int i = 0, j = 0; j < image.Rgb.Length; i += 4, j += 3)
        {
            rgba[i] = image.Rgb[j];
            rgba[i + 1] = image.Rgb[j + 1];
            rgba[i + 2] = image.Rgb[j + 2];
            rgba[i + 3] = 255;
        }
        return rgba;
    }
}
