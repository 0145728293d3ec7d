using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class RawColourBaselineTests
{
    // 8×8 images whose left half is red and right half blue; the labels are either the same halves or the top and bottom halves.
    static (RgbImage[] Images, ByteRaster[] Truth) Split(bool labelsFollowColour, int count = 6)
    {
        var images = new RgbImage[count];
        var truth = new ByteRaster[count];
        for (int i = 0; i < count; i++)
        {
            var rgb = new byte[8 * 8 * 3];
            var labels = new byte[8 * 8];
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    int p = y * 8 + x;
                    bool left = x < 4;
                    rgb[3 * p] = left ? (byte)220 : (byte)10;
                    rgb[3 * p + 2] = left ? (byte)10 : (byte)220;
                    labels[p] = (byte)((labelsFollowColour ? left : y < 4) ? 1 : 0);
                }
            images[i] = new RgbImage(8, 8, rgb);
            truth[i] = new ByteRaster(8, 8, labels);
        }
        return (images, truth);
    }

    [Fact]
    public void ColourThatDecidesTheClass_ScoresOne_ForEverySeed()
    {
        var (images, truth) = Split(labelsFollowColour: true);
        var summary = ClusteringEvaluation.RawColourBaseline(images, truth, new ClusteringProtocolOptions(NumClasses: 2));
        Assert.Equal(5, summary.PerSeed.Length);
        Assert.All(summary.PerSeed, m => Assert.Equal(1.0, m, 12));
    }

    [Fact]
    public void ColourAcrossTheClasses_ScoresAThird()
    {
        // Each colour cluster covers half of each class: per class, intersection 16 and union 48 pixels per image.
        var (images, truth) = Split(labelsFollowColour: false);
        var summary = ClusteringEvaluation.RawColourBaseline(images, truth, new ClusteringProtocolOptions(NumClasses: 2));
        Assert.All(summary.PerSeed, m => Assert.Equal(1.0 / 3, m, 12));
        Assert.Equal(0, summary.StdIoU, 12);
    }
}
