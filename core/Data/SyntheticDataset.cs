using System.Text;

namespace MaskContrast.Core.Data;

/// <summary>Options of <see cref="SyntheticDataset.Generate"/>; the defaults are the set of issue 5 (300/100 of 128×128, shapes).</summary>
/// <param name="TrainCount">Images in <c>train.txt</c>.</param>
/// <param name="ValCount">Images in <c>val.txt</c>.</param>
/// <param name="Width">Image width in pixels (clutter: the nominal width; each image draws its own around it).</param>
/// <param name="Height">Image height in pixels (clutter: the nominal height).</param>
/// <param name="Seed">Seed; image i is drawn from its own generator seeded by (Seed, i), so output is deterministic.</param>
/// <param name="ObjectsPerImage">Objects per image (1 keeps the scenes object-centric like PASCAL after filtering).
/// Shapes only: clutter draws one to three per image.</param>
/// <param name="JpegQuality">Quality of the <c>.jpg</c> files. Shapes only: clutter draws 70–85 per image.</param>
/// <param name="Family">Which scenes to draw.</param>
public sealed record SyntheticOptions(
    int TrainCount = 300,
    int ValCount = 100,
    int Width = 128,
    int Height = 128,
    int Seed = 0,
    int ObjectsPerImage = 1,
    int JpegQuality = 95,
    SyntheticFamily Family = SyntheticFamily.Shapes)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (TrainCount < 0) throw new ArgumentOutOfRangeException(nameof(TrainCount), TrainCount, "TrainCount must be ≥ 0");
        if (ValCount < 0) throw new ArgumentOutOfRangeException(nameof(ValCount), ValCount, "ValCount must be ≥ 0");
        if (Width < 16 || Width > 4096) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be in 16..4096");
        if (Height < 16 || Height > 4096) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be in 16..4096");
        if (ObjectsPerImage is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(ObjectsPerImage), ObjectsPerImage, "ObjectsPerImage must be in 1..8");
        if (JpegQuality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(JpegQuality), JpegQuality, "JpegQuality must be in 1..100");
        if (!Enum.IsDefined(Family)) throw new ArgumentOutOfRangeException(nameof(Family), Family, "Family must be one of " + string.Join(", ", Enum.GetNames<SyntheticFamily>()));
    }
}

/// <summary>
/// Writes a synthetic PASCAL-VOC-layout dataset (see <see cref="SyntheticRenderer"/> and
/// <see cref="ClutteredSceneRenderer"/> for the two families of scenes): <c>JPEGImages/{id}.jpg</c> (real JPEG), <c>SegmentationClass/{id}.png</c> (palette PNG with the VOC
/// colour map, pixel = class index: 0 background, 1..4 objects), <c>saliency_gt/{id}.png</c> (true foreground,
/// grayscale 0/255) and <c>ImageSets/Segmentation/{train,val,trainval}.txt</c>. Read it back with
/// <c>new VocDataset(root, "train")</c>.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>Generates the dataset under <paramref name="root"/> (created if missing; existing files overwritten).</summary>
    /// <returns>The ids of the train and val splits.</returns>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> Val) Generate(string root, SyntheticOptions? options = null)
    {
        var o = options ?? new SyntheticOptions();
        o.Validate();
        var layout = VocLayout.Standard;
        foreach (var dir in new[] { layout.Images, layout.Labels, layout.Splits, layout.Saliency! })
            Directory.CreateDirectory(Path.Combine(root, dir));
        int total = o.TrainCount + o.ValCount;
        var ids = Enumerable.Range(0, total).Select(Id).ToArray();
        Parallel.For(0, total, i =>
        {
            var (image, labels, quality) = RenderForFile(o, i);
            File.WriteAllBytes(Path.Combine(root, layout.Images, ids[i] + ".jpg"), ImageCodec.EncodeJpeg(image, quality));
            File.WriteAllBytes(Path.Combine(root, layout.Labels, ids[i] + ".png"), IndexedPng.Write(labels, VocPalette.Rgb));
            var fg = new byte[labels.PixelCount];
            for (int p = 0; p < fg.Length; p++)
                fg[p] = labels.Values[p] is > 0 and < 255 ? (byte)255 : (byte)0;
            File.WriteAllBytes(Path.Combine(root, layout.Saliency!, ids[i] + ".png"),
                ImageCodec.EncodeGrayPng(new ByteRaster(labels.Width, labels.Height, fg)));
        });
        var train = ids[..o.TrainCount];
        var val = ids[o.TrainCount..];
        WriteSplit(root, layout, "train", train);
        WriteSplit(root, layout, "val", val);
        WriteSplit(root, layout, "trainval", ids);
        File.WriteAllLines(Path.Combine(root, "classes.txt"), ClassNames(o.Family));
        return (train, val);
    }

    /// <summary>Image i of a set generated with <paramref name="options"/>, in memory (same pixels as the written labels;
    /// the written image additionally goes through JPEG).</summary>
    public static (RgbImage Image, ByteRaster Labels) RenderOne(SyntheticOptions options, int index)
    {
        var (image, labels, _) = RenderForFile(options, index);
        return (image, labels);
    }

    /// <summary>Image i of a clutter-family set with its objects (instance map, classes) and JPEG quality, whatever
    /// <see cref="SyntheticOptions.Family"/> says.</summary>
    public static ClutteredScene RenderClutteredScene(SyntheticOptions options, int index) =>
        ClutteredSceneRenderer.Render(new Random(ImageSeed(options.Seed, index)), options.Width, options.Height);

    /// <summary>Class names of a family by index (0 background), as written to <c>classes.txt</c>.</summary>
    public static IReadOnlyList<string> ClassNames(SyntheticFamily family) =>
        family == SyntheticFamily.Clutter ? ClutteredSceneRenderer.ClassNames : SyntheticRenderer.ClassNames;

    private static (RgbImage Image, ByteRaster Labels, int JpegQuality) RenderForFile(SyntheticOptions options, int index)
    {
        if (options.Family == SyntheticFamily.Clutter)
        {
            var scene = RenderClutteredScene(options, index);
            return (scene.Image, scene.Labels, scene.JpegQuality);
        }
        var (image, labels) = SyntheticRenderer.Render(new Random(ImageSeed(options.Seed, index)), options.Width, options.Height, options.ObjectsPerImage);
        return (image, labels, options.JpegQuality);
    }

    /// <summary>The id of image <paramref name="index"/>: <c>syn_00000</c>, <c>syn_00001</c>…</summary>
    public static string Id(int index) => $"syn_{index:D5}";

    // Not HashCode.Combine: it is randomised per process. Seeded System.Random is stable across runs and platforms.
    private static int ImageSeed(int seed, int index) =>
        unchecked((int)(((uint)seed * 0x9E3779B1u) ^ ((uint)index * 0x85EBCA77u + 0x27D4EB2Fu)) & int.MaxValue);

    private static void WriteSplit(string root, VocLayout layout, string name, IEnumerable<string> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
            text.Append(id).Append('\n');
        File.WriteAllText(Path.Combine(root, layout.Splits, name + ".txt"), text.ToString());
    }
}
