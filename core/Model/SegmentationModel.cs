using MaskContrast.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Model;

/// <summary>Output of <see cref="SegmentationModel"/> at input resolution.</summary>
/// <param name="Embeddings">[B, D, H, W] float32, not normalised.</param>
/// <param name="SaliencyLogits">[B, H, W] float32 logits of the object mask.</param>
/// <param name="Features">[B, C, h, w] decoder output before the heads (C = 256 in the paper); kept only when asked for.</param>
public sealed record SegmentationOutput(Tensor Embeddings, Tensor SaliencyLogits, Tensor? Features = null) : IDisposable
{
    public void Dispose()
    {
        Embeddings.Dispose();
        SaliencyLogits.Dispose();
        Features?.Dispose();
    }
}

/// <summary>
/// The MaskContrast network: dilated ResNet → DeepLabv3 decoder → 1×1 embedding head (D = 32) and 1×1 saliency head
/// (no bias), both bilinearly upsampled to the input size. Input [B, 3, H, W] float32, ImageNet-normalised.
/// Keys match the official checkpoints: backbone.*, decoder.0.convs.{0..4}, decoder.0.project, decoder.{1,2}, head,
/// classification_head (wvangansbeke/Unsupervised-Semantic-Segmentation pretrain/modules/models.py).
/// </summary>
public sealed class SegmentationModel : Module<Tensor, SegmentationOutput>
{
#pragma warning disable IDE1006 // field names are the PyTorch state-dict keys
    private readonly Backbone backbone;
    private readonly Sequential decoder;
    private readonly Conv2d head;
    private readonly Conv2d classification_head;
#pragma warning restore IDE1006

    public ModelConfig Config { get; }

    public SegmentationModel(ModelConfig config) : base(nameof(SegmentationModel))
    {
        Config = config;
        backbone = Backbone.Create(config);
        long c = config.DecoderChannels;
        // torchvision DeepLabHead with its last 1×1 conv moved out to `head` (decoder.4 becomes Identity).
        decoder = Sequential(
            ("0", new Aspp(backbone.OutChannels, config.AsppRates, c, config.Dropout)),
            ("1", Conv2d(c, c, 3, padding: 1, bias: false)),
            ("2", BatchNorm2d(c)),
            ("3", ReLU()),
            ("4", Identity()));
        head = Conv2d(c, config.EmbeddingDim, 1);
        classification_head = Conv2d(c, 1, 1, bias: false);
        RegisterComponents();
    }

    public Backbone Backbone => backbone;
    public Sequential Decoder => decoder;
    public Conv2d SaliencyHead => classification_head;

    public override SegmentationOutput forward(Tensor input) => Forward(input, keepFeatures: false);

    /// <summary>
    /// Runs the network; with <paramref name="keepFeatures"/> the 256-d decoder output is returned too (linear probe).
    /// <c>model.channelsLast</c> and <c>model.precision</c> choose how it computes; the outputs are float32 either way.
    /// </summary>
    public SegmentationOutput Forward(Tensor input, bool keepFeatures)
    {
        using var scope = NewDisposeScope();
        long h = input.shape[2], w = input.shape[3];
        using var autocast = UsesBf16(input.device_type) ? Bf16Autocast.Enter(input.device_type) : null;
        var x = Config.ChannelsLast ? ToChannelsLast(input) : input;
        var features = decoder.call(backbone.call(x));                                      // [B, C, h/s, w/s]
        var emb = Upsample(head.call(features), h, w).to_type(float32);                     // [B, D, H, W]
        var sal = Upsample(classification_head.call(features), h, w).squeeze(1).to_type(float32);   // [B, H, W]
        return new SegmentationOutput(emb.MoveToOuterDisposeScope(), sal.MoveToOuterDisposeScope(),
            keepFeatures ? features.to_type(float32).MoveToOuterDisposeScope() : null);
    }

    /// <summary>Whether a forward on <paramref name="device"/> runs under bfloat16 autocast: asked for by
    /// <c>model.precision</c> and supported there (<see cref="Bf16Autocast.IsAvailable"/>); float32 otherwise.</summary>
    public bool UsesBf16(DeviceType device) => Config.Precision == ComputePrecision.Bf16 && Bf16Autocast.IsAvailable(device);

    // The layout contiguous(memory_format=channels_last) gives in Python (TorchSharp 0.107 has no memory_format): the same
    // [B, C, H, W] tensor stored as NHWC. Convolutions, BatchNorm, pooling and upsampling keep that layout for their outputs.
    static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    static Tensor Upsample(Tensor x, long h, long w) =>
        functional.interpolate(x, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Parameter counts per part, as printed by <c>maskcontrast model</c>.</summary>
    public ParameterCounts CountParameters()
    {
        static long Count(Module m) => m.parameters().Sum(p => p.numel());
        // The official split: decoder without its last conv is all of `decoder` here (that conv is `head`).
        return new ParameterCounts(Count(backbone), Count(decoder), Count(head), Count(classification_head));
    }
}

/// <summary>Parameter counts of the parts of <see cref="SegmentationModel"/>.</summary>
public sealed record ParameterCounts(long Backbone, long Decoder, long Head, long SaliencyHead)
{
    public long Total => Backbone + Decoder + Head + SaliencyHead;
}
