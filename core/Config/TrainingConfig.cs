using System.Text.Json.Serialization;

namespace MaskContrast.Core.Config;

/// <summary>
/// Everything that defines a MaskContrast pretraining run, grouped like the official yml files
/// (wvangansbeke/Unsupervised-Semantic-Segmentation pretrain/configs/*.yml). Presets live in Config/Presets/*.json.
/// </summary>
public sealed record TrainingConfig
{
    public required DataConfig Data { get; init; }
    public required ModelConfig Model { get; init; }
    public required OptimizerConfig Optimizer { get; init; }
    public required MocoConfig Moco { get; init; }
    public required ScheduleConfig Schedule { get; init; }
    /// <summary>How the trained model is evaluated and applied; absent in configurations written before it existed (official values then).</summary>
    public EvaluationConfig Evaluation { get; init; } = new();
}

/// <summary>Augmentation and view selection. Official values are hard-coded in pretrain/utils/common_config.py.</summary>
public sealed record DataConfig
{
    /// <summary>Side of the square crop fed to the network (paper 224).</summary>
    public int CropSize { get; init; } = 224;
    /// <summary>RandomResizedCrop area range as a fraction of the image (paper 0.2–1.0).</summary>
    public double CropScaleMin { get; init; } = 0.2;
    public double CropScaleMax { get; init; } = 1.0;
    /// <summary>RandomResizedCrop aspect-ratio range (paper 3/4–4/3).</summary>
    public double CropRatioMin { get; init; } = 3.0 / 4.0;
    public double CropRatioMax { get; init; } = 4.0 / 3.0;
    /// <summary>ColorJitter strengths (paper 0.4, 0.4, 0.4, 0.1) applied with probability <see cref="JitterProbability"/> (0.8).</summary>
    public double Brightness { get; init; } = 0.4;
    public double Contrast { get; init; } = 0.4;
    public double Saturation { get; init; } = 0.4;
    public double Hue { get; init; } = 0.1;
    public double JitterProbability { get; init; } = 0.8;
    /// <summary>RandomGrayscale probability (paper 0.2).</summary>
    public double GrayscaleProbability { get; init; } = 0.2;
    /// <summary>Horizontal flip probability (paper 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Probability of a random permutation of the RGB channels (paper 0: not used). With random object colours,
    /// colour alone identifies an object across views; permuting channels per view removes that shortcut.</summary>
    public double ChannelPermutationProbability { get; init; }
    /// <summary>Each view is rotated by an angle drawn uniformly from ±this many degrees (paper 0: not used), image
    /// bilinear and mask nearest, corners filled with black background.</summary>
    public double RotationDegrees { get; init; }
    /// <summary>A view is kept only if its foreground fraction f satisfies Min &lt; f &lt; Max (official 0.01–0.99; the paper text says 10 %).</summary>
    public double MinForeground { get; init; } = 0.01;
    public double MaxForeground { get; init; } = 0.99;
    /// <summary>Tries on the same image before another random image is drawn (official 3).</summary>
    public int ViewTriesPerImage { get; init; } = 3;
}

/// <summary>Network shape (pretrain/utils/common_config.py::get_model).</summary>
public sealed record ModelConfig
{
    /// <summary>resnet50, resnet101 (TorchVision bottleneck ResNets), resnet18, resnet34, mlnet-resnet18 (the ResNet-18
    /// variant with three blocks in layer4 whose ImageNet weights ship with ML.NET) or narrow (own dilated BasicBlock ResNets).</summary>
    public BackboneName Backbone { get; init; } = BackboneName.ResNet50;
    /// <summary>Base width of the narrow backbone (ignored by the others).</summary>
    public int NarrowWidth { get; init; } = 16;
    /// <summary>Stride replaced by dilation in layer2, layer3, layer4. Paper (false, true, true) = output stride 8.</summary>
    public OutputStride OutputStride { get; init; } = OutputStride.Eight;
    /// <summary>ASPP atrous rates (DeepLabv3: 12, 24, 36).</summary>
    public int[] AsppRates { get; init; } = [12, 24, 36];
    /// <summary>ASPP and decoder width (256).</summary>
    public int DecoderChannels { get; init; } = 256;
    /// <summary>Dropout after the ASPP projection (0.5).</summary>
    public double Dropout { get; init; } = 0.5;
    /// <summary>Pixel embedding dimension (ndim 32).</summary>
    public int EmbeddingDim { get; init; } = 32;
    /// <summary>Initial backbone weights: none, imagenet (TorchVision state dict) or moco (MoCo v2 checkpoint), whose file is
    /// given at run time, or mlnet-imagenet (the ImageNet ResNet of a NuGet package restored with the build; no file needed).</summary>
    public PretrainingSource Pretraining { get; init; } = PretrainingSource.None;
    /// <summary>Freeze conv1/bn1/layer1/layer2 (supervised-saliency config: true).</summary>
    public bool FreezeEarlyLayers { get; init; }
    /// <summary>fp32 (official) or bf16: the forward pass under bfloat16 autocast on devices that support it, fp32 on
    /// others. Slower than fp32 on a CPU without AMX (bench/README.md "Speed levers"); meant for GPUs.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;
    /// <summary>Run convolutions on channels-last (NHWC) activations (not in the paper: false). The same float32 arithmetic
    /// in another order, so results differ from NCHW in the last bits only.</summary>
    public bool ChannelsLast { get; init; }
}

/// <summary><c>model.outputStride</c>, written by name (<c>Eight</c>, <c>Sixteen</c>, <c>ThirtyTwo</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputStride>))]
public enum OutputStride { Eight = 8, Sixteen = 16, ThirtyTwo = 32 }

/// <summary>SGD settings (pretrain/configs/*.yml optimizer_kwargs, scheduler poly).</summary>
public sealed record OptimizerConfig
{
    /// <summary>sgd (official) or adamw (decoupled weight decay; β1 = <see cref="Momentum"/>, β2 = 0.999).</summary>
    public OptimizerName Name { get; init; } = OptimizerName.Sgd;
    public double LearningRate { get; init; } = 0.004;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    public bool Nesterov { get; init; }
    /// <summary>poly (official: lr·(1 − e/E)^power, set at each epoch start) or cosine (per step, after warm-up).</summary>
    public SchedulerName Scheduler { get; init; } = SchedulerName.Poly;
    public double PolyPower { get; init; } = 0.9;
    /// <summary>Linear warm-up steps (not in the paper; 0 = off).</summary>
    public int WarmupSteps { get; init; }
}

/// <summary>Contrastive settings (moco_kwargs in the yml).</summary>
public sealed record MocoConfig
{
    /// <summary>Softmax temperature T (0.5).</summary>
    public double Temperature { get; init; } = 0.5;
    /// <summary>Key-encoder momentum m (0.999).</summary>
    public double Momentum { get; init; } = 0.999;
    /// <summary>Queue length K of past key prototypes (256 unsupervised config, 128 supervised); a multiple of the batch size.</summary>
    public int QueueSize { get; init; } = 256;
    /// <summary>Weight of the saliency loss (official 1).</summary>
    public double SaliencyWeight { get; init; } = 1.0;
    /// <summary>
    /// balanced (official: BCE with foreground weighted by the background fraction, which shifts the head's logits up by
    /// about ln(bg/fg) and so over-predicts foreground at the 0.5 evaluation threshold when objects are small) or plain
    /// (unweighted mean BCE, calibrated logits).
    /// </summary>
    public SaliencyLoss SaliencyLoss { get; init; } = SaliencyLoss.Balanced;
}

/// <summary>Run length and reproducibility.</summary>
public sealed record ScheduleConfig
{
    /// <summary>Most epochs a run may have: checkpoint names carry four digits (<c>epoch-NNNN</c>) so that they sort.</summary>
    public const int MaxEpochs = 9999;

    public int Epochs { get; init; } = 40;
    /// <summary>Global batch (128 unsupervised config, 64 supervised). Must be at least 2 (BatchNorm).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Optimiser steps per epoch; 0 = one pass over the dataset (drop_last).</summary>
    public int StepsPerEpoch { get; init; }
    public int Seed { get; init; } = 1;
}

/// <summary>How the K-means protocol and segmentation run (segmentation/utils/kmeans_utils.py and the eval configs).</summary>
public sealed record EvaluationConfig
{
    /// <summary>Side S of the square inference input (FixedResize S×S; official 512 for VOC). 0 = from the training scale:
    /// see <see cref="InferenceSize"/>.</summary>
    public int Size { get; init; } = 512;
    /// <summary>Whiten the PCA before k-means (official true). Whitening gives every one of the 32 directions the same
    /// variance, which on ImageNet features scales up instance detail until it hides the classes (README, measured).</summary>
    public bool Whiten { get; init; } = true;
    /// <summary>image (official: one prototype and one cluster per image) or object (one per connected component of the
    /// saliency mask, so that an image can hold several classes).</summary>
    public ClusterAssignment Assignment { get; init; } = ClusterAssignment.Image;
}
