using System.Collections.Concurrent;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// A scripted <see cref="IPipelineEngine"/>: records every call in order, writes tiny checkpoints and masks through the
/// store like the real engine would, and can fail once, fail permanently, or hold an epoch until released.
/// </summary>
internal sealed class FakePipelineEngine(IArtifactStore store, int imageCount) : IPipelineEngine
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentDictionary<int, int> _failuresLeft = new();

    /// <summary>Calls in the order they happened, e.g. "ListImages", "CheckProposals", "Shard:0", "Train:1", "Evaluate", "Publish".</summary>
    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <summary>When set, ListImages throws this (e.g. a non-retryable "empty dataset").</summary>
    public Exception? ListImagesFailure { get; set; }

    /// <summary>When set, TrainEpoch for <see cref="HeldEpoch"/> waits for this before finishing (or failing, see <see cref="FailEpoch"/>).</summary>
    public TaskCompletionSource? HoldEpoch { get; set; }
    public int HeldEpoch { get; set; }

    /// <summary>Completed when the held epoch has started.</summary>
    public TaskCompletionSource HeldEpochStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs whose held epoch fails for good (<see cref="NonRetryablePipelineException"/>) once it is released.</summary>
    public ConcurrentDictionary<string, bool> FailHeldEpochOf { get; } = new();

    /// <summary>Makes TrainEpoch(<paramref name="epoch"/>) throw a transient error <paramref name="times"/> times.</summary>
    public void FailEpoch(int epoch, int times) => _failuresLeft[epoch] = times;

    public static double LossOf(int epoch) => 2.0 / epoch;

    public static double SecondsOf(int epoch) => 10 * epoch;

    public Task<IReadOnlyList<string>> ListImagesAsync(string dataset, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue("ListImages");
        if (ListImagesFailure is not null)
            throw ListImagesFailure;
        return Task.FromResult<IReadOnlyList<string>>(Enumerable.Range(0, imageCount).Select(i => $"img_{i:D3}").ToList());
    }

    public Task<ProposalCheck?> CheckProposalsAsync(string runId, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue("CheckProposals");
        return Task.FromResult<ProposalCheck?>(new ProposalCheck(false, 0.25, "fake check: MB+ kept"));
    }

    public async Task<ProposalShardSummary> GenerateProposalsShardAsync(string runId, ProposalShard shard, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"Shard:{shard.Index}");
        foreach (var id in shard.ImageIds)
            await store.WriteBytesAsync(RunLayout.ProposalMask(runId, id), new byte[] { 1 }, cancellationToken);
        return new ProposalShardSummary(shard.Index, shard.ImageIds.Count, shard.ImageIds.Count, []);
    }

    public async Task<EpochResult> TrainEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"Train:{epoch}");
        if (HoldEpoch is not null && epoch == HeldEpoch)
        {
            HeldEpochStarted.TrySetResult();
            await HoldEpoch.Task;
            if (FailHeldEpochOf.ContainsKey(runId))
                throw new NonRetryablePipelineException($"Simulated bad input in epoch {epoch} of {runId}.");
        }
        if (_failuresLeft.TryGetValue(epoch, out var left) && left > 0)
        {
            _failuresLeft[epoch] = left - 1;
            throw new IOException($"Simulated transient storage error in epoch {epoch}.");
        }
        // The real engine reads the previous checkpoint; make sure the orchestration ran the epochs in order.
        if (epoch > 1 && !await store.ExistsAsync(RunLayout.Checkpoint(runId, epoch - 1), cancellationToken))
            throw new InvalidOperationException($"Epoch {epoch} started before the checkpoint of epoch {epoch - 1} existed.");
        await store.WriteBytesAsync(RunLayout.Checkpoint(runId, epoch), BitConverter.GetBytes(epoch), cancellationToken);
        return new EpochResult(epoch, LossOf(epoch), LossOf(epoch) * 0.75, LossOf(epoch) * 0.25, SecondsOf(epoch));
    }

    public async Task<EvalResult> EvaluateAsync(string runId, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue("Evaluate");
        var report = RunLayout.EvalFile(runId, "report.md");
        await store.WriteBytesAsync(report, "# report"u8.ToArray(), cancellationToken);
        return new EvalResult(0.42, 21, report);
    }

    public async Task<ModelLocation> PublishModelAsync(string runId, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue("Publish");
        var path = RunLayout.ModelFile(runId, "model.bin");
        await store.WriteBytesAsync(path, new byte[] { 7, 7 }, cancellationToken);
        return new ModelLocation(path, (await store.ComputeSha256Async(path, cancellationToken))!);
    }
}
