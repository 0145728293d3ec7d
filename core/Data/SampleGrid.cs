namespace MaskContrast.Core.Data;

/// <summary>
/// A contact sheet of images with their class maps: each cell shows an image above its label map in VOC colours, both
/// letterboxed (nearest-neighbour, aspect kept) into square cells, so images of different sizes line up.
/// </summary>
public static class SampleGrid
{
    private const int Gap = 2;
    private static readonly byte[] s_letterbox = [40, 40, 40];

    /// <summary>Writes a PNG of the first <paramref name="count"/> images of <paramref name="dataset"/> that have labels.</summary>
    public static void WritePng(VocDataset dataset, string path, int count = 10, int columns = 5, int cell = 112)
    {
        var samples = dataset.Ids
            .Select(id => (Image: dataset.LoadImage(id), Labels: dataset.LoadLabels(id)))
            .Where(s => s.Labels is not null)
            .Take(count)
            .Select(s => (s.Image, s.Labels!))
            .ToList();
        if (samples.Count == 0)
            throw new InvalidDataException($"'{dataset.Root}' has no labelled images for a sample grid.");
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, ImageCodec.EncodePng(Compose(samples, columns, cell)));
    }

    /// <summary>Lays the samples out row by row, <paramref name="columns"/> per row, each an image cell above a label cell.</summary>
    public static RgbImage Compose(IReadOnlyList<(RgbImage Image, ByteRaster Labels)> samples, int columns, int cell)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cell, 8);
        columns = Math.Min(columns, Math.Max(1, samples.Count));
        int rows = (samples.Count + columns - 1) / columns;
        int width = columns * (cell + Gap) + Gap, height = rows * (2 * cell + 2 * Gap) + Gap;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255); // white gaps between cells
        var palette = VocPalette.Rgb;
        for (int k = 0; k < samples.Count; k++)
        {
            var (image, labels) = samples[k];
            int x0 = Gap + (k % columns) * (cell + Gap), y0 = Gap + (k / columns) * (2 * cell + 2 * Gap);
            Blit(rgb, width, x0, y0, cell, image.Width, image.Height, (i, c) => image.Rgb[3 * i + c]);
            Blit(rgb, width, x0, y0 + cell + Gap, cell, labels.Width, labels.Height, (i, c) => palette[3 * labels.Values[i] + c]);
        }
        return new RgbImage(width, height, rgb);
    }

    private static void Blit(byte[] rgb, int stride, int x0, int y0, int cell, int w, int h, Func<int, int, byte> source)
    {
        double scale = Math.Min(cell / (double)w, cell / (double)h);
        int dw = Math.Max(1, (int)Math.Round(w * scale)), dh = Math.Max(1, (int)Math.Round(h * scale));
        int ox = (cell - dw) / 2, oy = (cell - dh) / 2;
        for (int y = 0; y < cell; y++)
        {
            for (int x = 0; x < cell; x++)
            {
                int o = 3 * ((y0 + y) * stride + x0 + x);
                int sx = x - ox, sy = y - oy;
                bool inside = sx >= 0 && sx < dw && sy >= 0 && sy < dh;
                int i = inside ? Math.Min(h - 1, (int)(sy / scale)) * w + Math.Min(w - 1, (int)(sx / scale)) : -1;
                for (int c = 0; c < 3; c++)
                    rgb[o + c] = inside ? source(i, c) : s_letterbox[c];
            }
        }
    }
}
