using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Model;

/// <summary>
/// The ImageNet-trained ResNet that ML.NET's <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package ships as ONNX
/// (a CNTK 2.6 export, opset 8), converted into the <c>mlnet-resnet18</c> backbone's state dict.
/// The package is restored at build time and its files are copied next to every program (core's project file); nothing
/// is downloaded when a run starts.
/// Facts the conversion relies on (each checked by a test against ONNX Runtime):
/// - it is not TorchVision's resnet18: layer4 has three BasicBlocks ([2, 2, 2, 3]); no fc, no conv biases, BatchNorm eps 1e-5;
/// - CNTK pads asymmetrically (conv1 [3,3,2,2], strided 3×3 convs and the max-pool [1,1,0,0]), which equals symmetric
///   padding for even input sizes; the dilated stages (output stride 8/16) have no stride left to pad for;
/// - its input is BGR in 0–255 minus a 224×224 mean image; <see cref="MeanBgr"/> are that image's channel means, used at
///   every input size (the per-pixel image only exists at 224²; its values stay within ±11 of those means).
/// </summary>
public static class ImageNetResNet18
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.24.0";

    /// <summary>Blocks per stage of the converted network.</summary>
    public static readonly int[] Blocks = [2, 2, 2, 3];

    /// <summary>Channel means (B, G, R, on the 0–255 scale) of the package's mean image (ResNetPreprocess.onnx).</summary>
    public static readonly float[] MeanBgr = [103.06262f, 115.90289f, 123.15163f];

    /// <summary>Where the build puts the package's network (next to the program).</summary>
    public static string OnnxPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Where the build puts the package's preprocessing graph.</summary>
    public static string PreprocessPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>What <c>maskcontrast model</c> prints as the origin of the weights.</summary>
    public static string Describe() =>
        $"ImageNet ResNet-18 [2,2,2,3] from the NuGet package {PackageId} {PackageVersion} (MIT, CNTK 2.6 ONNX export), " +
        $"{(File.Exists(OnnxPath) ? OnnxPath : "missing: " + OnnxPath)}";

    /// <summary>Fills the backbone of <paramref name="model"/> (which must be <c>mlnet-resnet18</c>) with the packaged weights.</summary>
    public static WeightImportReport Load(SegmentationModel model, string? onnxPath = null)
    {
        string path = onnxPath ?? OnnxPath;
        var report = PretrainedWeights.Apply(model, ReadStateDict(path).ToDictionary(p => "backbone." + p.Key, p => p.Value),
            $"{PackageId} {PackageVersion}", onlyPrefix: "backbone.");
        if (report.ShapeMismatches.Count > 0 || report.Missing.Count > 0)
            throw new InvalidDataException($"the ImageNet ResNet-18 does not fit model.backbone={model.Config.Backbone.JsonName()}: {report}");
        return report;
    }

    /// <summary>
    /// The network's initializers under the backbone's own keys (conv1.weight, layer1.0.bn1.running_mean, …). Every
    /// BatchNormalization consumes one Conv; the Conv–BN pairs in graph order are the stem, then conv1 and conv2 of each
    /// block, with the 1×1 downsample pairs of layer2–4 interleaved (they are told apart by their kernel size).
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"the ImageNet ResNet-18 ONNX file is missing at '{path}'; it comes from the NuGet package " +
                $"{PackageId} {PackageVersion}, which `dotnet build` restores and copies next to the program — rebuild, or set model.pretraining=none", path);
        ModelProto onnx;
        try { onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e); }

        var graph = onnx.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producer = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producer[output] = node;

        var main = new List<(NodeProto Conv, NodeProto Bn)>();
        var downsample = new List<(NodeProto Conv, NodeProto Bn)>();
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization"))
        {
            if (!producer.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv")
                throw new InvalidDataException($"'{path}': BatchNormalization {bn.Name} does not follow a Conv; not the expected ResNet");
            var kernel = conv.Attribute.First(a => a.Name == "kernel_shape").Ints;
            (kernel.All(k => k == 1) ? downsample : main).Add((conv, bn));
        }

        var keys = new List<(string Conv, string Bn)> { ("conv1", "bn1") };   // the stem
        for (int stage = 1; stage <= Blocks.Length; stage++)
            for (int block = 0; block < Blocks[stage - 1]; block++)
                keys.AddRange([($"layer{stage}.{block}.conv1", $"layer{stage}.{block}.bn1"), ($"layer{stage}.{block}.conv2", $"layer{stage}.{block}.bn2")]);
        int expectedDownsample = Blocks.Length - 1;
        if (main.Count != keys.Count || downsample.Count != expectedDownsample)
            throw new InvalidDataException($"'{path}' has {main.Count} 3×3/7×7 and {downsample.Count} 1×1 convolutions; " +
                $"a ResNet [{string.Join(",", Blocks)}] has {keys.Count} and {expectedDownsample}");

        var state = new Dictionary<string, Tensor>();
        void Pair((NodeProto Conv, NodeProto Bn) p, string conv, string bn)
        {
            if (p.Conv.Input.Count > 2) throw new InvalidDataException($"'{path}': convolution {p.Conv.Name} has a bias; the ResNet has none");
            state[conv + ".weight"] = Read(initializers, p.Conv.Input[1], path);
            string[] fields = ["weight", "bias", "running_mean", "running_var"];   // ONNX order: scale, B, mean, var
            for (int i = 0; i < fields.Length; i++)
                state[$"{bn}.{fields[i]}"] = Read(initializers, p.Bn.Input[i + 1], path);
            state[bn + ".num_batches_tracked"] = tensor(0L);
        }
        for (int i = 0; i < main.Count; i++)
            Pair(main[i], keys[i].Conv, keys[i].Bn);
        for (int i = 0; i < downsample.Count; i++)
            Pair(downsample[i], $"layer{i + 2}.0.downsample.0", $"layer{i + 2}.0.downsample.1");
        return state;
    }

    static Tensor Read(Dictionary<string, TensorProto> initializers, string name, string path)
    {
        if (!initializers.TryGetValue(name, out var t))
            throw new InvalidDataException($"'{path}': '{name}' is not an initializer");
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"'{path}': initializer '{name}' has ONNX data type {t.DataType}, not float");
        float[] values = t.FloatData.Count > 0
            ? t.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        long[] dims = t.Dims.ToArray();
        if (values.LongLength != dims.Aggregate(1L, (a, b) => a * b))
            throw new InvalidDataException($"'{path}': initializer '{name}' holds {values.Length} values for shape [{string.Join(",", dims)}]");
        return tensor(values, dims);
    }

    /// <summary>
    /// The network's own input from an ImageNet-normalised RGB batch [B, 3, H, W] (what every other part of the pipeline
    /// produces): back to 0–255, reordered to BGR, minus <see cref="MeanBgr"/>.
    /// </summary>
    public static Tensor ToNetworkInput(Tensor imagenetNormalised)
    {
        var mean = Data.Augmentation.ViewAugmenter.ImageNetMean;
        var std = Data.Augmentation.ViewAugmenter.ImageNetStd;
        // channel c' of the output is input channel 2 − c': y = x·255·std + (255·mean − MeanBgr)
        float[] scale = [255 * std[2], 255 * std[1], 255 * std[0]];
        float[] offset = [255 * mean[2] - MeanBgr[0], 255 * mean[1] - MeanBgr[1], 255 * mean[0] - MeanBgr[2]];
        var device = imagenetNormalised.device;
        return imagenetNormalised.flip(1) * tensor(scale, device: device).reshape(1, 3, 1, 1)
            + tensor(offset, device: device).reshape(1, 3, 1, 1);
    }
}
