using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast name --model &lt;bundle or run folder&gt; 3=car 5=road</c>: writes a new version of the bundle with the
/// clusters named (<c>model-{sha12}.mcbundle</c> next to it, so the old bundle and its hash stay valid); <c>segment</c>
/// with the new bundle puts the names in every JSON. <c>3=</c> removes a name. When the bundle is a run's published model,
/// the new version becomes the run's model (its <c>model.json</c>).
/// </summary>
public static class NameCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model bundle (.mcbundle) or a run folder (its model/model.json names the bundle)", Required = true };
        var names = new Argument<string[]>("names") { Description = "label=name pairs, e.g. 3=car 5=road (label=: remove the name)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("name", "Name a model's clusters; writes a new bundle version beside the old one") { model, names };
        command.SetAction(parse =>
        {
            var given = Parse(parse.GetValue(names)!);
            string source = SegmentCommand.ResolveBundle(parse.GetValue(model)!);
            using var bundle = ModelBundle.LoadFile(source);
            using var named = bundle.WithClusterNames(given);
            var bytes = named.ToBytes();
            string sha256 = ArtifactStoreExtensions.Sha256Of(bytes);
            string target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, $"model-{sha256[..12]}.mcbundle");
            File.WriteAllBytes(target, bytes);
            foreach (int label in Enumerable.Range(1, named.Clusters))
                Console.WriteLine($"  cluster {label}: {named.NameOf(label) ?? "(no name)"}");
            Console.WriteLine($"named bundle: {target} (SHA-256 {sha256}); {source} is unchanged");
            if (MovePublishedModel(source, target, sha256) is { } record)
                Console.WriteLine($"the run's model is now the named bundle ({record})");
            return ExitCodes.Success;
        });
        return command;
    }

    // When the named bundle was its run's published model (model.json beside it names it), the new version becomes the
    // run's model, as PUT /api/models/{id}/clusters does: `run --names-from` and `segment` with the run folder then find
    // the names. Returns the record rewritten, or null.
    static string? MovePublishedModel(string source, string target, string sha256)
    {
        string record = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, "model.json");
        if (!File.Exists(record)
            || JsonSerializer.Deserialize<ModelLocation>(File.ReadAllBytes(record), ArtifactStoreExtensions.JsonOptions) is not { } published
            || Path.GetFileName(published.Path) != Path.GetFileName(source))
            return null;
        var moved = new ModelLocation(published.Path[..(published.Path.LastIndexOf('/') + 1)] + Path.GetFileName(target), sha256);
        File.WriteAllBytes(record, JsonSerializer.SerializeToUtf8Bytes(moved, ArtifactStoreExtensions.JsonOptions));
        return record;
    }

    /// <summary><c>3=car</c> → (3, "car"); every malformed pair is reported at once.</summary>
    internal static Dictionary<int, string> Parse(IEnumerable<string> pairs)
    {
        var names = new Dictionary<int, string>();
        var problems = new List<string>();
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(pair[..eq], NumberStyles.None, CultureInfo.InvariantCulture, out int label))
                problems.Add($"'{Core.Config.EchoText.Shorten(pair)}' is not label=name (e.g. 3=car)");
            else if (!names.TryAdd(label, pair[(eq + 1)..]))
                problems.Add($"cluster {label} is named twice");
        }
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        return names;
    }
}
