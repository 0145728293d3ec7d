using System.CommandLine;
using MaskContrast.Cli.Commands;
using MaskContrast.Core.Data;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Cli;

/// <summary>`maskcontrast synthetic`: the --family option and the sample grid.</summary>
public sealed class SyntheticCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Parse_UnknownFamily_IsAnErrorListingTheAllowedNames()
    {
        var root = new RootCommand { SyntheticCommand.Create() };
        var parse = root.Parse(["synthetic", "--out", _folder.Path, "--family", "bogus"]);
        var message = string.Join("\n", parse.Errors.Select(e => e.Message));
        Assert.Contains("bogus", message);
        Assert.All(new[] { "shapes", "clutter" }, name => Assert.Contains($"'{name}'", message));
        Assert.Empty(root.Parse(["synthetic", "--out", _folder.Path, "--family", "clutter"]).Errors);
        Assert.Equal(["shapes", "clutter"], SyntheticCommand.FamilyNames);
    }

    [Fact]
    public async Task UnknownFamily_ExitsWith2AndWritesNothing()
    {
        string data = Path.Combine(_folder.Path, "data");
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "synthetic", "--out", data, "--family", "cluttered");
        Assert.True(code == 2, $"exit {code}:\n{output}");
        Assert.Contains("'clutter'", output);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task DefaultFamily_IsShapes_SameFilesAsTheLibrary()
    {
        string cli = Path.Combine(_folder.Path, "cli"), lib = Path.Combine(_folder.Path, "lib");
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "synthetic", "--out", cli, "--train", "5", "--val", "2", "--seed", "3");
        Assert.True(code == 0, output);
        SyntheticDataset.Generate(lib, new SyntheticOptions(TrainCount: 5, ValCount: 2, Seed: 3));
        Assert.Equal(FolderHash.Of(lib), FolderHash.Of(cli));
    }

    [Fact]
    public async Task Clutter_WithSampleGrid_WritesTheSetAndAGridOfImagesAboveLabelMaps()
    {
        string data = Path.Combine(_folder.Path, "data"), grid = Path.Combine(_folder.Path, "docs", "grid.png");
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2),
            "synthetic", "--out", data, "--family", "clutter", "--train", "6", "--val", "2", "--sample-grid", grid);
        Assert.True(code == 0, output);
        Assert.Equal(ClutteredSceneRenderer.ClassNames, File.ReadAllLines(Path.Combine(data, "classes.txt")));
        var sheet = ImageCodec.DecodeRgb(grid);
        // 8 images, 5 per row, 112 px cells with 2 px gaps: 2 rows of (image cell + label cell).
        Assert.Equal((5 * 114 + 2, 2 * (2 * 112 + 4) + 2), (sheet.Width, sheet.Height));
        // The label cell of the first image holds only palette colours (black background, object classes 1..4) and letterbox grey.
        var allowed = Enumerable.Range(0, 5).Select(k => (VocPalette.Rgb[3 * k], VocPalette.Rgb[3 * k + 1], VocPalette.Rgb[3 * k + 2]))
            .Append(((byte)40, (byte)40, (byte)40)).ToHashSet();
        var seen = new HashSet<(byte, byte, byte)>();
        for (int y = 2 + 112 + 2; y < 2 + 224 + 2; y++)
            for (int x = 2; x < 2 + 112; x++)
            {
                int o = 3 * (y * sheet.Width + x);
                seen.Add((sheet.Rgb[o], sheet.Rgb[o + 1], sheet.Rgb[o + 2]));
            }
        Assert.Subset(allowed, seen);
        Assert.Contains(((byte)0, (byte)0, (byte)0), seen);
        Assert.True(seen.Count >= 2, "label cell shows no object");
    }
}
