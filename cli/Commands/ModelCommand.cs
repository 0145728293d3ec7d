using System.CommandLine;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Model;

namespace MaskContrast.Cli.Commands;

/// <summary><c>maskcontrast model --preset paper</c>: builds the network of a preset and prints its parameter counts per part.</summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Print the parameter counts of a preset's network (backbone, decoder, heads)");
        var preset = CommonOptions.Preset();
        var set = CommonOptions.Set();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        command.Options.Add(preset);
        command.Options.Add(set);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var config = Presets.Load(parse.GetValue(preset)!, parse.GetValue(set));
            using var model = new SegmentationModel(config.Model);
            var counts = model.CountParameters();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { preset = parse.GetValue(preset), architecture = config.Model.Backbone.JsonName(), weights = WeightSource(config.Model), backbone = counts.Backbone,
                    decoder = counts.Decoder, head = counts.Head, saliencyHead = counts.SaliencyHead, total = counts.Total }));
                return ExitCodes.Success;
            }
            Console.WriteLine($"preset {parse.GetValue(preset)}: {config.Model.Backbone.JsonName()}, output stride {(int)config.Model.OutputStride}, " +
                              $"{config.Model.EmbeddingDim}-d embeddings");
            Console.WriteLine($"  backbone        {counts.Backbone,12:N0}");
            Console.WriteLine($"  decoder         {counts.Decoder,12:N0}   (ASPP + 3×3 conv, without the embedding conv)");
            Console.WriteLine($"  head            {counts.Head,12:N0}   (1×1 conv to the embedding)");
            Console.WriteLine($"  saliency head   {counts.SaliencyHead,12:N0}");
            Console.WriteLine($"  total           {counts.Total,12:N0}   (per encoder; training holds two)");
            Console.WriteLine($"  weights         {WeightSource(config.Model)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Where a preset's initial backbone weights come from.</summary>
    internal static string WeightSource(ModelConfig model) => model.Pretraining switch
    {
        PretrainingSource.MlNetImageNet => ImageNetResNet18.Describe(),
        PretrainingSource.ImageNet => "a TorchVision ImageNet state dict the user brings (run --set model.pretraining=imagenet with a weights file)",
        PretrainingSource.Moco => "a MoCo v2 checkpoint the user brings",
        _ => "random (model.pretraining=none)",
    };
}
