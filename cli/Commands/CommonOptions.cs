using System.CommandLine;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Storage;

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

    /// <summary>
    /// <c>--store</c>: where runs and datasets live, the same option in every command that reads or writes them.
    /// <c>--out</c> and <c>--storage</c>, the names <c>run</c> and <c>status</c> had before, are accepted as aliases.
    /// </summary>
    public static Option<string> Store() => new("--store", "--out", "--storage")
    {
        Description = $"Where runs and datasets live: a local folder (default ./{StoreChoice.DefaultFolder}; durable state in memory) or an Azure " +
                      "Storage connection string such as Azurite's (blobs and the durable backend survive a crash); also an account URL or env:NAME",
        DefaultValueFactory = _ => StoreChoice.DefaultFolder,
    };

    /// <summary><c>--container</c>: the blob container of a blob store.</summary>
    public static Option<string> Container() => new("--container")
    {
        Description = "Blob container for runs and datasets in a blob store",
        DefaultValueFactory = _ => ArtifactStoreLocator.DefaultContainer,
    };
}
