namespace MaskContrast.Core.Data;

/// <summary>Fractal value noise: random values on a lattice, smoothly interpolated, summed over octaves.</summary>
internal static class ValueNoise
{
    /// <summary>
    /// A width × height field in [0, 1]. The coarsest lattice has cells of <paramref name="cell"/> pixels; each further
    /// octave halves the cell and the amplitude. Every lattice value comes from <paramref name="rng"/>, so the field is
    /// deterministic for a seeded generator.
    /// </summary>
    public static float[] Field(Random rng, int width, int height, float cell, int octaves)
    {
        var field = new float[width * height];
        float amplitude = 1f, total = 0f;
        for (int o = 0; o < octaves; o++, cell /= 2f, amplitude /= 2f)
        {
            float size = Math.Max(cell, 2f);
            int gw = (int)(width / size) + 2, gh = (int)(height / size) + 2;
            var lattice = new float[gw * gh];
            for (int i = 0; i < lattice.Length; i++)
                lattice[i] = (float)rng.NextDouble();
            for (int y = 0; y < height; y++)
            {
                float gy = y / size;
                int y0 = (int)gy;
                float ty = Smooth(gy - y0);
                for (int x = 0; x < width; x++)
                {
                    float gx = x / size;
                    int x0 = (int)gx;
                    float tx = Smooth(gx - x0);
                    int i = y0 * gw + x0;
                    float top = lattice[i] + tx * (lattice[i + 1] - lattice[i]);
                    float bottom = lattice[i + gw] + tx * (lattice[i + gw + 1] - lattice[i + gw]);
                    field[y * width + x] += amplitude * (top + ty * (bottom - top));
                }
            }
            total += amplitude;
        }
        for (int i = 0; i < field.Length; i++)
            field[i] /= total;
        return field;
    }

    // Smoothstep, so the lattice does not show as a grid of creases.
    private static float Smooth(float t) => t * t * (3f - 2f * t);
}
