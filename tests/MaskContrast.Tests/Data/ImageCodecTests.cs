using System.Buffers.Binary;
using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public class ImageCodecTests
{
    /// <summary>A 64×32 image: left half red, right half blue, so every orientation is distinguishable.</summary>
    private static RgbImage LeftRedRightBlue()
    {
        var rgb = new byte[64 * 32 * 3];
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 64; x++)
            {
                int i = 3 * (y * 64 + x);
                if (x < 32) rgb[i] = 255; else rgb[i + 2] = 255;
            }
        return new RgbImage(64, 32, rgb);
    }

    /// <summary>Inserts an APP1 Exif segment with one Orientation (0x0112) entry right after the JPEG SOI marker.</summary>
    internal static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        var tiff = new byte[26];
        "MM"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);      // first IFD offset
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);      // one entry
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3);      // SHORT
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1);      // count
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), orientation);
        // bytes 22..25: next IFD offset 0
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    private static (int R, int G, int B) Pixel(RgbImage image, int x, int y)
    {
        int i = 3 * (y * image.Width + x);
        return (image.Rgb[i], image.Rgb[i + 1], image.Rgb[i + 2]);
    }

    [Fact]
    public void DecodeRgb_ExifOrientation6_RotatesClockwise()
    {
        var jpeg = WithExifOrientation(ImageCodec.EncodeJpeg(LeftRedRightBlue(), 95), 6);
        var image = ImageCodec.DecodeRgb(jpeg, "rotated.jpg");
        // Orientation 6 = display the stored image rotated 90° clockwise: the stored left (red) half becomes the top.
        Assert.Equal((32, 64), (image.Width, image.Height));
        Assert.True(Pixel(image, 16, 10).R > 200 && Pixel(image, 16, 10).B < 60, $"top {Pixel(image, 16, 10)}");
        Assert.True(Pixel(image, 16, 54).B > 200 && Pixel(image, 16, 54).R < 60, $"bottom {Pixel(image, 16, 54)}");
    }

    [Fact]
    public void DecodeRgb_ExifOrientation8_RotatesAnticlockwiseAndReadSizeAgrees()
    {
        using var temp = new TempFolder();
        var path = temp.File("rot8.jpg");
        File.WriteAllBytes(path, WithExifOrientation(ImageCodec.EncodeJpeg(LeftRedRightBlue(), 95), 8));
        var image = ImageCodec.DecodeRgb(path);
        Assert.Equal((32, 64), ImageCodec.ReadSize(path));
        Assert.True(Pixel(image, 16, 10).B > 200, $"top {Pixel(image, 16, 10)}");   // stored right (blue) half on top
        Assert.True(Pixel(image, 16, 54).R > 200, $"bottom {Pixel(image, 16, 54)}");
    }

    [Fact]
    public void DecodeRgbReduced_JpegWithOrientation6_DctScaledAndFullSizeOriented()
    {
        using var temp = new TempFolder();
        var rgb = new byte[640 * 480 * 3];
        for (int i = 0; i < 640 * 480; i++) rgb[3 * i] = (byte)((i % 640) < 320 ? 255 : 0); // left half red
        var path = temp.File("big.jpg");
        File.WriteAllBytes(path, WithExifOrientation(ImageCodec.EncodeJpeg(new RgbImage(640, 480, rgb)), 6));
        var (image, fullW, fullH) = ImageCodec.DecodeRgbReduced(path, 300);
        Assert.Equal((480, 640), (fullW, fullH));
        // 640 × 4/8 = 320 is the smallest n/8 scale with a side ≥ 300; displayed rotated, so 240 wide, 320 high.
        Assert.Equal((240, 320), (image.Width, image.Height));
        Assert.True(Pixel(image, 120, 40).R > 200 && Pixel(image, 120, 280).R < 60);
    }

    [Fact]
    public void DecodeRgbReduced_Png_FullSize()
    {
        using var temp = new TempFolder();
        var path = temp.File("p.png");
        File.WriteAllBytes(path, ImageCodec.EncodePng(new RgbImage(400, 10, new byte[400 * 10 * 3])));
        var (image, fullW, fullH) = ImageCodec.DecodeRgbReduced(path, 300);
        Assert.Equal((400, 10, 400, 10), (image.Width, image.Height, fullW, fullH));
    }

    [Fact]
    public void DecodeRgb_PngHeaderClaims50000Squared_RejectedNamingSizeAndLimit()
    {
        using var stream = new MemoryStream();
        stream.Write(IndexedPng.SignatureBytes);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 50000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 50000);
        ihdr[8] = 8;
        ihdr[9] = 2; // RGB
        IndexedPng.WriteChunk(stream, "IHDR"u8, ihdr);
        IndexedPng.WriteChunk(stream, "IDAT"u8, [0x78, 0x9C, 0x03, 0x00]);
        IndexedPng.WriteChunk(stream, "IEND"u8, []);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(stream.ToArray(), "bomb.png"));
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("2,500,000,000", e.Message);
        Assert.Contains("40,000,000", e.Message);
    }

    [Fact]
    public void DecodeRgb_ConfigurableLimit_RejectsJustOverAndAcceptsAtLimit()
    {
        var png = ImageCodec.EncodePng(LeftRedRightBlue()); // 2048 pixels
        Assert.Equal(64, ImageCodec.DecodeRgb(png, "ok.png", maxPixels: 2048).Width);
        Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(png, "big.png", maxPixels: 2047));
    }

    [Fact]
    public void DecodeRgb_EmptyFile_ErrorNamesFile()
    {
        using var temp = new TempFolder();
        var path = temp.File("empty.jpg");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(path));
        Assert.Contains("empty.jpg", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void DecodeRgb_TextFile_ErrorNamesFileAndFormats()
    {
        using var temp = new TempFolder();
        var path = temp.File("notes.jpg");
        File.WriteAllText(path, "this is not an image, just some text pretending to be one");
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(path));
        Assert.Contains("notes.jpg", e.Message);
        Assert.Contains("not a readable image", e.Message);
    }

    [Fact]
    public void DecodeRgb_TruncatedJpeg_ErrorSaysTruncated()
    {
        var jpeg = ImageCodec.EncodeJpeg(LeftRedRightBlue(), 95);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(jpeg[..(jpeg.Length / 2)], "half.jpg"));
        Assert.Contains("half.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void DecodeRgb_JpegCutInsideScanData_ErrorSaysTruncated()
    {
        var rng = new Random(5);
        var noise = new byte[256 * 256 * 3];
        rng.NextBytes(noise);
        var jpeg = ImageCodec.EncodeJpeg(new RgbImage(256, 256, noise), 95); // scan data is >95 % of the file
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeRgb(jpeg[..(jpeg.Length * 9 / 10)], "cut.jpg"));
        Assert.Contains("cut.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void DecodeRgb_MissingFile_FileNotFoundNamesPath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ImageCodec.DecodeRgb("/nonexistent/x.jpg"));
        Assert.Contains("/nonexistent/x.jpg", e.Message);
    }

    [Fact]
    public void EncodeGrayPng_RoundTrip_IsGrayscaleAndExact()
    {
        var values = Enumerable.Range(0, 40 * 30).Select(i => (byte)(i * 7)).ToArray();
        var png = ImageCodec.EncodeGrayPng(new ByteRaster(40, 30, values));
        Assert.Equal(0, png[8 + 8 + 9]); // IHDR colour type 0 = grayscale
        Assert.Equal(8, png[8 + 8 + 8]); // bit depth 8
        var back = IndexedPng.TryRead(png, "gray.png");
        Assert.NotNull(back);
        Assert.Equal(values, back.Values);
    }

    [Fact]
    public void EncodePng_RgbRoundTrip_Exact()
    {
        var image = LeftRedRightBlue();
        var back = ImageCodec.DecodeRgb(ImageCodec.EncodePng(image), "rgb.png");
        Assert.Equal(image.Rgb, back.Rgb);
    }
}
