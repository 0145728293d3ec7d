using System.Security.Cryptography;
using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

/// <summary>
/// The first synthetic family (shapes) must keep producing the same scenes when other families are added: the hashes
/// were computed on the code before the clutter family existed. JPEG bytes are left out (they depend on libjpeg, not on
/// us); the label and mask PNGs, split lists and classes.txt are ours and are hashed as files.
/// </summary>
public class SyntheticShapesUnchangedTests
{
    [Fact]
    public void RenderOne_DefaultOptions_PixelsAndLabelsAsBefore()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var options in new[] { new SyntheticOptions(), new SyntheticOptions(Width: 96, Height: 64, Seed: 9, ObjectsPerImage: 2) })
        {
            for (int i = 0; i < 6; i++)
            {
                var (image, labels) = SyntheticDataset.RenderOne(options, i);
                sha.AppendData(image.Rgb);
                sha.AppendData(labels.Values);
            }
        }
        Assert.Equal("231384968EE01585F8EC49B35D20DD1D05B8E5CAD6F78071D9C77ABCE7B956B7", Convert.ToHexString(sha.GetHashAndReset()));
    }

    [Fact]
    public void Generate_DefaultFamily_LabelMaskAndListFilesAsBefore()
    {
        using var temp = new TempFolder();
        SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 6, ValCount: 2, Seed: 4));
        var files = Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".jpg", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(2 * 8 + 3 + 1, files.Count);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in files)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(temp.Path, f)));
            sha.AppendData(File.ReadAllBytes(f));
        }
        Assert.Equal("2E8264AF70AB27573E0E8DD81F231A1D4A1CC71A6116FD7EA4E2F161E1D0C225", Convert.ToHexString(sha.GetHashAndReset()));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(temp.Path, "JPEGImages"), "*.jpg").Length);
    }
}
