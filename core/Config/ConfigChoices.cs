using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace MaskContrast.Core.Config;

// The options of a configuration that take one of a few names. In JSON (presets, stored configurations, --set values)
// they keep the spelling of the official yml files; in code they are compared as enums, never as strings.

/// <summary><c>model.backbone</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackboneName>))]
public enum BackboneName
{
    /// <summary>TorchVision's bottleneck ResNet-50 (paper).</summary>
    [JsonStringEnumMemberName("resnet50")] ResNet50,
    /// <summary>TorchVision's bottleneck ResNet-101.</summary>
    [JsonStringEnumMemberName("resnet101")] ResNet101,
    /// <summary>TorchVision's ResNet-18.</summary>
    [JsonStringEnumMemberName("resnet18")] ResNet18,
    /// <summary>TorchVision's ResNet-34.</summary>
    [JsonStringEnumMemberName("resnet34")] ResNet34,
    /// <summary>The ResNet-18 variant with three blocks in layer4 whose ImageNet weights ship with ML.NET.</summary>
    [JsonStringEnumMemberName("mlnet-resnet18")] MlNetResNet18,
    /// <summary>Our narrow dilated BasicBlock ResNet (width <see cref="ModelConfig.NarrowWidth"/>).</summary>
    [JsonStringEnumMemberName("narrow")] Narrow,
}

/// <summary><c>model.pretraining</c>: where the initial backbone weights come from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PretrainingSource>))]
public enum PretrainingSource
{
    /// <summary>Random initialisation.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>A TorchVision ImageNet state dict the user brings.</summary>
    [JsonStringEnumMemberName("imagenet")] ImageNet,
    /// <summary>A MoCo v2 checkpoint the user brings.</summary>
    [JsonStringEnumMemberName("moco")] Moco,
    /// <summary>The ImageNet ResNet of the NuGet package restored with the build (no file needed).</summary>
    [JsonStringEnumMemberName("mlnet-imagenet")] MlNetImageNet,
}

/// <summary><c>model.precision</c>: the number format of the network's convolutions and matrix products.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ComputePrecision>))]
public enum ComputePrecision
{
    /// <summary>float32 throughout (official).</summary>
    [JsonStringEnumMemberName("fp32")] Fp32,
    /// <summary>bfloat16 autocast for the forward pass where the device supports it (float32 weights, optimiser and loss);
    /// float32 elsewhere (<see cref="Model.Bf16Autocast"/>).</summary>
    [JsonStringEnumMemberName("bf16")] Bf16,
}

/// <summary><c>optimizer.name</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerName>))]
public enum OptimizerName
{
    /// <summary>SGD with momentum (official).</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,
    /// <summary>AdamW (decoupled weight decay).</summary>
    [JsonStringEnumMemberName("adamw")] AdamW,
}

/// <summary><c>optimizer.scheduler</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SchedulerName>))]
public enum SchedulerName
{
    /// <summary>lr·(1 − e/E)^power, set at each epoch start (official).</summary>
    [JsonStringEnumMemberName("poly")] Poly,
    /// <summary>Cosine per step, after warm-up.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
}

/// <summary><c>moco.saliencyLoss</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SaliencyLoss>))]
public enum SaliencyLoss
{
    /// <summary>BCE with the foreground weighted by the background fraction (official).</summary>
    [JsonStringEnumMemberName("balanced")] Balanced,
    /// <summary>Unweighted mean BCE (calibrated logits).</summary>
    [JsonStringEnumMemberName("plain")] Plain,
}

/// <summary><c>evaluation.assignment</c>: what gets one cluster.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClusterAssignment>))]
public enum ClusterAssignment
{
    /// <summary>One prototype and one cluster per image (official).</summary>
    [JsonStringEnumMemberName("image")] Image,
    /// <summary>One per connected component of the saliency mask, so that an image can hold several classes.</summary>
    [JsonStringEnumMemberName("object")] Object,
}

/// <summary>How object-mask proposals are made (<c>maskcontrast proposals --method</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProposalMethod>))]
public enum ProposalMethod
{
    /// <summary>MB+ saliency as it is.</summary>
    [JsonStringEnumMemberName("mbplus")] MbPlus,
    /// <summary>MB+ checked against clusters of ImageNet features over the whole dataset, refined by their vote where
    /// the two disagree (<see cref="Saliency.ClusterVote"/>; default).</summary>
    [JsonStringEnumMemberName("mbplus-clusters")] MbPlusClusters,
    /// <summary>Frequency-tuned saliency.</summary>
    [JsonStringEnumMemberName("ft")] Ft,
    /// <summary>The user's own masks.</summary>
    [JsonStringEnumMemberName("user")] User,
}

/// <summary>The JSON spelling of the configuration's enum values, for messages and listings.</summary>
public static class ConfigNames
{
    private static readonly ConcurrentDictionary<(Type, string), string> s_names = new();

    /// <summary>The value as written in JSON, e.g. <c>mlnet-resnet18</c>.</summary>
    public static string JsonName<T>(this T value) where T : struct, Enum => NameOf(typeof(T), value.ToString());

    /// <summary>Every value of <typeparamref name="T"/> as written in JSON.</summary>
    public static string[] All<T>() where T : struct, Enum => All(typeof(T));

    /// <summary>Every value of the enum <paramref name="type"/> as written in JSON.</summary>
    public static string[] All(Type type) => [.. Enum.GetNames(type).Select(member => NameOf(type, member))];

    private static string NameOf(Type type, string member) => s_names.GetOrAdd((type, member), key =>
        key.Item1.GetField(key.Item2)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? key.Item2);

    /// <summary>The value whose JSON spelling is <paramref name="name"/> (as the command line and --set give it).</summary>
    /// <exception cref="ArgumentException">No value is spelled so.</exception>
    public static T Parse<T>(string name) where T : struct, Enum
        => Enum.GetValues<T>().Where(v => v.JsonName() == name).Select(v => (T?)v).FirstOrDefault()
           ?? throw new ArgumentException($"'{name}' must be one of {string.Join(", ", All<T>())}", nameof(name));
}
