using System.CommandLine;
using MaskContrast.Core.Config;

namespace MaskContrast.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
public static class CommonOptions
{
    public static Option<string> Preset(string defaultPreset = "paper")
    {
        var option = new Option<string>("--preset") { Description = $"Configuration preset: {string.Join(", ", Presets.Names)}", DefaultValueFactory = _ => defaultPreset };
        option.AcceptOnlyFromAmong(Presets.Names);
        return option;
    }

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override one configuration field, e.g. --set optimizer.learningRate=0.01 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };
}
