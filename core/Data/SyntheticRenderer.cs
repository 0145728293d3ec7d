namespace MaskContrast.Core.Data;

/// <summary>
/// Draws one synthetic scene: a textured background and objects whose class is given by shape AND texture, never by
/// colour (object, texture and background colours are all random). Labels are exact: a pixel is an object pixel
/// iff the shape test passes, with no anti-aliasing, so the foreground mask equals <c>labels &gt; 0</c>.
/// </summary>
public static class SyntheticRenderer
{
    /// <summary>Class names by index; 0 is background.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["background", "disc-stripes", "square-checks", "triangle-dots", "cross-solid"];

    /// <summary>Number of object classes (1..4).</summary>
    public const int ObjectClasses = 4;

    /// <summary>Renders a scene of <paramref name="objects"/> objects (classes drawn from <paramref name="rng"/>).</summary>
    /// <returns>The image and its class map (0 = background, 1..4 object classes).</returns>
    public static (RgbImage Image, ByteRaster Labels) Render(Random rng, int width, int height, int objects = 1)
    {
        var rgb = new byte[width * height * 3];
        var labels = new byte[width * height];
        var bg = RandomColour(rng);
        PaintBackground(rng, width, height, rgb, bg);
        for (int o = 0; o < objects; o++)
            PaintObject(rng, width, height, rgb, labels, bg, 1 + rng.Next(ObjectClasses));
        // Sensor-like noise on every pixel so no region is perfectly flat.
        for (int i = 0; i < rgb.Length; i++)
            rgb[i] = (byte)Math.Clamp(rgb[i] + rng.Next(-8, 9), 0, 255);
        return (new RgbImage(width, height, rgb), new ByteRaster(width, height, labels));
    }

    private static void PaintBackground(Random rng, int width, int height, byte[] rgb, (float R, float G, float B) bg)
    {
        var other = RandomColour(rng);
        int kind = rng.Next(3);
        float angle = (float)(rng.NextDouble() * Math.PI), freq = 0.5f + 1.5f * (float)rng.NextDouble();
        float fx = MathF.Cos(angle), fy = MathF.Sin(angle), phase = (float)(rng.NextDouble() * 2 * Math.PI);
        float strength = 0.15f + 0.25f * (float)rng.NextDouble();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float u = x / (float)width, v = y / (float)height;
                float t = kind switch
                {
                    0 => u * fx + v * fy,                                              // linear gradient
                    1 => 0.5f + 0.5f * MathF.Sin(2 * MathF.PI * freq * (u * fx + v * fy) + phase), // soft waves
                    _ => 0.5f + 0.25f * (MathF.Sin(7 * u + phase) + MathF.Sin(5 * v - phase)),     // blotches
                };
                float a = strength * Math.Clamp(t, 0f, 1f);
                int i = 3 * (y * width + x);
                rgb[i] = (byte)(bg.R + a * (other.R - bg.R));
                rgb[i + 1] = (byte)(bg.G + a * (other.G - bg.G));
                rgb[i + 2] = (byte)(bg.B + a * (other.B - bg.B));
            }
        }
    }

    private static void PaintObject(Random rng, int width, int height, byte[] rgb, byte[] labels,
        (float R, float G, float B) bg, int classId)
    {
        var main = DistinctColour(rng, bg, 120);
        var second = DistinctColour(rng, main, 90);
        int side = Math.Min(width, height);
        float r = side * (0.18f + 0.14f * (float)rng.NextDouble());
        float cx = r + (float)rng.NextDouble() * (width - 2 * r), cy = r + (float)rng.NextDouble() * (height - 2 * r);
        float theta = (float)(rng.NextDouble() * 2 * Math.PI), c = MathF.Cos(theta), s = MathF.Sin(theta);
        float period = side * (0.06f + 0.03f * (float)rng.NextDouble()); // texture period in pixels (7–12 px at 128)
        for (int y = (int)(cy - r); y <= (int)(cy + r) + 1; y++)
        {
            if (y < 0 || y >= height) continue;
            for (int x = (int)(cx - r); x <= (int)(cx + r) + 1; x++)
            {
                if (x < 0 || x >= width) continue;
                // Object frame: rotated, in pixels (px, py) and in radii (u, v).
                float px = c * (x - cx) + s * (y - cy), py = -s * (x - cx) + c * (y - cy);
                float u = px / r, v = py / r;
                if (!Inside(classId, u, v)) continue;
                bool alt = Texture(classId, px / period, py / period);
                var colour = alt ? second : main;
                int i = y * width + x;
                labels[i] = (byte)classId;
                rgb[3 * i] = (byte)colour.R;
                rgb[3 * i + 1] = (byte)colour.G;
                rgb[3 * i + 2] = (byte)colour.B;
            }
        }
    }

    private static bool Inside(int classId, float u, float v) => classId switch
    {
        1 => u * u + v * v <= 1f,                                                  // disc
        2 => MathF.Abs(u) <= 0.8f && MathF.Abs(v) <= 0.8f,                         // square
        3 => v >= -0.5f && v <= 1f - 1.7320508f * MathF.Abs(u),                    // equilateral triangle, circumradius 1
        _ => (MathF.Abs(u) <= 0.3f && MathF.Abs(v) <= 0.95f) || (MathF.Abs(v) <= 0.3f && MathF.Abs(u) <= 0.95f), // cross
    };

    /// <summary>True where the second texture colour shows; (a, b) are object-frame coordinates in texture periods.</summary>
    private static bool Texture(int classId, float a, float b)
    {
        switch (classId)
        {
            case 1: // stripes
                return a - MathF.Floor(a) < 0.5f;
            case 2: // checks
                return (((int)MathF.Floor(a) + (int)MathF.Floor(b)) & 1) == 0;
            case 3: // dots on a grid
                float da = a - MathF.Floor(a) - 0.5f, db = b - MathF.Floor(b) - 0.5f;
                return da * da + db * db < 0.09f;
            default: // solid
                return false;
        }
    }

    private static (float R, float G, float B) DistinctColour(Random rng, (float R, float G, float B) from, float minDistance)
    {
        // Colours are random; only a minimum RGB distance is enforced so the object is visible at all.
        for (int attempt = 0; ; attempt++)
        {
            var colour = RandomColour(rng);
            float dr = colour.R - from.R, dg = colour.G - from.G, db = colour.B - from.B;
            if (attempt >= 50 || dr * dr + dg * dg + db * db >= minDistance * minDistance)
                return colour;
        }
    }

    private static (float R, float G, float B) RandomColour(Random rng) =>
        (rng.Next(256), rng.Next(256), rng.Next(256));
}
