using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Model;

/// <summary>
/// DeepLabv3 atrous spatial pyramid pooling with torchvision's layout and keys: convs.0 (1×1), convs.1–3 (3×3 atrous),
/// convs.4 (image pooling: 1 = conv, 2 = BN), project (1×1 conv, BN, ReLU, dropout).
/// Input [B, Cin, h, w] → output [B, C, h, w].
/// </summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the PyTorch state-dict keys
    private readonly ModuleList<Module<Tensor, Tensor>> convs;
    private readonly Sequential project;
#pragma warning restore IDE1006

    public Aspp(long inChannels, int[] rates, long channels, double dropout) : base(nameof(Aspp))
    {
        convs = new ModuleList<Module<Tensor, Tensor>>(
            Sequential(Conv2d(inChannels, channels, 1, bias: false), BatchNorm2d(channels), ReLU()));
        foreach (int rate in rates)
            convs.Add(Sequential(Conv2d(inChannels, channels, 3, padding: rate, dilation: rate, bias: false), BatchNorm2d(channels), ReLU()));
        convs.Add(new AsppPooling(inChannels, channels));
        project = Sequential(Conv2d(channels * (rates.Length + 2), channels, 1, bias: false), BatchNorm2d(channels), ReLU(), Dropout(dropout));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        project.call(cat(convs.Select(branch => branch.call(x)).ToArray(), dim: 1));   // [B, 5·C, h, w] → [B, C, h, w]
}

/// <summary>Global average pooling branch; children registered as "0".."3" like torchvision's nn.Sequential subclass.</summary>
internal sealed class AsppPooling : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _pool, _conv, _norm, _relu;

    public AsppPooling(long inChannels, long channels) : base(nameof(AsppPooling))
    {
        _pool = AdaptiveAvgPool2d(1);
        _conv = Conv2d(inChannels, channels, 1, bias: false);
        _norm = BatchNorm2d(channels);
        _relu = ReLU();
        register_module("0", _pool);
        register_module("1", _conv);
        register_module("2", _norm);
        register_module("3", _relu);
    }

    public override Tensor forward(Tensor x)
    {
        var y = _relu.call(_norm.call(_conv.call(_pool.call(x))));                         // [B, C, 1, 1]
        return functional.interpolate(y, [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
