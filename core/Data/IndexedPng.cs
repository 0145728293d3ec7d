using System.Buffers.Binary;
using System.IO.Compression;

namespace MaskContrast.Core.Data;

/// <summary>
/// Reads and writes single-channel PNGs as raw sample values: palette PNGs (colour type 3) as palette INDICES and
/// 8-bit grayscale PNGs (colour type 0) as grey levels.
/// </summary>
/// <remarks>
/// Why our own codec: SkiaSharp always expands a palette PNG to colours, but PASCAL VOC's <c>SegmentationClass</c>
/// files store the class index in the pixel and the colour only in the palette; mapping colours back is ambiguous
/// when a palette repeats a colour (common: unused entries left black). Only the PNG container, zlib and the five
/// scanline filters are needed (PNG specification, ISO/IEC 15948). Interlaced files and other colour types return
/// null from <see cref="TryRead"/> so callers can fall back to a general decoder.
/// </remarks>
public static class IndexedPng
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>
    /// Decodes a non-interlaced palette (bit depth 1/2/4/8) or 8-bit grayscale PNG to its raw samples.
    /// Returns null for other PNG kinds (RGB, 16-bit, interlaced) and for non-PNG data.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is a PNG of a supported kind but truncated or corrupt.</exception>
    public static ByteRaster? TryRead(ReadOnlySpan<byte> png, string name, long maxPixels = ImageCodec.DefaultMaxPixels)
    {
        if (png.Length < 8 + 25 || !png[..8].SequenceEqual(Signature))
            return null;
        int pos = 8, width = 0, height = 0, depth = 0, colourType = -1, interlace = 0;
        using var idat = new MemoryStream();
        bool sawEnd = false;
        while (pos + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            var type = png.Slice(pos + 4, 4);
            if (length < 0 || pos + 12L + length > png.Length)
                throw new InvalidDataException($"'{name}' is a truncated PNG (chunk at byte {pos} runs past the end of the file).");
            var data = png.Slice(pos + 8, length);
            if (type.SequenceEqual("IHDR"u8))
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                colourType = data[9];
                interlace = data[12];
                bool supported = interlace == 0 && ((colourType == 3 && depth <= 8) || (colourType == 0 && depth == 8));
                if (!supported)
                    return null;
                ImageCodec.CheckPixelLimit(width, height, maxPixels, name);
            }
            else if (type.SequenceEqual("IDAT"u8))
                idat.Write(data);
            else if (type.SequenceEqual("IEND"u8))
            {
                sawEnd = true;
                break;
            }
            pos += 12 + length;
        }
        if (colourType < 0)
            throw new InvalidDataException($"'{name}' is not a valid PNG (no IHDR chunk).");
        if (!sawEnd)
            throw new InvalidDataException($"'{name}' is a truncated PNG (no IEND chunk).");
        return new ByteRaster(width, height, Unfilter(idat, width, height, depth, name));
    }

    private static byte[] Unfilter(MemoryStream idat, int width, int height, int depth, string name)
    {
        int stride = (width * depth + 7) / 8;
        var raw = new byte[(long)(stride + 1) * height];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            try
            {
                z.ReadExactly(raw);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
            {
                throw new InvalidDataException($"'{name}' is a truncated or corrupt PNG (image data ends early).", e);
            }
        }
        var prev = new byte[stride];
        var line = new byte[stride];
        var values = new byte[(long)width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[(long)y * (stride + 1)];
            raw.AsSpan((int)((long)y * (stride + 1) + 1), stride).CopyTo(line);
            int bpp = Math.Max(1, depth / 8); // bytes per complete pixel, rounded up to 1 as the spec says
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                line[i] += filter switch
                {
                    0 => 0,
                    1 => (byte)a,
                    2 => (byte)b,
                    3 => (byte)((a + b) >> 1),
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"'{name}' is a corrupt PNG (unknown filter type {filter} on row {y})."),
                };
            }
            Unpack(line, values.AsSpan(y * width, width), depth);
            (prev, line) = (line, prev);
        }
        return values;
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    private static void Unpack(ReadOnlySpan<byte> line, Span<byte> row, int depth)
    {
        if (depth == 8)
        {
            line[..row.Length].CopyTo(row);
            return;
        }
        int perByte = 8 / depth, mask = (1 << depth) - 1;
        for (int x = 0; x < row.Length; x++)
        {
            int shift = 8 - depth * (x % perByte + 1);
            row[x] = (byte)((line[x / perByte] >> shift) & mask);
        }
    }

    /// <summary>
    /// Encodes <paramref name="indices"/> as an 8-bit palette PNG with the given palette (RGB triplets, at most 256
    /// entries), or as 8-bit grayscale when <paramref name="palette"/> is null.
    /// </summary>
    public static byte[] Write(ByteRaster indices, ReadOnlySpan<byte> palette = default, bool grayscale = false)
    {
        if (!grayscale && (palette.Length == 0 || palette.Length % 3 != 0 || palette.Length > 768))
            throw new ArgumentOutOfRangeException(nameof(palette), palette.Length, "palette must hold 1..256 RGB triplets (3..768 bytes)");
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, indices.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], indices.Height);
        ihdr[8] = 8;
        ihdr[9] = (byte)(grayscale ? 0 : 3);
        WriteChunk(output, "IHDR"u8, ihdr);
        if (!grayscale)
            WriteChunk(output, "PLTE"u8, palette);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (int y = 0; y < indices.Height; y++)
                {
                    z.WriteByte(0); // filter "None": label maps are flat regions that deflate compresses well anyway
                    z.Write(indices.Values, y * indices.Width, indices.Width);
                }
            }
            WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    /// <summary>Writes one PNG chunk (length, type, data, CRC-32 over type and data). Internal so tests can forge headers.</summary>
    internal static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    /// <summary>The PNG signature, for tests that forge files.</summary>
    internal static byte[] SignatureBytes => Signature.ToArray();

    private static class Crc32
    {
        private static readonly uint[] s_table = BuildTable();

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data)
                crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
