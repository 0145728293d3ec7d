using MaskContrast.Core.Data;
using Xunit.Abstractions;

namespace MaskContrast.Tests.Data;

/// <summary>The clutter family: determinism, the VOC files it writes, and the scene statistics it promises.</summary>
public class SyntheticClutterTests(ITestOutputHelper output)
{
    private static readonly SyntheticOptions s_clutter = new(Family: SyntheticFamily.Clutter);

    [Fact]
    public void Generate_SameSeedTwice_IdenticalFiles_OtherSeedDiffers()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        using var c = new TempFolder();
        using var shapes = new TempFolder();
        var options = s_clutter with { TrainCount = 12, ValCount = 4, Seed = 7 };
        SyntheticDataset.Generate(a.Path, options);
        SyntheticDataset.Generate(b.Path, options);
        SyntheticDataset.Generate(c.Path, options with { Seed = 8 });
        SyntheticDataset.Generate(shapes.Path, options with { Family = SyntheticFamily.Shapes });
        Assert.Equal(FolderHash.Of(a.Path), FolderHash.Of(b.Path));
        Assert.NotEqual(FolderHash.Of(a.Path), FolderHash.Of(c.Path));
        Assert.NotEqual(FolderHash.Of(a.Path), FolderHash.Of(shapes.Path));
    }

    [Fact]
    public void Generate_ReadBack_SizesVary_MasksEqualLabelsForeground_AllClassesPresent()
    {
        using var temp = new TempFolder();
        var (train, _) = SyntheticDataset.Generate(temp.Path, s_clutter with { TrainCount = 60, ValCount = 20, Seed = 1 });
        Assert.Equal(ClutteredSceneRenderer.ClassNames, File.ReadAllLines(Path.Combine(temp.Path, "classes.txt")));
        var voc = new VocDataset(temp.Path, "train");
        Assert.Equal(train, voc.Ids);
        var sizes = new List<(int W, int H)>();
        var images = new int[5];
        foreach (var id in voc.Ids)
        {
            var labels = voc.LoadLabels(id)!;
            var mask = voc.LoadMask(id)!;
            var image = voc.LoadImage(id);
            Assert.Equal((image.Width, image.Height), (labels.Width, labels.Height));
            Assert.Equal((image.Width, image.Height), (mask.Width, mask.Height));
            sizes.Add((image.Width, image.Height));
            Assert.DoesNotContain((byte)255, labels.Values);
            Assert.Equal(labels.Values.Select(v => v > 0 ? (byte)1 : (byte)0), mask.Values);
            double fg = mask.Values.Count(v => v == 1) / (double)mask.PixelCount;
            Assert.InRange(fg, ClutteredSceneRenderer.MinVisibleFraction, ClutteredSceneRenderer.MaxForegroundFraction);
            // Each object keeps ≥ 1 % visible, so so does each class present (objects of one class may touch).
            int minArea = (int)Math.Ceiling(ClutteredSceneRenderer.MinVisibleFraction * labels.PixelCount);
            foreach (var g in labels.Values.Where(v => v > 0).GroupBy(v => v))
            {
                Assert.True(g.Count() >= minArea, $"{id}: class {g.Key} shows {g.Count()} px < {minArea}");
                images[g.Key]++;
            }
        }
        // 128 nominal: each side in [96, 166] and even; sizes spread, almost never square.
        Assert.All(sizes, s => Assert.True(s.W is >= 96 and <= 166 && s.H is >= 96 and <= 166 && s.W % 2 == 0 && s.H % 2 == 0, $"{s}"));
        Assert.True(sizes.Distinct().Count() >= 40, $"{sizes.Distinct().Count()} distinct sizes in 60");
        Assert.InRange(sizes.Count(s => s.W != s.H) / (double)sizes.Count, 0.85, 1.0);
        Assert.True(sizes.Max(s => s.W) - sizes.Min(s => s.W) >= 50, "widths barely vary");
        Assert.Equal(0, images[0]);
        Assert.All(images[1..], n => Assert.InRange(n, 8, 45)); // ~90 objects over 4 classes in 60 images
    }

    [Fact]
    public void RenderClutteredScene_DefaultSet_ObjectCountsClassesScalesAndVisibleAreas()
    {
        // The 400 images (300 train + 100 val) of the default options, in memory.
        int n = 400, multiObject = 0, multiClass = 0;
        var perClass = new int[5];
        var objectFractions = new List<double>();
        var foreground = new List<double>();
        var qualities = new HashSet<int>();
        var sizes = new List<(int W, int H)>();
        for (int i = 0; i < n; i++)
        {
            var scene = SyntheticDataset.RenderClutteredScene(s_clutter, i);
            var (labels, instances) = (scene.Labels.Values, scene.Instances.Values);
            int pixels = labels.Length, minArea = (int)Math.Ceiling(ClutteredSceneRenderer.MinVisibleFraction * pixels);
            Assert.InRange(scene.Classes.Count, 1, 3);
            Assert.InRange(scene.JpegQuality, ClutteredSceneRenderer.MinJpegQuality, ClutteredSceneRenderer.MaxJpegQuality);
            qualities.Add(scene.JpegQuality);
            sizes.Add((scene.Image.Width, scene.Image.Height));
            for (int p = 0; p < pixels; p++)
            {
                int expected = instances[p] == 0 ? 0 : scene.Classes[instances[p] - 1];
                if (labels[p] != expected) Assert.Fail($"image {i} pixel {p}: label {labels[p]}, instance {instances[p]}");
            }
            for (int k = 1; k <= scene.Classes.Count; k++)
            {
                int area = instances.Count(v => v == k);
                Assert.True(area >= minArea, $"image {i} object {k} shows {area} px < {minArea}");
                objectFractions.Add(area / (double)pixels);
                perClass[scene.Classes[k - 1]]++;
            }
            multiObject += scene.Classes.Count >= 2 ? 1 : 0;
            multiClass += scene.Classes.Distinct().Count() >= 2 ? 1 : 0;
            foreground.Add(labels.Count(v => v > 0) / (double)pixels);
        }
        objectFractions.Sort();
        foreground.Sort();
        output.WriteLine($"≥2 objects {multiObject / (double)n:P1}, ≥2 classes {multiClass / (double)n:P1}, objects per class {string.Join('/', perClass[1..])}");
        output.WriteLine($"object visible area % of image: min {100 * objectFractions[0]:F2}, p10 {100 * objectFractions[objectFractions.Count / 10]:F2}, " +
            $"median {100 * objectFractions[objectFractions.Count / 2]:F2}, p90 {100 * objectFractions[objectFractions.Count * 9 / 10]:F2}, max {100 * objectFractions[^1]:F2}");
        output.WriteLine($"foreground % per image: min {100 * foreground[0]:F1}, median {100 * foreground[n / 2]:F1}, max {100 * foreground[^1]:F1}; JPEG qualities {qualities.Min()}..{qualities.Max()}");
        output.WriteLine($"width {sizes.Min(s => s.W)}..{sizes.Max(s => s.W)}, height {sizes.Min(s => s.H)}..{sizes.Max(s => s.H)}, " +
            $"aspect {sizes.Min(s => s.W / (double)s.H):F2}..{sizes.Max(s => s.W / (double)s.H):F2}, non-square {sizes.Count(s => s.W != s.H) / (double)n:P1}");
        Assert.InRange(multiObject / (double)n, 0.35, 0.6);
        Assert.InRange(multiClass / (double)n, 0.28, 0.55);
        Assert.All(perClass[1..], c => Assert.InRange(c / (double)perClass.Sum(), 0.18, 0.32));
        Assert.True(objectFractions[objectFractions.Count / 10] < 0.03, "too few small objects");
        Assert.True(objectFractions[objectFractions.Count * 9 / 10] > 0.10, "too few large objects");
        Assert.True(qualities.Max() - qualities.Min() >= 10, "JPEG quality does not vary");
    }

    [Fact]
    public void RenderClutteredScene_ClassColours_NotPredictableFromMeanColour()
    {
        // Mean red of each object must spread over most of the range for every class: class is shape + texture only.
        var reds = Enumerable.Range(0, 5).Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < 120; i++)
        {
            var scene = SyntheticDataset.RenderClutteredScene(s_clutter with { Seed = 3 }, i);
            for (int k = 1; k <= scene.Classes.Count; k++)
                reds[scene.Classes[k - 1]].Add(Enumerable.Range(0, scene.Instances.PixelCount)
                    .Where(p => scene.Instances.Values[p] == k).Average(p => scene.Image.Rgb[3 * p]));
        }
        foreach (var list in reds[1..])
            Assert.True(list.Max() - list.Min() > 120, $"red range {list.Min():F0}..{list.Max():F0}");
    }
}
