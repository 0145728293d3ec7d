using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public class SyntheticDatasetTests
{
    [Fact]
    public void Generate_SameSeedTwice_IdenticalFiles_OtherSeedDiffers()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        using var c = new TempFolder();
        var options = new SyntheticOptions(TrainCount: 12, ValCount: 4, Seed: 7);
        SyntheticDataset.Generate(a.Path, options);
        SyntheticDataset.Generate(b.Path, options);
        SyntheticDataset.Generate(c.Path, options with { Seed = 8 });
        Assert.Equal(FolderHash.Of(a.Path), FolderHash.Of(b.Path));
        Assert.NotEqual(FolderHash.Of(a.Path), FolderHash.Of(c.Path));
    }

    [Fact]
    public void Generate_ReadBack_MasksEqualLabelsForegroundAndAllClassesPresent()
    {
        using var temp = new TempFolder();
        var (train, val) = SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 40, ValCount: 10, Seed: 1));
        Assert.Equal((40, 10), (train.Count, val.Count));
        var voc = new VocDataset(temp.Path, "train");
        Assert.Equal(train, voc.Ids);
        Assert.Equal(val, new VocDataset(temp.Path, "val").Ids);
        var classCounts = new int[5];
        foreach (var id in voc.Ids)
        {
            var labels = voc.LoadLabels(id)!;
            var mask = voc.LoadMask(id)!;
            var image = voc.LoadImage(id);
            Assert.Equal((128, 128), (image.Width, image.Height));
            Assert.Equal(labels.Values.Select(v => v > 0 ? (byte)1 : (byte)0), mask.Values);
            double fg = mask.Values.Count(v => v == 1) / (double)mask.PixelCount;
            Assert.InRange(fg, 0.02, 0.5); // radius 18–32 % of the side: about 3 % (triangle) to 32 % (disc)
            foreach (var v in labels.Values.Distinct().Where(v => v > 0))
                classCounts[v]++;
        }
        Assert.Equal(0, classCounts[0]);
        Assert.All(classCounts[1..], n => Assert.InRange(n, 4, 20)); // 40 draws of 4 classes: about 10 each
    }

    [Fact]
    public void RenderOne_ClassColours_NotPredictableFromMeanColour()
    {
        // Mean object colour per class must spread over most of the colour range: class is shape + texture only.
        var options = new SyntheticOptions(Seed: 3);
        var reds = new List<double>[5];
        for (int k = 0; k < 5; k++) reds[k] = [];
        for (int i = 0; i < 120; i++)
        {
            var (image, labels) = SyntheticDataset.RenderOne(options, i);
            var cls = labels.Values.First(v => v > 0);
            reds[cls].Add(Enumerable.Range(0, labels.PixelCount).Where(p => labels.Values[p] == cls).Average(p => image.Rgb[3 * p]));
        }
        foreach (var list in reds[1..])
            Assert.True(list.Max() - list.Min() > 120, $"red range {list.Min():F0}..{list.Max():F0}");
    }

    [Fact]
    public void SyntheticOptions_Defaults_AreTheIssue5Set()
    {
        // 300 train / 100 val of 128×128 (issue 5). Generation speed is measured in bench/ProposalsBench, not here.
        var o = new SyntheticOptions();
        Assert.Equal((300, 100, 128, 128, 1), (o.TrainCount, o.ValCount, o.Width, o.Height, o.ObjectsPerImage));
        Assert.Throws<ArgumentOutOfRangeException>(() => (o with { Width = 8 }).Validate());
    }
}
