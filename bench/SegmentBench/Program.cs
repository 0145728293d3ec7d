using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

// Segmentation throughput (issue 3 benchmark). Two modes, each printing one JSON line:
//   segment <preset> <size> <images> <out.json> [section.field=value…]
//                                                 images/s of SegmentationWriter.Process (decode, forward at the bundle's
//                                                 size, prototype, PCA, nearest centroid, resize, PNG encodes) on
//                                                 synthetic JPEGs of size×size; writes the resolved model config for the
//                                                 PyTorch twin (pytorch_segment.py) and the label maps to <out.json>.labels
//                                                 (to compare a speed lever's labels with fp32's). The overrides choose
//                                                 the lever (model.channelsLast=true, model.precision=bf16).
//   cluster <n> <d> <k> <prototypes.json>         our PCA(32, whiten) + k-means (k-means++, 10 restarts) time and inertia on
//                                                 random unit prototypes, written for scikit-learn to repeat; twice, the
//                                                 first ("cold") with the process's JIT and libtorch start-up in it.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "segment": Segment(args[1], int.Parse(args[2]), int.Parse(args[3]), args[4], args[5..]); return 0;
    case "cluster": Cluster(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4]); return 0;
    default: Console.Error.WriteLine("usage: SegmentBench segment <preset> <size> <images> <out.json> | cluster <n> <d> <k> <out.json>"); return 2;
}

static void Segment(string preset, int size, int count, string outJson, string[] overrides)
{
    // Random weights: nothing to load, and so nothing to freeze (the default recipe freezes its packaged early layers).
    var config = Presets.Load(preset, ["model.pretraining=none", "model.freezeEarlyLayers=false", .. overrides]);
    random.manual_seed(1);
    using var model = new SegmentationModel(config.Model);
    var masks = Enumerable.Range(0, 24).Select(_ => new ByteRaster(4, 4, Enumerable.Repeat((byte)1, 16).ToArray())).ToList();
    var truth = Enumerable.Range(0, 24).Select(i => new ByteRaster(4, 4, Enumerable.Repeat((byte)(1 + i % 20), 16).ToArray())).ToList();
    int dim = config.Model.EmbeddingDim;   // small embeds in 4-d
    var clusters = KMeansProtocol.Evaluate(randn(24, dim), masks, truth, new ClusteringProtocolOptions(NumClasses: 21, Seeds: [1], PcaComponents: Math.Min(16, dim)));
    using var bundle = ModelBundle.Create(model, config, size, clusters, null, null, 0);
    var writer = new SegmentationWriter(bundle, "bench");
    var images = Enumerable.Range(0, count).Select(i =>
    {
        var (image, _) = SyntheticDataset.RenderOne(new SyntheticOptions(Width: size, Height: size, Seed: 3), i);
        return ImageCodec.EncodeJpeg(image);
    }).ToList();
    writer.Process("warmup.jpg", images[0]);
    var labels = new List<byte[]>();
    var clock = Stopwatch.StartNew();
    foreach (var (bytes, i) in images.Select((b, i) => (b, i))) labels.Add(writer.Process($"{i}.jpg", bytes).Files[SegmentationOutputs.LabelMap]);
    double seconds = clock.Elapsed.TotalSeconds;
    File.WriteAllBytes(outJson + ".labels", labels.SelectMany(png => ImageCodec.DecodeRgb(png, "labels.png").Rgb.Where((_, i) => i % 3 == 0)).ToArray());
    File.WriteAllText(outJson, JsonSerializer.Serialize(new { model = JsonDocument.Parse(Presets.ToJson(config)).RootElement.GetProperty("model"), size, count }));
    Console.WriteLine(JsonSerializer.Serialize(new { side = "csharp", preset, size, variant = string.Join(" ", overrides), bf16 = bundle.Model.UsesBf16(TorchSharp.DeviceType.CPU), images = count, imagesPerSecond = count / seconds, msPerImage = 1000 * seconds / count }));
}

static void Cluster(int n, int d, int k, string outJson)
{
    random.manual_seed(7);
    using var prototypes = nn.functional.normalize(randn(n, d), dim: 1);
    var cold = PcaKMeans(prototypes, k);   // the first call in the process: JIT and libtorch's first SVD included
    var warm = PcaKMeans(prototypes, k);
    File.WriteAllText(outJson, JsonSerializer.Serialize(new { prototypes = Enumerable.Range(0, n).Select(i => prototypes[i].data<float>().ToArray()).ToArray(), k }));
    Console.WriteLine(JsonSerializer.Serialize(new { side = "csharp", n, d, k, coldSeconds = cold.Seconds, seconds = warm.Seconds, inertia = warm.Inertia }));
}

static (double Seconds, double Inertia) PcaKMeans(Tensor prototypes, int k)
{
    var clock = Stopwatch.StartNew();
    var pca = Pca.Fit(prototypes, Math.Min(32, (int)prototypes.shape[1]));
    using var projected = pca.Transform(prototypes);
    var flat = projected.data<double>().ToArray();
    var features = new double[flat.Length / pca.ComponentCount, pca.ComponentCount];
    Buffer.BlockCopy(flat, 0, features, 0, flat.Length * sizeof(double));
    var km = KMeans.Fit(features, new KMeansOptions(k, Seed: 1234, Restarts: 10));
    return (clock.Elapsed.TotalSeconds, km.Inertia);
}
