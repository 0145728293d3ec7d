using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Model;

/// <summary>
/// ResNet layers built from BasicBlocks (ResNet-18/-34, the ML.NET ResNet-18 [2,2,2,3] and a narrow ResNet-10) that, unlike TorchVision's BasicBlock,
/// accept dilation, so the last stages can keep their resolution as in the paper's dilated backbone.
/// Field names follow torchvision (conv1, bn1, conv2, bn2, downsample.0/1) so state dicts exchange by key.
/// </summary>
internal sealed class DilatedBasicBlock : Module<Tensor, Tensor>
{
    public const int Expansion = 1;
#pragma warning disable IDE1006 // field names are the PyTorch state-dict keys
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006

    public DilatedBasicBlock(long inPlanes, long planes, long stride, long dilation, Module<Tensor, Tensor>? downsample)
        : base(nameof(DilatedBasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var identity = downsample is null ? x : downsample.call(x);
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        return y.add_(identity).relu_();
    }
}

/// <summary>Builds the four stages of a BasicBlock ResNet with torchvision's stride-to-dilation rule.</summary>
internal static class BasicBlockResNet
{
    /// <summary>Blocks per stage for each supported depth.</summary>
    public static int[] Blocks(BackboneName backbone) => backbone switch
    {
        BackboneName.ResNet18 => [2, 2, 2, 2],
        BackboneName.ResNet34 => [3, 4, 6, 3],
        BackboneName.Narrow => [1, 1, 1, 1],
        _ => throw new ArgumentOutOfRangeException(nameof(backbone), backbone, "not a BasicBlock backbone"),
    };

    public static ResNetStages Build(int[] blocks, int width, (bool, bool, bool) dilate)
    {
        long inPlanes = width, dilation = 1;
        Sequential Layer(long planes, int count, long stride, bool useDilation)
        {
            long previousDilation = dilation;
            if (useDilation) { dilation *= stride; stride = 1; }
            Module<Tensor, Tensor>? down = null;
            if (stride != 1 || inPlanes != planes * DilatedBasicBlock.Expansion)
                down = Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
            var list = new List<Module<Tensor, Tensor>> { new DilatedBasicBlock(inPlanes, planes, stride, previousDilation, down) };
            inPlanes = planes;
            for (int i = 1; i < count; i++) list.Add(new DilatedBasicBlock(inPlanes, planes, 1, dilation, null));
            return Sequential(list);
        }

        var stages = new ResNetStages(
            Conv2d(3, width, 7, stride: 2, padding: 3, bias: false), BatchNorm2d(width), ReLU(inplace: true),
            MaxPool2d(3, stride: 2, padding: 1),
            Layer(width, blocks[0], 1, false),
            Layer(width * 2, blocks[1], 2, dilate.Item1),
            Layer(width * 4, blocks[2], 2, dilate.Item2),
            Layer(width * 8, blocks[3], 2, dilate.Item3),
            width * 8);
        return stages;
    }
}

/// <summary>The children of a ResNet trunk, avgpool/fc excluded.</summary>
internal sealed record ResNetStages(
    Module<Tensor, Tensor> Conv1, Module<Tensor, Tensor> Bn1, Module<Tensor, Tensor> Relu, Module<Tensor, Tensor> MaxPool,
    Module<Tensor, Tensor> Layer1, Module<Tensor, Tensor> Layer2, Module<Tensor, Tensor> Layer3, Module<Tensor, Tensor> Layer4,
    long OutChannels);
