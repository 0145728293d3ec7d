namespace MaskContrast.Core.Training;

/// <summary>
/// The batches of one epoch in step order, built ahead of the training step: up to <c>threads</c> batches are being built
/// at once on thread-pool threads while the step runs, each by one thread. A batch depends only on (seed, epoch, step,
/// slot), so the order in which threads finish changes nothing and a resumed run still reproduces an uninterrupted one.
/// With 0 threads each batch is built on the caller's thread when it is taken.
/// </summary>
public sealed class PairBatchQueue : IDisposable
{
    readonly PairBatchSampler _sampler;
    readonly int _epoch, _steps, _threads;
    readonly Queue<(int Step, Task<PairBatch> Batch)> _building = new();
    int _nextToStart;

    public PairBatchQueue(PairBatchSampler sampler, int epoch, int steps, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        (_sampler, _epoch, _steps, _threads) = (sampler, epoch, steps, threads);
        for (int i = 0; i < threads; i++) StartNext();
    }

    /// <summary>The batch of <paramref name="step"/>, owned by the caller; steps must be taken in order.</summary>
    public PairBatch Take(int step)
    {
        if (_threads == 0) return _sampler.Build(_epoch, step);
        if (!_building.TryPeek(out var head) || head.Step != step)
            throw new InvalidOperationException($"step {step} was asked for out of order; the queue holds step {(_building.Count > 0 ? head.Step : _nextToStart)} next");
        _building.Dequeue();
        StartNext();
        return head.Batch.GetAwaiter().GetResult();   // a failed build (e.g. no view pair satisfies the masks) throws here
    }

    void StartNext()
    {
        if (_nextToStart >= _steps) return;
        int step = _nextToStart++;
        _building.Enqueue((step, Task.Run(() => _sampler.Build(_epoch, step))));
    }

    /// <summary>Waits for the batches still being built (an epoch left early) and frees them.</summary>
    public void Dispose()
    {
        while (_building.TryDequeue(out var pending))
        {
            try { pending.Batch.GetAwaiter().GetResult().Dispose(); }
            catch (Exception) { /* the epoch ends anyway; its failure, if any, was reported by Take */ }
        }
    }
}
