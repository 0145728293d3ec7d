using MaskContrast.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Model;

/// <summary>
/// A dilated ResNet trunk (conv1 … layer4, no avgpool/fc), input [B, 3, H, W] ImageNet-normalised float32,
/// output [B, C, H/s, W/s] with s the output stride (paper: ResNet-50, C = 2048, s = 8).
/// State-dict keys are torchvision's (conv1.*, bn1.*, layer1.0.conv1.*, …).
/// </summary>
public sealed class Backbone : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the PyTorch state-dict keys
    private readonly Module<Tensor, Tensor> conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4;
#pragma warning restore IDE1006

    // The network's own input convention, when it is not ImageNet normalisation (the ML.NET ResNet wants BGR 0–255).
    private readonly Func<Tensor, Tensor>? _input;

    /// <summary>Channels of the last stage.</summary>
    public long OutChannels { get; }

    private Backbone(ResNetStages s, Func<Tensor, Tensor>? input = null) : base(nameof(Backbone))
    {
        _input = input;
        (conv1, bn1, relu, maxpool) = (s.Conv1, s.Bn1, s.Relu, s.MaxPool);
        (layer1, layer2, layer3, layer4) = (s.Layer1, s.Layer2, s.Layer3, s.Layer4);
        OutChannels = s.OutChannels;
        RegisterComponents();
    }

    public static (bool, bool, bool) Dilation(OutputStride stride) => stride switch
    {
        OutputStride.Eight => (false, true, true),
        OutputStride.Sixteen => (false, false, true),
        OutputStride.ThirtyTwo => (false, false, false),
        _ => throw new ArgumentOutOfRangeException(nameof(stride), stride, "output stride must be 8, 16 or 32"),
    };

    /// <summary>Builds the configured trunk. Bottleneck ResNets come from TorchVision; BasicBlock ones are ours (dilation support).</summary>
    public static Backbone Create(ModelConfig config)
    {
        var dilate = Dilation(config.OutputStride);
        return config.Backbone switch
        {
            BackboneName.ResNet50 => FromTorchVision(torchvision.models.resnet50(replace_stride_with_dilation: dilate), 2048),
            BackboneName.ResNet101 => FromTorchVision(torchvision.models.resnet101(replace_stride_with_dilation: dilate), 2048),
            BackboneName.ResNet18 or BackboneName.ResNet34 => InitLikeTorchVision(new Backbone(BasicBlockResNet.Build(BasicBlockResNet.Blocks(config.Backbone), 64, dilate))),
            BackboneName.MlNetResNet18 => InitLikeTorchVision(new Backbone(BasicBlockResNet.Build(ImageNetResNet18.Blocks, 64, dilate), ImageNetResNet18.ToNetworkInput)),
            BackboneName.Narrow => InitLikeTorchVision(new Backbone(BasicBlockResNet.Build(BasicBlockResNet.Blocks(BackboneName.Narrow), config.NarrowWidth, dilate))),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Backbone, $"model.backbone must be one of {string.Join(", ", ConfigNames.All<BackboneName>())}"),
        };
    }

    // TorchVision's ResNet keeps its layers private and its forward always runs avgpool+fc, so take its children by name.
    static Backbone FromTorchVision(Module resnet, long outChannels)
    {
        var c = resnet.named_children().ToDictionary(p => p.name, p => (Module<Tensor, Tensor>)p.module);
        return new Backbone(new ResNetStages(c["conv1"], c["bn1"], c["relu"], c["maxpool"],
            c["layer1"], c["layer2"], c["layer3"], c["layer4"], outChannels));
    }

    // torchvision's ResNet init: Kaiming-normal (fan_out, relu) convs, BatchNorm γ = 1, β = 0.
    static Backbone InitLikeTorchVision(Backbone b)
    {
        using var _ = no_grad();
        foreach (var (_, m) in b.named_modules())
        {
            if (m is Conv2d conv) init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            else if (m is BatchNorm2d bn) { init.ones_(bn.weight); init.zeros_(bn.bias); }
        }
        return b;
    }

    /// <summary>The stem and first two stages, frozen by the supervised-saliency configuration.</summary>
    public IEnumerable<Module> EarlyLayers => [conv1, bn1, layer1, layer2];

    /// <param name="x">[B, 3, H, W] ImageNet-normalised RGB, for every backbone.</param>
    public override Tensor forward(Tensor x) => layer4.call(ThroughLayer3(x));

    /// <summary>The output of layer3: mid-level features (parts, textures) that the proposal check clusters.</summary>
    public Tensor ThroughLayer3(Tensor x) => ThroughLayers2And3(x).Layer3;

    /// <summary>The outputs of layer2 and layer3.</summary>
    public (Tensor Layer2, Tensor Layer3) ThroughLayers2And3(Tensor x)
    {
        if (_input is not null) x = _input(x);
        x = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        var l2 = layer2.call(layer1.call(x));
        return (l2, layer3.call(l2));
    }
}
