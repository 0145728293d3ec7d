namespace MaskContrast.Core.Config;

/// <summary>Checks a <see cref="TrainingConfig"/> and reports every problem at once.</summary>
public static class ConfigValidator
{

    public static IReadOnlyList<string> Problems(TrainingConfig c)
    {
        var p = new List<string>();
        void Range(string name, double v, double lo, double hi, bool loOpen = false)
        {
            bool ok = (loOpen ? v > lo : v >= lo) && v <= hi && !double.IsNaN(v);
            if (!ok) p.Add($"{name} ({v}) must be in {(loOpen ? "(" : "[")}{lo}, {hi}]");
        }
        void OneOf<T>(string name, T v) where T : struct, Enum
        {
            if (!Enum.IsDefined(v)) p.Add($"{name} ({v}) must be one of {string.Join(", ", ConfigNames.All<T>())}");
        }

        var d = c.Data;
        Range("data.cropSize", d.CropSize, 16, 1024);
        Range("data.cropScaleMin", d.CropScaleMin, 0, 1, loOpen: true);
        Range("data.cropScaleMax", d.CropScaleMax, d.CropScaleMin, 1);
        Range("data.cropRatioMin", d.CropRatioMin, 0, 10, loOpen: true);
        Range("data.cropRatioMax", d.CropRatioMax, d.CropRatioMin, 10);
        Range("data.brightness", d.Brightness, 0, 1);
        Range("data.contrast", d.Contrast, 0, 1);
        Range("data.saturation", d.Saturation, 0, 1);
        Range("data.hue", d.Hue, 0, 0.5);
        Range("data.jitterProbability", d.JitterProbability, 0, 1);
        Range("data.grayscaleProbability", d.GrayscaleProbability, 0, 1);
        Range("data.flipProbability", d.FlipProbability, 0, 1);
        Range("data.channelPermutationProbability", d.ChannelPermutationProbability, 0, 1);
        Range("data.rotationDegrees", d.RotationDegrees, 0, 180);
        Range("data.minForeground", d.MinForeground, 0, 1);
        Range("data.maxForeground", d.MaxForeground, d.MinForeground, 1, loOpen: true);
        Range("data.viewTriesPerImage", d.ViewTriesPerImage, 1, 100);

        var m = c.Model;
        OneOf("model.backbone", m.Backbone);
        OneOf("model.pretraining", m.Pretraining);
        OneOf("model.precision", m.Precision);
        Range("model.narrowWidth", m.NarrowWidth, 4, 256);
        if (!Enum.IsDefined(m.OutputStride)) p.Add($"model.outputStride ({m.OutputStride}) must be Eight, Sixteen or ThirtyTwo");
        if (m.AsppRates is not { Length: 3 } || m.AsppRates.Any(r => r < 1 || r > 64))
            p.Add($"model.asppRates ([{EchoText.Shorten(string.Join(", ", m.AsppRates ?? []))}]) must be three rates in [1, 64]");
        Range("model.decoderChannels", m.DecoderChannels, 8, 1024);
        Range("model.dropout", m.Dropout, 0, 0.95);
        Range("model.embeddingDim", m.EmbeddingDim, 2, 1024);
        if (m.FreezeEarlyLayers && m.Pretraining == PretrainingSource.None)
            p.Add("model.freezeEarlyLayers (true) needs pretrained weights: freezing randomly initialised layers stops them from learning; set model.pretraining to imagenet or moco");
        if ((m.Pretraining == PretrainingSource.MlNetImageNet) != (m.Backbone == BackboneName.MlNetResNet18) && m.Pretraining != PretrainingSource.None)
            p.Add(m.Pretraining == PretrainingSource.MlNetImageNet
                ? $"model.pretraining (mlnet-imagenet) holds weights for model.backbone=mlnet-resnet18 only, not {m.Backbone.JsonName()}"
                : $"model.pretraining ({m.Pretraining.JsonName()}) loads TorchVision/MoCo files, which do not fit model.backbone=mlnet-resnet18; use mlnet-imagenet or none");

        var o = c.Optimizer;
        OneOf("optimizer.name", o.Name);
        Range("optimizer.learningRate", o.LearningRate, 0, 10, loOpen: true);
        Range("optimizer.momentum", o.Momentum, 0, o.Name == OptimizerName.AdamW ? 0.9999 : 1);
        Range("optimizer.weightDecay", o.WeightDecay, 0, 1);
        OneOf("optimizer.scheduler", o.Scheduler);
        Range("optimizer.polyPower", o.PolyPower, 0, 10);
        Range("optimizer.warmupSteps", o.WarmupSteps, 0, 1_000_000);

        var k = c.Moco;
        Range("moco.temperature", k.Temperature, 0, 10, loOpen: true);
        Range("moco.momentum", k.Momentum, 0, 1);
        Range("moco.queueSize", k.QueueSize, 0, 1_000_000);
        Range("moco.saliencyWeight", k.SaliencyWeight, 0, 100);
        OneOf("moco.saliencyLoss", k.SaliencyLoss);

        var e = c.Evaluation;
        if (e.Size != 0) Range("evaluation.size", e.Size, 16, 2048);
        OneOf("evaluation.assignment", e.Assignment);

        var s = c.Schedule;
        Range("schedule.epochs", s.Epochs, 1, ScheduleConfig.MaxEpochs);
        if (s.BatchSize < 2)
            p.Add($"schedule.batchSize ({s.BatchSize}) must be at least 2: BatchNorm needs more than one value per channel in training (TorchSharp silently mis-computes it at 1)");
        else Range("schedule.batchSize", s.BatchSize, 2, 4096);
        Range("schedule.stepsPerEpoch", s.StepsPerEpoch, 0, 1_000_000);
        if (s.BatchSize >= 2 && k.QueueSize > 0 && k.QueueSize % s.BatchSize != 0)
            p.Add($"moco.queueSize ({k.QueueSize}) must be a multiple of schedule.batchSize ({s.BatchSize}) so that the queue pointer wraps cleanly");
        return p;
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every problem, or returns the config unchanged.</summary>
    public static TrainingConfig Validate(TrainingConfig config)
    {
        var problems = Problems(config);
        return problems.Count == 0 ? config : throw new ConfigException(problems);
    }
}
