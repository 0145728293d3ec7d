using MaskContrast.Core.Config;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Model;

public class ContrastiveModelTests
{
    static ContrastiveModel Tiny(int queue) => new(Presets.Load("tiny").Model, queue);

    [Fact]
    public void NewModel_KeyEncoderEqualsQueryAndHasNoGrad()
    {
        using var m = Tiny(8);
        var q = m.Query.state_dict();
        foreach (var (name, t) in m.Key.state_dict()) Assert.True(t.eq(q[name]).all().item<bool>(), name);
        Assert.All(m.Key.parameters(), p => Assert.False(p.requires_grad));
        // The queue starts as unit columns
        AssertAllClose(ones(8), m.Queue.norm(0), 1e-5);
    }

    [Fact]
    public void StateDict_UsesOfficialTopLevelKeys()
    {
        using var m = Tiny(8);
        var keys = m.state_dict().Keys.ToList();
        Assert.Contains("queue", keys);
        Assert.Contains("queue_ptr", keys);
        Assert.Contains("model_q.backbone.conv1.weight", keys);
        Assert.Contains("model_k.classification_head.weight", keys);
    }

    [Fact]
    public void MomentumUpdate_MovesKeyParametersOnly()
    {
        using var m = Tiny(8);
        using (no_grad())
        {
            foreach (var p in m.Query.parameters()) p.fill_(1);
            foreach (var p in m.Key.parameters()) p.fill_(0);
            foreach (var (_, b) in m.Query.named_buffers()) if (b.is_floating_point()) b.fill_(5);
        }
        m.MomentumUpdate(0.9);   // θk = 0.9·0 + 0.1·1
        Assert.All(m.Key.parameters(), p => Assert.Equal(0.1f, p.mean().item<float>(), 6));
        // Buffers (BN running stats) are not copied: running_var of the key stays 1
        var runVar = m.Key.named_buffers().First(b => b.name.EndsWith("running_var")).buffer;
        Assert.Equal(1f, runVar.mean().item<float>(), 6);
    }

    [Fact]
    public void Enqueue_WritesAtPointerAndWraps()
    {
        using var m = Tiny(4);
        var a = tensor(new float[] { 1, 2 }).reshape(2, 1).expand(2, 32).contiguous();   // two prototypes [B=2, D=32]: all 1s and all 2s
        m.Enqueue(a);
        Assert.Equal(2, m.QueuePointer);
        Assert.Equal(1f, m.Queue[.., 0].mean().item<float>());
        Assert.Equal(2f, m.Queue[.., 1].mean().item<float>());
        m.Enqueue(a * 3);
        Assert.Equal(0, m.QueuePointer);   // 4 % 4
        Assert.Equal(6f, m.Queue[.., 3].mean().item<float>());
        m.Enqueue(a * 5);                  // wrapped: overwrites columns 0 and 1
        Assert.Equal(5f, m.Queue[.., 0].mean().item<float>());
        Assert.Equal(3f, m.Queue[.., 2].mean().item<float>());
    }

    [Fact]
    public void Enqueue_BatchNotDividingQueue_Throws()
    {
        using var m = Tiny(5);
        Assert.Throws<InvalidOperationException>(() => m.Enqueue(ones(2, 32)));
    }

    static void AssertAllClose(Tensor expected, Tensor actual, double tol) =>
        Assert.True(expected.allclose(actual, atol: tol), $"expected {expected.ToString(TorchSharp.TensorStringStyle.Julia)} got {actual.ToString(TorchSharp.TensorStringStyle.Julia)}");
}
