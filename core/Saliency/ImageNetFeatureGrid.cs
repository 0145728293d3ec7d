using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

namespace MaskContrast.Core.Saliency;

/// <summary>
/// Frozen layer3 features of the packaged ImageNet ResNet-18 (<see cref="ImageNetResNet18"/>, output stride 8) on a
/// square resize of an image: one unit-length 256-d vector per cell of a <see cref="GridSide"/>² grid. Used to check
/// proposals against what recurs across a dataset; the network is never trained here.
/// </summary>
public sealed class ImageNetFeatureGrid : IDisposable
{
    private readonly Backbone _backbone;

    /// <param name="inputSize">Side of the square resize (a multiple of 8).</param>
    /// <param name="onnxPath">The packaged network (default: next to the program).</param>
    public ImageNetFeatureGrid(int inputSize = 256, string? onnxPath = null)
    {
        if (inputSize < 64 || inputSize % 8 != 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "the feature grid's input must be a multiple of 8, at least 64");
        InputSize = inputSize;
        _backbone = Backbone.Create(new ModelConfig { Backbone = BackboneName.MlNetResNet18, OutputStride = OutputStride.Eight });
        var state = ImageNetResNet18.ReadStateDict(onnxPath ?? ImageNetResNet18.OnnxPath);
        _backbone.load_state_dict(state);
        foreach (var t in state.Values) t.Dispose();
        _backbone.eval();
    }

    /// <summary>Side of the square resize.</summary>
    public int InputSize { get; }

    /// <summary>Cells per side of the grid.</summary>
    public int GridSide => InputSize / 8;

    /// <summary>Channels per cell.</summary>
    public const int Channels = 256;

    /// <summary>[<see cref="GridSide"/>² × <see cref="Channels"/>] row-major (cell by cell), each row of unit length.</summary>
    public float[] Features(RgbImage image)
    {
        // One image at a time: proposal workers call this from several threads, and libtorch parallelises each forward itself.
        lock (_backbone)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = ImageTensors.FixedResize(image, InputSize).unsqueeze(0);
            var f = _backbone.ThroughLayer3(x)[0];                                   // [C, g, g]
            var rows = nn.functional.normalize(f.reshape(f.shape[0], -1).t(), dim: 1);
            return rows.contiguous().data<float>().ToArray();
        }
    }

    /// <summary>Frees the network and trims the native heap: a pipeline builds one grid per proposal shard, and the
    /// weights and forward buffers freed on the shards' threads otherwise stay in glibc's per-thread arenas (a VOC-sized
    /// run reached 3 GB resident in its proposal stage, nearly all of it in 64 MB arenas).</summary>
    public void Dispose()
    {
        _backbone.Dispose();
        NativeHeap.Trim();
    }
}
