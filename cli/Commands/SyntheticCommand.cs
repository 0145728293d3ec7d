using System.CommandLine;
using MaskContrast.Core.Data;

namespace MaskContrast.Cli.Commands;

/// <summary><c>maskcontrast synthetic --out &lt;dir&gt;</c>: writes the synthetic VOC-layout demo set.</summary>
public static class SyntheticCommand
{
    private static readonly Option<string> s_out = new("--out") { Description = "Dataset root to write (VOC layout)", Required = true };
    private static readonly Option<int> s_train = new("--train") { Description = "Train images", DefaultValueFactory = _ => 300 };
    private static readonly Option<int> s_val = new("--val") { Description = "Val images", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> s_width = new("--width") { Description = "Image width", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> s_height = new("--height") { Description = "Image height", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> s_seed = new("--seed") { Description = "Seed (same seed, same files)", DefaultValueFactory = _ => 0 };

    public static Command Create()
    {
        var command = new Command("synthetic", "Write a synthetic VOC-layout dataset: 4 classes by shape and texture, random colours")
        {
            s_out, s_train, s_val, s_width, s_height, s_seed,
        };
        command.SetAction(parse =>
        {
            var options = new SyntheticOptions(parse.GetValue(s_train), parse.GetValue(s_val), parse.GetValue(s_width),
                parse.GetValue(s_height), parse.GetValue(s_seed));
            var (train, val) = SyntheticDataset.Generate(parse.GetValue(s_out)!, options);
            Console.WriteLine($"wrote {train.Count} train + {val.Count} val images to {parse.GetValue(s_out)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
