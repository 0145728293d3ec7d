using System.Diagnostics;
using MaskContrast.Core.Config;
using MaskContrast.Core.Loss;
using MaskContrast.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Training;

/// <summary>
/// MaskContrast pretraining, one epoch at a time: SGD (or AdamW) over the query encoder, momentum key encoder, queue of prototypes.
/// The state between epochs is exactly what a <see cref="Checkpoint"/> holds, so epochs can run in different processes.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;

    public TrainingConfig Config { get; }
    public ContrastiveModel Model { get; }
    public Device Device { get; }
    /// <summary>Number of finished epochs (0 before training).</summary>
    public int CompletedEpochs { get; private set; }
    public List<EpochMetrics> History { get; } = [];

    /// <param name="pretrainedWeights">The PyTorch file that model.pretraining (imagenet or moco) names; users bring it, nothing is downloaded.</param>
    public Trainer(TrainingConfig config, Device? device = null, string? pretrainedWeights = null)
        : this(config, device, pretrainedWeights, restoring: false) { }

    /// <summary>With <paramref name="restoring"/> the initial weights are left random: a checkpoint overwrites them next.</summary>
    internal Trainer(TrainingConfig config, Device? device, string? pretrainedWeights, bool restoring)
    {
        Config = ConfigValidator.Validate(config);
        Device = device ?? TorchRuntime.DefaultDevice;
        random.manual_seed(config.Schedule.Seed);   // same seed, same initial weights
        Model = new ContrastiveModel(config.Model, config.Moco.QueueSize);
        WeightImport = restoring ? null : ImportWeights(config.Model, pretrainedWeights);
        Model.to(Device);
        Model.SetTrainingMode(config.Model.FreezeEarlyLayers);
        var o = config.Optimizer;
        // Only the query encoder's trainable parameters: the key encoder has no gradients (as upstream, which passes all).
        var parameters = Model.Query.parameters().Where(p => p.requires_grad);
        _optimizer = o.Name == OptimizerName.AdamW
            ? optim.AdamW(parameters, o.LearningRate, beta1: o.Momentum, beta2: 0.999, weight_decay: o.WeightDecay)
            : optim.SGD(parameters, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Nesterov);
    }

    internal TorchSharp.Modules.OptimizerHelper Optimizer => _optimizer;

    /// <summary>What the pretrained-weight import loaded and left out, or null when training starts from random weights.</summary>
    public WeightImportReport? WeightImport { get; }

    private WeightImportReport? ImportWeights(ModelConfig model, string? path)
    {
        if (model.Pretraining == PretrainingSource.None)
            return path is null ? null
                : throw new ArgumentException($"a weight file was given ({path}) but model.pretraining is 'none'; set model.pretraining to imagenet or moco");
        if (model.Pretraining == PretrainingSource.MlNetImageNet)
        {
            if (path is not null)
                throw new ArgumentException($"a weight file was given ({path}) but model.pretraining is 'mlnet-imagenet', whose weights come with the build; " +
                    "set model.pretraining to imagenet or moco to load a file");
            var packaged = ImageNetResNet18.Load(Model.Query);
            Model.SyncKeyFromQuery();
            return packaged;
        }
        if (path is null)
            throw new ArgumentException($"model.pretraining is '{model.Pretraining.JsonName()}' but no weight file was given; pass the PyTorch file " +
                "(TorchVision ImageNet ResNet state dict or MoCo v2 checkpoint) or set model.pretraining=none");
        var report = PretrainedWeights.Load(Model.Query, path, model.Pretraining == PretrainingSource.Moco ? WeightFormat.Moco : WeightFormat.TorchVision);
        Model.SyncKeyFromQuery();
        return report;
    }

    internal void Restore(int completedEpochs, IEnumerable<EpochMetrics> history)
    {
        CompletedEpochs = completedEpochs;
        History.Clear();
        History.AddRange(history);
    }

    public int StepsPerEpoch(PairBatchSampler sampler) =>
        Config.Schedule.StepsPerEpoch > 0 ? Config.Schedule.StepsPerEpoch : sampler.StepsPerPass;

    /// <summary>Trains the next epoch and returns its metrics.</summary>
    public EpochMetrics TrainEpoch(TrainingSet set, IProgress<StepMetrics>? progress = null, CancellationToken cancellationToken = default)
    {
        int epoch = CompletedEpochs;   // 0-based index of the epoch being trained
        if (epoch >= Config.Schedule.Epochs)
            throw new InvalidOperationException($"all {Config.Schedule.Epochs} epochs are already trained");
        var sampler = new PairBatchSampler(set, Config.Data, Config.Schedule.BatchSize, Config.Schedule.Seed);
        int steps = StepsPerEpoch(sampler);
        Model.SetTrainingMode(Config.Model.FreezeEarlyLayers);
        var clock = Stopwatch.StartNew();
        double loss = 0, con = 0, sal = 0, top1 = 0, lr = 0;
        var curve = new double[steps];
        using var batches = new PairBatchQueue(sampler, epoch, steps, set.Streaming.LoaderThreads);
        for (int step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lr = LearningRateSchedule.At(Config.Optimizer, epoch, Config.Schedule.Epochs, step, steps);
            using var batch = batches.Take(step);
            var m = Step(batch.To(Device), lr, new DeterministicRandom(Config.Schedule.Seed, epoch, step, -2));
            loss += m.Loss; con += m.Contrastive; sal += m.Saliency; top1 += m.Top1;
            curve[step] = m.Contrastive;
            progress?.Report(m with { Epoch = epoch + 1, Step = step + 1, Steps = steps });
        }
        var metrics = new EpochMetrics(epoch + 1, steps, lr, loss / steps, con / steps, sal / steps, top1 / steps,
            Math.Log(Config.Schedule.BatchSize + Config.Moco.QueueSize), clock.Elapsed.TotalSeconds, curve);
        CompletedEpochs++;
        History.Add(metrics);
        NativeHeap.Trim();   // the epoch's batches and activations are freed
        return metrics;
    }

    /// <summary>One optimiser step (pretrain/utils/train_utils.py train): query forward, momentum update, key forward, loss, SGD, enqueue.</summary>
    public StepMetrics Step(PairBatch batch, double learningRate, DeterministicRandom rng)
    {
        using var scope = NewDisposeScope();
        if (batch.QueryImages.shape[0] < 2)
            throw new ArgumentException("a training batch needs at least 2 images: BatchNorm statistics of one image are degenerate");
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
        random.manual_seed((long)(rng.NextUInt64() >> 1));   // dropout masks drawn from the step's own stream

        _optimizer.zero_grad();
        var q = Model.Query.forward(batch.QueryImages);                   // [B, D, S, S], [B, S, S]
        Model.MomentumUpdate(Config.Moco.Momentum);                       // before the key forward, as upstream
        Tensor prototypes;
        // no_grad, not inference mode: inference mode was no faster here (bench/README.md "Speed levers") and its
        // prototypes would need a copy before the loss may save them for the backward.
        using (no_grad())
        {
            // Shuffle-BN only matters when BatchNorm statistics are per GPU; on one device the batch is one BN group.
            var k = Model.Key.forward(batch.KeyImages);
            prototypes = MaskContrastLoss.KeyPrototypes(k.Embeddings, batch.KeyMasks);   // [B, D]
        }
        var terms = MaskContrastLoss.Compute(q.Embeddings, q.SaliencyLogits, batch.QueryMasks, prototypes,
            Model.Queue.clone(), Config.Moco.Temperature, Config.Moco.SaliencyWeight, Config.Moco.SaliencyLoss == SaliencyLoss.Balanced);
        terms.Total.backward();
        _optimizer.step();
        Model.Enqueue(prototypes);
        return new StepMetrics(CompletedEpochs + 1, 0, 0, terms.Total.item<float>(), terms.Contrastive.item<float>(),
            terms.Saliency.item<float>(), terms.Top1);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
        NativeHeap.Trim();
    }
}
