using MaskContrast.Core.Config;
using MaskContrast.Core.Data.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Training;

/// <summary>A batch of query and key views: images [B, 3, S, S] float32, masks [B, S, S] float32 0/1.</summary>
public sealed record PairBatch(Tensor QueryImages, Tensor QueryMasks, Tensor KeyImages, Tensor KeyMasks) : IDisposable
{
    public void Dispose() { QueryImages.Dispose(); QueryMasks.Dispose(); KeyImages.Dispose(); KeyMasks.Dispose(); }

    public PairBatch To(Device device) => device.type == DeviceType.CPU ? this
        : new PairBatch(QueryImages.to(device), QueryMasks.to(device), KeyImages.to(device), KeyMasks.to(device));
}

/// <summary>
/// Draws the batches of an epoch: a seeded permutation per epoch (drop_last) and, for every slot, two views that both
/// satisfy the foreground-fraction rule; after <see cref="DataConfig.ViewTriesPerImage"/> failed tries another random
/// image is drawn (pretrain/data/dataloaders/dataset.py DatasetKeyQuery). Every draw comes from a stream named by
/// (seed, epoch, step, slot), so any batch can be rebuilt without replaying the ones before it.
/// </summary>
public sealed class PairBatchSampler(TrainingSet set, DataConfig data, int batchSize, int seed)
{
    private readonly ViewAugmenter _augmenter = new(data);

    public int StepsPerPass => set.Count / batchSize;

    public PairBatch Build(int epoch, int step)
    {
        if (set.Count < batchSize)
            throw new InvalidDataException($"the dataset has {set.Count} usable images but schedule.batchSize is {batchSize}; use a smaller batch or more images");
        using var scope = NewDisposeScope();
        // Steps beyond one pass continue into the next permutation of the same epoch.
        int pass = step / StepsPerPass, offset = (step % StepsPerPass) * batchSize;
        var order = new DeterministicRandom(seed, epoch, pass, -1).Permutation(set.Count);
        var views = new (AugmentedView Q, AugmentedView K)[batchSize];
        for (int slot = 0; slot < batchSize; slot++)
            views[slot] = DrawPair(order[offset + slot], new DeterministicRandom(seed, epoch, step, slot));
        var batch = new PairBatch(
            stack(views.Select(v => v.Q.Image)), stack(views.Select(v => v.Q.Mask)),
            stack(views.Select(v => v.K.Image)), stack(views.Select(v => v.K.Mask)));
        return new PairBatch(batch.QueryImages.MoveToOuterDisposeScope(), batch.QueryMasks.MoveToOuterDisposeScope(),
            batch.KeyImages.MoveToOuterDisposeScope(), batch.KeyMasks.MoveToOuterDisposeScope());
    }

    private (AugmentedView, AugmentedView) DrawPair(int index, DeterministicRandom rng)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0 && attempt % data.ViewTriesPerImage == 0) index = rng.NextInt(set.Count);
            if (attempt > 1000)
                throw new InvalidDataException($"no view pair with a foreground fraction in ({data.MinForeground}, {data.MaxForeground}) after 1000 tries; check the masks or data.minForeground/maxForeground");
            var (image, mask) = set.Load(index);
            var key = _augmenter.Apply(image, mask, rng);
            var query = _augmenter.Apply(image, mask, rng);
            if (Keep(key.Mask) && Keep(query.Mask)) return (query, key);
            key.Dispose();
            query.Dispose();
        }
    }

    private bool Keep(Tensor mask)
    {
        double f = mask.mean().item<float>();
        return f > data.MinForeground && f < data.MaxForeground;
    }
}
