namespace MaskContrast.Core.Data;

/// <summary>The PASCAL VOC colour map: class index i → RGB, built by spreading the bits of i over R, G and B.</summary>
public static class VocPalette
{
    /// <summary>256 RGB triplets (768 bytes); index 0 is black (background), 255 is (224, 224, 192) ("ignore").</summary>
    public static byte[] Rgb { get; } = Build();

    private static byte[] Build()
    {
        var palette = new byte[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            // Bit k of R, G, B comes from bits 0, 1, 2 of the k-th triple of the index, most significant bit first.
            for (int k = 0; k < 8; k++)
            {
                r |= ((c >> 0) & 1) << (7 - k);
                g |= ((c >> 1) & 1) << (7 - k);
                b |= ((c >> 2) & 1) << (7 - k);
                c >>= 3;
            }
            palette[3 * i] = (byte)r;
            palette[3 * i + 1] = (byte)g;
            palette[3 * i + 2] = (byte)b;
        }
        return palette;
    }
}
