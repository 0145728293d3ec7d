using MaskContrast.Core.Data;
using MaskContrast.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The linear-classifier protocol (method spec §6.2): a 1×1 conv from the frozen C-d decoder features (256 in the paper,
/// before the embedding and saliency heads) to K classes, logits upsampled bilinearly to the S×S labels, cross-entropy
/// with 255 ignored, SGD with a step schedule. The network never changes: it runs once per image in eval mode under
/// <c>no_grad</c> and its features are cached (<see cref="ProbeFeatures"/>), so an epoch costs one 1×1 conv per image.
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/linear_finetune.py (decoder.4 re-initialised
/// N(0, 0.01) with bias 0, whole model in eval(), step schedule) except that the epoch is chosen on a held-out part of
/// the training split, not on val; the val-selected number is reported too, labelled as such.
/// </remarks>
public static class LinearProbe
{
    /// <summary>Init std of the classifier weight (official: decoder.4 weight normal_(0, 0.01), bias zero).</summary>
    public const double InitStd = 0.01;

    /// <summary>
    /// Caches features of <paramref name="train"/> and <paramref name="evaluation"/>, holds out
    /// <see cref="LinearProbeOptions.HeldOutFraction"/> of the training ids, trains and scores.
    /// </summary>
    /// <param name="model">The frozen network (moved to no other device; its parameters and buffers are left untouched).</param>
    /// <param name="train">Labelled training split (VOC: trainaug / train).</param>
    /// <param name="evaluation">Labelled evaluation split (VOC: val); must share no id with <paramref name="train"/>.</param>
    public static LinearProbeResult Run(SegmentationModel model, IImageDataset train, IImageDataset evaluation, LinearProbeOptions options,
        IProgress<LinearProbeEpoch>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var overlap = train.Ids.Intersect(evaluation.Ids).Take(3).ToList();
        if (overlap.Count > 0)
        {
            throw new ArgumentException($"the evaluation split shares images with the training split (e.g. {string.Join(", ", overlap)}); use disjoint splits such as train and val", nameof(evaluation));
        }

        var (fitIds, heldOutIds) = HeldOutSplit(train.Ids, options.HeldOutFraction, options.Seed);
        var all = new List<ProbeSample>();
        try
        {
            List<ProbeSample> Extract(IImageDataset d, IReadOnlyList<string> ids, bool flip)
            {
                var s = ProbeFeatures.Extract(model, d, ids, options.Size, flip, options.HalfPrecisionCache, options.InferenceBatchSize, cancellationToken);
                all.AddRange(s);
                return s;
            }

            var fit = Extract(train, fitIds, options.Flip);
            var heldOut = Extract(train, heldOutIds, flip: false);
            var eval = Extract(evaluation, evaluation.Ids, flip: false);
            int classes = options.NumClasses ?? ModelEvaluation.DetectClasses([.. all.Select(s => s.Labels)])
                ?? throw new InvalidDataException("every ground-truth pixel is 255; give LinearProbeOptions.NumClasses");
            var device = model.parameters().First().device;
            var result = Train(fit, heldOut, eval, classes, options, device, progress, cancellationToken);
            return result with { TrainIds = fitIds, HeldOutIds = heldOutIds };
        }
        finally
        {
            foreach (var s in all) s.Dispose();
        }
    }

    /// <summary>
    /// Splits <paramref name="ids"/> into a fitting part and a held-out part of <c>max(1, round(fraction · n))</c> ids,
    /// chosen by a seeded shuffle; both keep the input order.
    /// </summary>
    public static (IReadOnlyList<string> Fit, IReadOnlyList<string> HeldOut) HeldOutSplit(IReadOnlyList<string> ids, double fraction, int seed)
    {
        if (ids.Count < 2) throw new ArgumentOutOfRangeException(nameof(ids), ids.Count, "the training split needs at least 2 images (one to fit, one held out)");
        int count = Math.Clamp((int)Math.Round(fraction * ids.Count), 1, ids.Count - 1);
        var order = Enumerable.Range(0, ids.Count).ToArray();
        new Random(seed).Shuffle(order);
        var held = order.Take(count).ToHashSet();
        return (ids.Where((_, i) => !held.Contains(i)).ToList(), ids.Where((_, i) => held.Contains(i)).ToList());
    }

    /// <summary>
    /// Learning rate of a 0-based epoch: <c>lr · rate^(number of decay epochs d with epoch &gt; d)</c>. With the paper
    /// values, epochs 0–25 use 0.1 and 26–59 use 0.01 (official step scheduler, lr_decay_epochs [25]).
    /// </summary>
    public static double LearningRateAt(int epoch, LinearProbeOptions options) =>
        options.LearningRate * Math.Pow(options.DecayRate, options.EffectiveDecayEpochs.Count(d => epoch > d));

    /// <summary>
    /// Trains the classifier on cached samples (all features [C, h, w] of one C and h×w, all labels S×S) and scores every
    /// epoch on <paramref name="heldOut"/> and, when given, <paramref name="evaluation"/>. The samples are not disposed.
    /// </summary>
    public static LinearProbeResult Train(IReadOnlyList<ProbeSample> train, IReadOnlyList<ProbeSample> heldOut,
        IReadOnlyList<ProbeSample>? evaluation, int numClasses, LinearProbeOptions options, Device? device = null,
        IProgress<LinearProbeEpoch>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("no training samples", nameof(train));
        if (heldOut.Count == 0) throw new ArgumentException("no held-out samples: the epoch is chosen on them", nameof(heldOut));
        if (numClasses is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "classes must be in 2..255 (VOC: 21)");
        device ??= CPU;
        int channels = (int)train[0].Features.shape[0];

        using var classifier = nn.Conv2d(channels, numClasses, 1);                  // official decoder.4
        using (NewDisposeScope())
        using (no_grad())
        {
            using var generator = new Generator((ulong)options.Seed);
            var w = classifier.weight!;
            w.copy_(normal(0, InitStd, w.shape, generator: generator));
            classifier.bias!.zero_();
        }

        classifier.to(device);
        using var optimizer = optim.SGD(classifier.parameters(), options.LearningRate, options.Momentum, weight_decay: options.WeightDecay);
        var random = new Random(options.Seed);
        var epochs = new List<LinearProbeEpoch>();
        var heldOutScores = new List<SegmentationScores>();
        var evalScores = new List<SegmentationScores>();
        (float[] Weight, float[] Bias)? best = null;
        int bestEpoch = -1;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double lr = LearningRateAt(epoch, options);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            double loss = TrainEpoch(classifier, optimizer, train, options, random, device, cancellationToken);

            var h = Score(classifier, heldOut, numClasses, options.BatchSize, device);
            var e = evaluation is { Count: > 0 } ? Score(classifier, evaluation, numClasses, options.BatchSize, device) : null;
            heldOutScores.Add(h);
            if (e is not null) evalScores.Add(e);
            var record = new LinearProbeEpoch(epoch, lr, loss, h.MeanIoU, e?.MeanIoU);
            epochs.Add(record);
            progress?.Report(record);
            if (bestEpoch < 0 || h.MeanIoU > heldOutScores[bestEpoch].MeanIoU)
            {
                bestEpoch = epoch;
                best = (ToArray(classifier.weight!), ToArray(classifier.bias!));
            }
        }

        int? officialEpoch = evalScores.Count > 0 ? evalScores.IndexOf(evalScores.MaxBy(s => s.MeanIoU)!) : null;
        return new LinearProbeResult(epochs, bestEpoch, heldOutScores[bestEpoch], evalScores.Count > 0 ? evalScores[bestEpoch] : null,
            officialEpoch, officialEpoch is int oe ? evalScores[oe].MeanIoU : null, numClasses, channels,
            best!.Value.Weight, best.Value.Bias, [], []);
    }

    /// <summary>A 1×1 conv holding the classifier of <paramref name="result"/>, for segmenting with the probe (owned by the caller).</summary>
    public static Conv2d Classifier(LinearProbeResult result)
    {
        var conv = nn.Conv2d(result.Channels, result.NumClasses, 1);
        using (NewDisposeScope())
        using (no_grad())
        {
            conv.weight!.copy_(tensor(result.Weight, [result.NumClasses, result.Channels, 1, 1]));
            conv.bias!.copy_(tensor(result.Bias, [result.NumClasses]));
        }

        return conv;
    }

    static double TrainEpoch(Conv2d classifier, optim.Optimizer optimizer, IReadOnlyList<ProbeSample> train, LinearProbeOptions options,
        Random random, Device device, CancellationToken cancellationToken)
    {
        classifier.train();
        var order = Enumerable.Range(0, train.Count).ToArray();
        random.Shuffle(order);
        // drop_last as the official loader, but a split smaller than one batch still gives one step.
        int batches = Math.Max(1, train.Count / options.BatchSize);
        double total = 0;
        int steps = 0;
        for (int b = 0; b < batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var features = new List<Tensor>();
            var labels = new List<Tensor>();
            foreach (int i in order.Skip(b * options.BatchSize).Take(options.BatchSize))
            {
                var s = train[i];
                bool flip = s.FlippedFeatures is not null && random.NextDouble() < 0.5;
                var y = LabelTensor(s.Labels);                                       // [S, S]
                features.Add(flip ? s.FlippedFeatures! : s.Features);
                labels.Add(flip ? y.flip(1) : y);
            }

            var target = stack(labels).to(device);                                  // [B, S, S] int64
            if (target.ne(SegmentationMeter.IgnoreIndex).sum().item<long>() == 0) continue;   // all void: CE would be NaN
            var logits = Logits(classifier, stack(features).to(device), target.shape[1], target.shape[2]);   // [B, K, S, S]
            var loss = nn.functional.cross_entropy(logits, target, ignore_index: SegmentationMeter.IgnoreIndex);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
            steps++;
        }

        return steps == 0 ? double.NaN : total / steps;
    }

    static SegmentationScores Score(Conv2d classifier, IReadOnlyList<ProbeSample> samples, int numClasses, int batchSize, Device device)
    {
        classifier.eval();
        var meter = new SegmentationMeter(numClasses);
        using var noGrad = no_grad();
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = samples.Skip(start).Take(batchSize).ToList();
            var labels = batch[0].Labels;
            var logits = Logits(classifier, stack(batch.Select(s => s.Features)).to(device), labels.Height, labels.Width);   // [B, K, S, S]
            var predicted = logits.argmax(1).to_type(uint8).cpu().contiguous();    // [B, S, S]
            var values = predicted.data<byte>().ToArray();
            int pixels = labels.PixelCount;
            for (int i = 0; i < batch.Count; i++)
                meter.Update(values.AsSpan(i * pixels, pixels), batch[i].Labels.Values);
        }

        return meter.Scores();
    }

    static Tensor Logits(Conv2d classifier, Tensor features, long height, long width)
    {
        var logits = classifier.call(features.to_type(float32));                   // [B, K, h, w]
        return nn.functional.interpolate(logits, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    static Tensor LabelTensor(ByteRaster labels) =>
        tensor(labels.Values, [labels.Height, labels.Width]).to_type(int64);        // [S, S]

    static float[] ToArray(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to_type(float32).contiguous().data<float>().ToArray();
    }
}
