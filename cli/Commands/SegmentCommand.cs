using System.CommandLine;
using System.Text.Json;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast segment --model &lt;bundle or run folder&gt; --out &lt;dir&gt; &lt;files or folders&gt;...</c>: for every input
/// file <c>{file name}</c> a folder <c>--out/{file name}/</c> with <c>labels.png</c> (label map), <c>overlay.png</c> and
/// <c>summary.json</c>, or <c>error.json</c> (<see cref="SegmentationOutputs"/>, the blob drop's layout). Inputs are only
/// read; two inputs with the same file name are refused before anything is written. Exit code 0 when every input was
/// segmented, 1 when some failed.
/// </summary>
public static class SegmentCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model bundle (.mcbundle) or a run folder (its model/model.json names the bundle)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Refuse images with more pixels (decompression-bomb guard)", DefaultValueFactory = _ => Core.Data.ImageCodec.DefaultMaxPixels };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files or folders of images", Arity = ArgumentArity.OneOrMore };
        var command = new Command("segment", "Segment images with a trained model bundle") { model, output, maxPixels, inputs };
        command.SetAction(parse =>
        {
            string bundlePath = ResolveBundle(parse.GetValue(model)!);
            using var bundle = ModelBundle.LoadFile(bundlePath);
            var writer = new SegmentationWriter(bundle, ModelBundle.Sha256OfFile(bundlePath), parse.GetValue(maxPixels), bundlePath);
            var files = Expand(parse.GetValue(inputs)!).ToList();
            RefuseSameNames(files);
            string outDir = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            int ok = 0, failed = 0;
            foreach (var file in files)
            {
                string name = Path.GetFileName(file);
                byte[] bytes;
                try { bytes = File.ReadAllBytes(file); }
                catch (IOException e) { bytes = []; Console.Error.WriteLine($"{name}: {e.Message}"); }
                var (outputs, succeeded) = writer.Process(name, bytes);
                WriteOutputs(outDir, name, outputs);
                if (succeeded) ok++;
                else { failed++; Console.Error.WriteLine($"{name}: not segmented, see {Path.Combine(name, SegmentationOutputs.Error)}"); }
            }
            Console.WriteLine($"segmented {ok} images, {failed} failed; outputs in {outDir}");
            return failed == 0 ? ExitCodes.Success : ExitCodes.PartialFailure;
        });
        return command;
    }

    /// <summary>
    /// Writes the outputs of input <paramref name="name"/> into its folder <c>{outDir}/{name}/</c>, replacing the ones of
    /// an earlier run of the same input: the summary or error record that is not part of the new result is removed, so
    /// the folder never holds both.
    /// </summary>
    internal static void WriteOutputs(string outDir, string name, IReadOnlyDictionary<string, byte[]> outputs)
    {
        string folder = Directory.CreateDirectory(Path.Combine(outDir, name)).FullName;
        foreach (var stale in new[] { SegmentationOutputs.LabelMap, SegmentationOutputs.Overlay, SegmentationOutputs.Summary, SegmentationOutputs.Error })
            if (!outputs.ContainsKey(stale)) File.Delete(Path.Combine(folder, stale));
        foreach (var (file, content) in outputs) File.WriteAllBytes(Path.Combine(folder, file), content);
    }

    // Inputs from different folders with the same file name would share an output folder.
    static void RefuseSameNames(IEnumerable<string> files)
    {
        var clashes = files.GroupBy(Path.GetFileName, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} ({string.Join(", ", g)})").ToList();
        if (clashes.Count > 0)
            throw new ArgumentException(
                $"inputs with the same file name would write the same output folder: {string.Join("; ", clashes)}. Segment them into different --out folders.");
    }

    // A bundle file, or a run's model folder or run folder: the bundle its model.json names (published bundles are named
    // by their hash), else a model.mcbundle there (runs published before that).
    internal static string ResolveBundle(string path)
    {
        if (File.Exists(path)) return path;
        foreach (var folder in new[] { path, Path.Combine(path, "model") })
        {
            string record = Path.Combine(folder, "model.json");
            if (File.Exists(record) && JsonSerializer.Deserialize<ModelLocation>(File.ReadAllBytes(record), ArtifactStoreExtensions.JsonOptions) is { } location
                && Path.Combine(folder, Path.GetFileName(location.Path)) is var named && File.Exists(named))
                return named;
            if (File.Exists(Path.Combine(folder, ModelBundle.FileName))) return Path.Combine(folder, ModelBundle.FileName);
        }
        throw new FileNotFoundException($"--model '{path}' is neither a model bundle nor a run folder with model/model.json");
    }

    static IEnumerable<string> Expand(IEnumerable<string> inputs)
    {
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                foreach (var f in Directory.EnumerateFiles(input).Order(StringComparer.Ordinal)) yield return f;
            else if (File.Exists(input)) yield return input;
            else throw new FileNotFoundException($"input '{input}' does not exist");
        }
    }
}
