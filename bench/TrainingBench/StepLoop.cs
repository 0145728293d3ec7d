using System.Diagnostics;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Loss;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

namespace MaskContrast.Bench;

/// <summary>Times of the measured steps of one process, in milliseconds (warm-up steps excluded).</summary>
/// <param name="Build">PairBatchSampler.Build: both augmented views of every slot, stacked.</param>
/// <param name="Train">Trainer.Step: query fwd/bwd, momentum update, key fwd, loss, SGD, enqueue.</param>
/// <param name="Phases">With --profile only: ms per phase of the step, summed over the measured steps.</param>
/// <param name="Parameters">Parameters of the query encoder, to check that the PyTorch twin builds the same network.</param>
/// <param name="Bf16">Whether the forward passes ran under bfloat16 autocast (asked for and supported by this CPU).</param>
public sealed record StepTimes(double[] Build, double[] Train, Dictionary<string, double>? Phases, long Parameters, bool Bf16);

/// <summary>Runs the product's training step (the same calls as <see cref="Trainer.TrainEpoch"/>) and times it.</summary>
public static class StepLoop
{
    public static StepTimes Run(BenchConfig bench, int warmup, int steps, bool profile)
    {
        var config = bench.Resolve();
        var set = new TrainingSet(new VocDataset(bench.DatasetRoot(), "train"));
        using var trainer = new Trainer(config, CPU);
        var sampler = new PairBatchSampler(set, config.Data, config.Schedule.BatchSize, config.Schedule.Seed);
        var phases = profile ? new Dictionary<string, double>() : null;
        double lr = config.Optimizer.LearningRate;
        var (build, train) = (new List<double>(), new List<double>());
        for (int s = 0; s < warmup + steps; s++)
        {
            var clock = Stopwatch.StartNew();
            using var batch = sampler.Build(0, s);
            double b = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var rng = new DeterministicRandom(config.Schedule.Seed, 0, s, -2);
            if (profile && s >= warmup) ProfiledStep(trainer, batch, phases!);
            else trainer.Step(batch, lr, rng);
            if (s < warmup) continue;
            build.Add(b);
            train.Add(clock.Elapsed.TotalMilliseconds);
        }
        return new StepTimes([.. build], [.. train], phases, trainer.Model.Query.CountParameters().Total, trainer.Model.Query.UsesBf16(TorchSharp.DeviceType.CPU));
    }

    /// <summary>
    /// Trainer.Step split into timed phases with public calls. Not the product path: it uses its own SGD (same settings)
    /// because the trainer's optimiser is internal, so only its phase shares are reported, never its total.
    /// </summary>
    static void ProfiledStep(Trainer trainer, PairBatch batch, Dictionary<string, double> phases)
    {
        var (model, c) = (trainer.Model, trainer.Config);
        s_sgd ??= optim.SGD(model.Query.parameters().Where(p => p.requires_grad), c.Optimizer.LearningRate,
            c.Optimizer.Momentum, weight_decay: c.Optimizer.WeightDecay);
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        void Lap(string phase) { phases[phase] = phases.GetValueOrDefault(phase) + clock.Elapsed.TotalMilliseconds; clock.Restart(); }

        s_sgd.zero_grad();
        var q = model.Query.forward(batch.QueryImages);
        Lap("query forward");
        model.MomentumUpdate(c.Moco.Momentum);
        Lap("momentum update");
        // The key forward twice, to compare the two ways of turning autograd off (issue 17): inference mode, and no_grad,
        // which the trainer uses (inference mode was no faster). BN running statistics move twice; it is a profile.
        using (inference_mode())
            _ = MaskContrastLoss.KeyPrototypes(model.Key.forward(batch.KeyImages).Embeddings, batch.KeyMasks);
        Lap("key forward (inference mode)");
        Tensor prototypes;
        using (no_grad())
            prototypes = MaskContrastLoss.KeyPrototypes(model.Key.forward(batch.KeyImages).Embeddings, batch.KeyMasks);
        Lap("key forward");
        var terms = MaskContrastLoss.Compute(q.Embeddings, q.SaliencyLogits, batch.QueryMasks, prototypes,
            model.Queue.clone(), c.Moco.Temperature, c.Moco.SaliencyWeight, c.Moco.SaliencyLoss == SaliencyLoss.Balanced);
        Lap("loss");
        terms.Total.backward();
        Lap("backward");
        s_sgd.step();
        Lap("sgd");
        model.Enqueue(prototypes);
        _ = terms.Total.item<float>();
        Lap("enqueue");
    }

    static TorchSharp.Modules.SGD? s_sgd;
}
