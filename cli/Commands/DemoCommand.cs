using System.CommandLine;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast demo [--out &lt;dir&gt;]</c>: generates the synthetic dataset, runs the whole pipeline with a shortened
/// run of the default recipe (ImageNet weights), segments a few held-out images and says where everything is.
/// </summary>
public static class DemoCommand
{
    /// <summary>Epochs of the demo run (of the default preset's 20): well inside 5 minutes on 2 cores, start-up and evaluation included.</summary>
    public const int DefaultEpochs = 6;

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the dataset, the run and the sample segmentations", DefaultValueFactory = _ => "maskcontrast-demo" };
        var epochs = new Option<int>("--epochs") { Description = $"Epochs of the shortened {Presets.Default} run (default {DefaultEpochs})", DefaultValueFactory = _ => DefaultEpochs };
        var command = new Command("demo", "Generate a synthetic dataset, train from ImageNet weights, evaluate, segment sample images") { output, epochs };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string root = Path.GetFullPath(parse.GetValue(output)!);
            string data = Path.Combine(root, "data");
            if (!File.Exists(Path.Combine(data, "ImageSets", "Segmentation", "val.txt")))
            {
                Console.Error.WriteLine($"generating the synthetic dataset (300 train / 100 val, 4 classes) in {data}");
                SyntheticDataset.Generate(data, new SyntheticOptions());
            }
            var where = new StoreChoice(Path.Combine(root, "store"));
            const string dataset = "synthetic";
            await RunCommand.ImportAsync(where, data, dataset, cancellationToken);
            var request = new RunStartRequest(new RunSettings(dataset, Presets.Default, [], parse.GetValue(epochs)), RunId: "demo");
            int code = await PipelineSession.RunAsync(where, request, childProcess: false, cancellationToken);
            if (code != ExitCodes.Success) return code;

            string bundlePath = SegmentCommand.ResolveBundle(Path.Combine(where.Folder!, RunLayout.Run("demo")));
            using var bundle = ModelBundle.LoadFile(bundlePath);
            var writer = new SegmentationWriter(bundle, ModelBundle.Sha256OfFile(bundlePath), modelName: bundlePath);
            string samples = Directory.CreateDirectory(Path.Combine(root, "samples")).FullName;
            var val = new VocDataset(data, "val");
            foreach (var id in val.Ids.Take(8))
                SegmentCommand.WriteOutputs(samples, id + ".jpg", writer.Process(id + ".jpg", File.ReadAllBytes(val.ImagePath(id))).Files);
            Console.WriteLine($"report:   {Path.Combine(where.Folder!, RunLayout.EvalFile("demo", "report.html"))}");
            Console.WriteLine($"samples:  {samples}");
            Console.WriteLine($"segment your own images: maskcontrast segment --model {bundlePath} --out <dir> <images>");
            Console.WriteLine($"full recipe: maskcontrast run --data {data}");
            return ExitCodes.Success;
        });
        return command;
    }
}
