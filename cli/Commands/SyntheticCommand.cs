using System.CommandLine;
using MaskContrast.Core.Data;

namespace MaskContrast.Cli.Commands;

/// <summary><c>maskcontrast synthetic --out &lt;dir&gt; [--family shapes|clutter] [--sample-grid &lt;png&gt;]</c>: writes a synthetic VOC-layout set.</summary>
public static class SyntheticCommand
{
    /// <summary>Family names as typed on the command line (lower case), in declaration order.</summary>
    public static IReadOnlyList<string> FamilyNames { get; } =
        Enum.GetNames<SyntheticFamily>().Select(n => n.ToLowerInvariant()).ToArray();

    private static readonly Option<string> s_out = new("--out") { Description = "Dataset root to write (VOC layout)", Required = true };
    private static readonly Option<int> s_train = new("--train") { Description = "Train images", DefaultValueFactory = _ => 300 };
    private static readonly Option<int> s_val = new("--val") { Description = "Val images", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> s_width = new("--width") { Description = "Image width (clutter: nominal, each image 0.75–1.3× of it)", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> s_height = new("--height") { Description = "Image height (clutter: nominal, each image 0.75–1.3× of it)", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> s_seed = new("--seed") { Description = "Seed (same seed, same files)", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> s_family = CreateFamilyOption();
    private static readonly Option<string?> s_grid = new("--sample-grid") { Description = "Also write a PNG contact sheet of the first 10 images with their label maps" };

    private static Option<string> CreateFamilyOption()
    {
        var option = new Option<string>("--family")
        {
            Description = "shapes: one object, smooth background (the demo set); clutter: 1–3 occluding objects, noise background, distractors, shading, varying sizes",
            DefaultValueFactory = _ => FamilyNames[0],
        };
        option.AcceptOnlyFromAmong([.. FamilyNames]);
        return option;
    }

    public static Command Create()
    {
        var command = new Command("synthetic", "Write a synthetic VOC-layout dataset: 4 classes by shape and texture, random colours")
        {
            s_out, s_train, s_val, s_width, s_height, s_seed, s_family, s_grid,
        };
        command.SetAction(parse =>
        {
            var family = Enum.Parse<SyntheticFamily>(parse.GetValue(s_family)!, ignoreCase: true);
            var options = new SyntheticOptions(parse.GetValue(s_train), parse.GetValue(s_val), parse.GetValue(s_width),
                parse.GetValue(s_height), parse.GetValue(s_seed), Family: family);
            string root = parse.GetValue(s_out)!;
            var (train, val) = SyntheticDataset.Generate(root, options);
            Console.WriteLine($"wrote {train.Count} train + {val.Count} val images ({family.ToString().ToLowerInvariant()}) to {root}");
            if (parse.GetValue(s_grid) is { Length: > 0 } grid)
            {
                SampleGrid.WritePng(new VocDataset(root, "trainval"), grid);
                Console.WriteLine($"wrote sample grid {grid}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
