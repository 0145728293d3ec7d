namespace MaskContrast.Core.Data;

/// <summary>One scene of <see cref="ClutteredSceneRenderer"/>.</summary>
/// <param name="Image">The rendered image, at this scene's own size.</param>
/// <param name="Labels">Class per pixel: 0 background (distractors included), 1..4 the visible object class.</param>
/// <param name="Instances">Object per pixel: 0 none, k the k-th kept object (drawing order); what is visible of it.</param>
/// <param name="Classes">Class of object k at index k − 1.</param>
/// <param name="JpegQuality">Quality this image is to be saved with (drawn per image).</param>
public sealed record ClutteredScene(RgbImage Image, ByteRaster Labels, ByteRaster Instances, IReadOnlyList<int> Classes, int JpegQuality);

/// <summary>
/// Draws the harder synthetic family: a multi-octave value-noise background in random colours, distractors that are
/// not objects (wobbly blobs and thin lines, label 0), one to three objects that occlude each other, a smooth
/// multiplicative shading over everything, Gaussian pixel noise and a per-image JPEG quality. Classes differ by shape
/// AND texture, never colour. Labels are exact (no anti-aliasing) and follow what is visible after occlusion; every
/// kept object shows at least <see cref="MinVisibleFraction"/> of the image.
/// </summary>
public static class ClutteredSceneRenderer
{
    /// <summary>Class names by index; 0 is background.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["background", "hexagon-rings", "capsule-zigzag", "star-checks", "annulus-dots"];

    public const int ObjectClasses = 4;

    /// <summary>Each side is drawn independently in [Min, Max] × its nominal size (then made even).</summary>
    public const double MinSizeFactor = 0.75, MaxSizeFactor = 1.3;

    /// <summary>Object radius range as a fraction of the shorter side (drawn log-uniformly: small objects are common).</summary>
    public const double MinRadius = 0.08, MaxRadius = 0.35;

    /// <summary>An object that shows less than this fraction of the image is re-placed, and dropped if that keeps failing.</summary>
    public const double MinVisibleFraction = 0.01;

    /// <summary>Placements that would cover more than this fraction of the image are refused, so background remains.</summary>
    public const double MaxForegroundFraction = 0.6;

    public const int MinJpegQuality = 70, MaxJpegQuality = 85;

    private const int Attempts = 40;
    private const float StarInner = 0.45f, AnnulusInner = 0.5f, CapsuleHalf = 0.55f, CapsuleRadius = 0.45f;

    /// <summary>Renders one scene; every random choice comes from <paramref name="rng"/>, so a seeded generator gives the same scene.</summary>
    public static ClutteredScene Render(Random rng, int nominalWidth, int nominalHeight)
    {
        var canvas = new Canvas(DrawSize(rng, nominalWidth), DrawSize(rng, nominalHeight));
        var blobFill = PaintBackground(rng, canvas);
        PaintDistractors(rng, canvas, blobFill);
        // About half the images hold one object, the rest two or three; classes are independent, so most multi-object
        // images mix classes.
        int objects = rng.NextDouble() < 0.5 ? 1 : 2 + rng.Next(2);
        var classes = new List<int>();
        for (int o = 0; o < objects; o++)
        {
            int classId = 1 + rng.Next(ObjectClasses);
            if (TryPlace(rng, canvas, classId, classes.Count + 1, mustKeep: o == 0))
                classes.Add(classId);
        }
        Shade(rng, canvas);
        var image = canvas.ToImage(rng, noiseSigma: 3 + 6 * rng.NextDouble());
        int quality = rng.Next(MinJpegQuality, MaxJpegQuality + 1);
        return new ClutteredScene(image, new ByteRaster(canvas.Width, canvas.Height, canvas.Labels),
            new ByteRaster(canvas.Width, canvas.Height, canvas.Instances), classes, quality);
    }

    private static int DrawSize(Random rng, int nominal)
    {
        double factor = MinSizeFactor + (MaxSizeFactor - MinSizeFactor) * rng.NextDouble();
        return Math.Max(16, 2 * (int)Math.Round(nominal * factor / 2));
    }

    /// <summary>Paints the background and returns a noise field the blobs reuse as a fill pattern.</summary>
    private static float[] PaintBackground(Random rng, Canvas canvas)
    {
        int w = canvas.Width, h = canvas.Height, side = Math.Min(w, h);
        var a = RandomColour(rng);
        var b = DistinctColour(rng, a, 80);
        var c = RandomColour(rng);
        var large = ValueNoise.Field(rng, w, h, side * (0.2f + 0.4f * (float)rng.NextDouble()), 4);
        var patches = ValueNoise.Field(rng, w, h, side * (0.1f + 0.2f * (float)rng.NextDouble()), 3);
        var grain = ValueNoise.Field(rng, w, h, 3f + 5f * (float)rng.NextDouble(), 2);
        float grainStrength = 20f + 30f * (float)rng.NextDouble();
        for (int i = 0; i < w * h; i++)
        {
            float t = SmoothStep(0.3f, 0.7f, large[i]);
            float p = 0.8f * Math.Clamp((patches[i] - 0.55f) * 6f, 0f, 1f);
            float g = grainStrength * (grain[i] - 0.5f);
            for (int ch = 0; ch < 3; ch++)
            {
                float v = a[ch] + t * (b[ch] - a[ch]);
                canvas.Rgb[3 * i + ch] = v + p * (c[ch] - v) + g;
            }
        }
        return patches;
    }

    private static void PaintDistractors(Random rng, Canvas canvas, float[] fill)
    {
        int w = canvas.Width, h = canvas.Height, side = Math.Min(w, h);
        int blobs = 1 + rng.Next(4);
        for (int k = 0; k < blobs; k++)
        {
            // A wobbly round blob: smooth radius modulation, plain or noise fill. No straight edges, no texture.
            float cx = (float)rng.NextDouble() * w, cy = (float)rng.NextDouble() * h;
            float r0 = side * (0.04f + 0.12f * (float)rng.NextDouble());
            var amp = new float[3];
            var phase = new float[3];
            for (int m = 0; m < 3; m++)
            {
                amp[m] = 0.18f * (float)rng.NextDouble();
                phase[m] = (float)(2 * Math.PI * rng.NextDouble());
            }
            var c1 = RandomColour(rng);
            var c2 = rng.NextDouble() < 0.5 ? c1 : RandomColour(rng);
            float reach = r0 * 1.6f;
            for (int y = Math.Max(0, (int)(cy - reach)); y < Math.Min(h, (int)(cy + reach) + 1); y++)
            {
                for (int x = Math.Max(0, (int)(cx - reach)); x < Math.Min(w, (int)(cx + reach) + 1); x++)
                {
                    float dx = x - cx, dy = y - cy, theta = MathF.Atan2(dy, dx);
                    float radius = r0 * (1f + amp[0] * MathF.Sin(2 * theta + phase[0]) + amp[1] * MathF.Sin(3 * theta + phase[1])
                        + amp[2] * MathF.Sin(4 * theta + phase[2]));
                    if (dx * dx + dy * dy > radius * radius) continue;
                    int i = y * w + x;
                    for (int ch = 0; ch < 3; ch++)
                        canvas.Rgb[3 * i + ch] = c1[ch] + fill[i] * (c2[ch] - c1[ch]);
                }
            }
        }
        int lines = 2 + rng.Next(5);
        for (int k = 0; k < lines; k++)
        {
            float x0 = (float)rng.NextDouble() * w, y0 = (float)rng.NextDouble() * h;
            float angle = (float)(Math.PI * rng.NextDouble()), length = side * (0.3f + 0.7f * (float)rng.NextDouble());
            float x1 = x0 + length * MathF.Cos(angle), y1 = y0 + length * MathF.Sin(angle);
            float half = 0.5f + (float)rng.NextDouble();
            var colour = RandomColour(rng);
            float lx = x1 - x0, ly = y1 - y0, len2 = lx * lx + ly * ly;
            for (int y = Math.Max(0, (int)(Math.Min(y0, y1) - 2)); y < Math.Min(h, (int)(Math.Max(y0, y1) + 3)); y++)
            {
                for (int x = Math.Max(0, (int)(Math.Min(x0, x1) - 2)); x < Math.Min(w, (int)(Math.Max(x0, x1) + 3)); x++)
                {
                    float t = Math.Clamp(((x - x0) * lx + (y - y0) * ly) / len2, 0f, 1f);
                    float ex = x - (x0 + t * lx), ey = y - (y0 + t * ly);
                    if (ex * ex + ey * ey > half * half) continue;
                    int i = y * w + x;
                    for (int ch = 0; ch < 3; ch++)
                        canvas.Rgb[3 * i + ch] = colour[ch];
                }
            }
        }
    }

    /// <summary>
    /// Draws object <paramref name="instance"/>, re-placing it until it and every earlier object keep their minimum
    /// visible area and the foreground stays under the cap; undoes it and returns false if no placement works. The
    /// first object's last attempt is centred, where it always fits whole.
    /// </summary>
    private static bool TryPlace(Random rng, Canvas canvas, int classId, int instance, bool mustKeep)
    {
        int w = canvas.Width, h = canvas.Height, side = Math.Min(w, h);
        int minArea = (int)Math.Ceiling(MinVisibleFraction * w * h);
        int maxForeground = (int)(MaxForegroundFraction * w * h);
        // Smallest radius whose whole shape is 1.5 × the minimum area, so a partly occluded object can still qualify.
        float floor = MathF.Sqrt((float)(1.5 * minArea / AreaInRadii(classId)));
        var saved = canvas.Snapshot();
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (attempt > 0) canvas.Restore(saved);
            float r = Math.Max(floor, (float)(side * MinRadius * Math.Pow(MaxRadius / MinRadius, rng.NextDouble())));
            bool centred = mustKeep && attempt == Attempts - 1;
            float cx = centred ? w / 2f : 0.3f * r + (float)rng.NextDouble() * (w - 0.6f * r);
            float cy = centred ? h / 2f : 0.3f * r + (float)rng.NextDouble() * (h - 0.6f * r);
            PaintObject(rng, canvas, classId, instance, cx, cy, r);
            if (Acceptable(canvas, instance, minArea, maxForeground))
                return true;
        }
        canvas.Restore(saved);
        return false;
    }

    private static bool Acceptable(Canvas canvas, int instances, int minArea, int maxForeground)
    {
        var area = new int[instances + 1];
        foreach (var k in canvas.Instances)
            area[k]++;
        int foreground = canvas.Instances.Length - area[0];
        return foreground <= maxForeground && area.Skip(1).All(a => a >= minArea);
    }

    private static void PaintObject(Random rng, Canvas canvas, int classId, int instance, float cx, float cy, float r)
    {
        int w = canvas.Width, h = canvas.Height;
        var main = RandomColour(rng);
        var second = DistinctColour(rng, main, 110);
        float theta = (float)(rng.NextDouble() * 2 * Math.PI), c = MathF.Cos(theta), s = MathF.Sin(theta);
        // Texture period follows the object size (3–4 periods across a radius) but never under 4 px, so the
        // texture still shows on a 10 px object after shading, noise and JPEG.
        float period = MathF.Max(4f, r * (0.22f + 0.1f * (float)rng.NextDouble()));
        for (int y = Math.Max(0, (int)(cy - r)); y <= Math.Min(h - 1, (int)(cy + r) + 1); y++)
        {
            for (int x = Math.Max(0, (int)(cx - r)); x <= Math.Min(w - 1, (int)(cx + r) + 1); x++)
            {
                float px = c * (x - cx) + s * (y - cy), py = -s * (x - cx) + c * (y - cy);
                if (!Inside(classId, px / r, py / r)) continue;
                var colour = Texture(classId, px / period, py / period) ? second : main;
                int i = y * w + x;
                canvas.Labels[i] = (byte)classId;
                canvas.Instances[i] = (byte)instance;
                for (int ch = 0; ch < 3; ch++)
                    canvas.Rgb[3 * i + ch] = colour[ch];
            }
        }
    }

    /// <summary>Shape test in the object frame, in radii; every shape lies within the unit circle.</summary>
    private static bool Inside(int classId, float u, float v)
    {
        float au = MathF.Abs(u), av = MathF.Abs(v);
        switch (classId)
        {
            case 1: // regular hexagon, circumradius 1 (apothem √3/2)
                return av <= 0.8660254f && 0.8660254f * au + 0.5f * av <= 0.8660254f;
            case 2: // capsule: a segment of half-length 0.55 along u, thickened by 0.45
                float dx = MathF.Max(au - CapsuleHalf, 0f);
                return dx * dx + v * v <= CapsuleRadius * CapsuleRadius;
            case 3: // five-pointed star, outer radius 1, inner StarInner
                return InsideStar(u, v);
            default: // annulus
                float rr = u * u + v * v;
                return rr <= 1f && rr >= AnnulusInner * AnnulusInner;
        }
    }

    private static bool InsideStar(float u, float v)
    {
        float rho = MathF.Sqrt(u * u + v * v);
        if (rho > 1f) return false;
        // Fold the angle onto one half-arm: f = 0 points at an inner vertex, f = 36° at an outer one.
        const float sector = 2 * MathF.PI / 5;
        float phi = MathF.Atan2(v, u);
        float m = phi - sector * MathF.Floor(phi / sector);
        float f = MathF.Abs(m - sector / 2);
        float x = rho * MathF.Cos(f), y = rho * MathF.Sin(f);
        const float ox = 0.809017f, oy = 0.5877853f; // outer vertex (cos 36°, sin 36°)
        // Inside iff on the origin's side of the edge from the inner vertex (StarInner, 0) to the outer vertex.
        return (ox - StarInner) * y - oy * (x - StarInner) >= 0f;
    }

    /// <summary>True where the second colour shows; (a, b) are object-frame coordinates in texture periods.</summary>
    private static bool Texture(int classId, float a, float b)
    {
        switch (classId)
        {
            case 1: // concentric rings
                float rho = MathF.Sqrt(a * a + b * b);
                return rho - MathF.Floor(rho) < 0.5f;
            case 2: // zigzag bands along the long axis
                float tri = 2f * MathF.Abs(a * 0.7f - MathF.Floor(a * 0.7f) - 0.5f);
                float z = b + 0.8f * tri;
                return z - MathF.Floor(z) < 0.5f;
            case 3: // checks
                return (((int)MathF.Floor(a) + (int)MathF.Floor(b)) & 1) == 0;
            default: // dots on a grid
                float da = a - MathF.Floor(a) - 0.5f, db = b - MathF.Floor(b) - 0.5f;
                return da * da + db * db < 0.09f;
        }
    }

    /// <summary>Area of the whole shape for radius 1.</summary>
    private static double AreaInRadii(int classId) => classId switch
    {
        1 => 1.5 * Math.Sqrt(3),                                                        // hexagon
        2 => Math.PI * CapsuleRadius * CapsuleRadius + 4 * CapsuleHalf * CapsuleRadius, // capsule
        3 => 5 * StarInner * Math.Sin(Math.PI / 5),                                     // star: 10 triangles ½·1·r·sin 36°
        _ => Math.PI * (1 - AnnulusInner * AnnulusInner),                               // annulus
    };

    /// <summary>
    /// Multiplies everything (objects included) by a smooth illumination field: a linear ramp in a random direction
    /// from a dark to a bright level, modulated by coarse noise.
    /// </summary>
    private static void Shade(Random rng, Canvas canvas)
    {
        int w = canvas.Width, h = canvas.Height;
        float angle = (float)(2 * Math.PI * rng.NextDouble()), dx = MathF.Cos(angle), dy = MathF.Sin(angle);
        float low = 0.5f + 0.35f * (float)rng.NextDouble(), high = 1.0f + 0.3f * (float)rng.NextDouble();
        var coarse = ValueNoise.Field(rng, w, h, Math.Min(w, h) * 0.7f, 2);
        // Projections of the corners bound the ramp, so it spans [low, high] over this image.
        float p0 = Math.Min(0, dx * (w - 1)) + Math.Min(0, dy * (h - 1)), p1 = Math.Max(0, dx * (w - 1)) + Math.Max(0, dy * (h - 1));
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float ramp = (dx * x + dy * y - p0) / (p1 - p0);
                float gain = (low + (high - low) * ramp) * (0.85f + 0.3f * coarse[i]);
                for (int ch = 0; ch < 3; ch++)
                    canvas.Rgb[3 * i + ch] *= gain;
            }
        }
    }

    private static float SmoothStep(float from, float to, float x)
    {
        float t = Math.Clamp((x - from) / (to - from), 0f, 1f);
        return t * t * (3f - 2f * t);
    }

    private static float[] DistinctColour(Random rng, float[] from, float minDistance)
    {
        for (int attempt = 0; ; attempt++)
        {
            var colour = RandomColour(rng);
            float dr = colour[0] - from[0], dg = colour[1] - from[1], db = colour[2] - from[2];
            if (attempt >= 50 || dr * dr + dg * dg + db * db >= minDistance * minDistance)
                return colour;
        }
    }

    private static float[] RandomColour(Random rng) => [rng.Next(256), rng.Next(256), rng.Next(256)];

    /// <summary>Float RGB (so shading does not band) plus the label and instance maps, with undo for re-placement.</summary>
    private sealed class Canvas(int width, int height)
    {
        public int Width { get; } = width;
        public int Height { get; } = height;
        public float[] Rgb { get; } = new float[width * height * 3];
        public byte[] Labels { get; } = new byte[width * height];
        public byte[] Instances { get; } = new byte[width * height];

        public (float[] Rgb, byte[] Labels, byte[] Instances) Snapshot() =>
            ((float[])Rgb.Clone(), (byte[])Labels.Clone(), (byte[])Instances.Clone());

        public void Restore((float[] Rgb, byte[] Labels, byte[] Instances) saved)
        {
            saved.Rgb.CopyTo(Rgb, 0);
            saved.Labels.CopyTo(Labels, 0);
            saved.Instances.CopyTo(Instances, 0);
        }

        /// <summary>Adds Gaussian noise (Box–Muller, from <paramref name="rng"/>) and rounds to bytes.</summary>
        public RgbImage ToImage(Random rng, double noiseSigma)
        {
            var bytes = new byte[Rgb.Length];
            for (int i = 0; i < bytes.Length; i += 2)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double radius = noiseSigma * Math.Sqrt(-2.0 * Math.Log(u1));
                bytes[i] = ToByte(Rgb[i] + radius * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < bytes.Length)
                    bytes[i + 1] = ToByte(Rgb[i + 1] + radius * Math.Sin(2 * Math.PI * u2));
            }
            return new RgbImage(Width, Height, bytes);
        }

        private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
    }
}
