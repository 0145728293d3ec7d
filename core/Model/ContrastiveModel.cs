using MaskContrast.Core.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Model;

/// <summary>
/// The MoCo-style pair: query encoder <c>model_q</c> (trained), key encoder <c>model_k</c> (momentum copy, no grad)
/// and the memory bank of past key prototypes <c>queue</c> [D, K] with its write pointer <c>queue_ptr</c>.
/// Keys match the official checkpoints without the DDP prefix (pretrain/modules/moco/builder.py).
/// </summary>
public sealed class ContrastiveModel : Module
{
#pragma warning disable IDE1006 // field names are the PyTorch state-dict keys
    private readonly SegmentationModel model_q;
    private readonly SegmentationModel model_k;
    private readonly Tensor queue;
    private readonly Tensor queue_ptr;
#pragma warning restore IDE1006

    public ContrastiveModel(ModelConfig model, int queueSize) : base(nameof(ContrastiveModel))
    {
        model_q = new SegmentationModel(model);
        model_k = new SegmentationModel(model);
        // Queue initialised randn and L2-normalised per column, as upstream.
        queue = functional.normalize(randn(model.EmbeddingDim, queueSize), dim: 0);   // [D, K]
        queue_ptr = zeros(1, dtype: int64);
        RegisterComponents();   // tensor fields become the buffers `queue` and `queue_ptr`
        SyncKeyFromQuery();
    }

    public SegmentationModel Query => model_q;
    public SegmentationModel Key => model_k;
    /// <summary>[D, K] past key prototypes, one per column.</summary>
    public Tensor Queue => queue;
    public long QueuePointer => queue_ptr.item<long>();
    public int QueueSize => (int)queue.shape[1];

    /// <summary>Makes the key encoder an exact copy of the query encoder (at start, and after importing weights); it never receives gradients.</summary>
    public void SyncKeyFromQuery()
    {
        using var _ = no_grad();
        var q = model_q.state_dict();
        foreach (var (name, tensor) in model_k.state_dict()) tensor.copy_(q[name]);
        foreach (var p in model_k.parameters()) p.requires_grad = false;
    }

    /// <summary>θ_k ← m·θ_k + (1 − m)·θ_q over parameters only; buffers (BN running stats) are not copied, as upstream.</summary>
    public void MomentumUpdate(double m)
    {
        using var _ = no_grad();
        foreach (var (pk, pq) in model_k.parameters().Zip(model_q.parameters()))
            pk.mul_(m).add_(pq.detach(), alpha: 1 - m);
    }

    /// <summary>Writes the batch's key prototypes [B, D] at the pointer and advances it modulo K (K % B == 0 by validation).</summary>
    public void Enqueue(Tensor prototypes)
    {
        using var _ = no_grad();
        long b = prototypes.shape[0], k = queue.shape[1];
        if (k == 0) return;
        if (k % b != 0) throw new InvalidOperationException($"queue size {k} is not a multiple of the batch size {b}");
        long ptr = queue_ptr.item<long>();
        queue.narrow(1, ptr, b).copy_(prototypes.detach().t());   // [D, B]
        queue_ptr.fill_((ptr + b) % k);
    }

    /// <summary>Both encoders in training mode; with <paramref name="freezeEarlyLayers"/> the stem and layer1–2 stay in eval (frozen BN).</summary>
    public void SetTrainingMode(bool freezeEarlyLayers)
    {
        model_q.train();
        model_k.train();   // the key encoder also runs with batch statistics, as upstream
        if (!freezeEarlyLayers) return;
        foreach (var m in model_q.Backbone.EarlyLayers.Concat(model_k.Backbone.EarlyLayers))
        {
            m.eval();
            foreach (var p in m.parameters()) p.requires_grad = false;
        }
    }
}
