namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Settings of the linear-classifier protocol (<see cref="LinearProbe"/>). Defaults are the paper values from
/// wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/configs/linear_finetune/*.yml.
/// </summary>
/// <param name="Size">FixedResize S×S of images and (nearest) labels; logits are upsampled to S×S. Paper: 512.</param>
/// <param name="NumClasses">Classes including background; null = largest ground-truth label + 1 over both splits.</param>
/// <param name="Epochs">Training epochs. Paper: 60.</param>
/// <param name="BatchSize">Images per SGD step (the last incomplete batch is dropped, as drop_last). Paper: 16.</param>
/// <param name="LearningRate">Initial SGD learning rate. Paper: 0.1.</param>
/// <param name="Momentum">SGD momentum. Paper: 0.9.</param>
/// <param name="WeightDecay">SGD weight decay. Paper: 1e-4.</param>
/// <param name="DecayEpochs">The learning rate is multiplied by <paramref name="DecayRate"/> once for every entry e with epoch &gt; e. Paper: [25].</param>
/// <param name="DecayRate">Step factor. Paper: 0.1.</param>
/// <param name="HeldOutFraction">Part of the training split kept out of training to choose the epoch (ours; the official code chooses on val).</param>
/// <param name="Seed">Seeds the held-out split, the classifier init, the shuffle and the flips.</param>
/// <param name="Flip">Horizontal flip with p = 0.5 (paper: on).</param>
/// <param name="HalfPrecisionCache">Keep the cached frozen features as float16 (half the memory, see README).</param>
/// <param name="InferenceBatchSize">Images per forward pass of the frozen network when caching features.</param>
public sealed record LinearProbeOptions(
    int Size = 512,
    int? NumClasses = null,
    int Epochs = 60,
    int BatchSize = 16,
    double LearningRate = 0.1,
    double Momentum = 0.9,
    double WeightDecay = 1e-4,
    IReadOnlyList<int>? DecayEpochs = null,
    double DecayRate = 0.1,
    double HeldOutFraction = 0.1,
    int Seed = 0,
    bool Flip = true,
    bool HalfPrecisionCache = false,
    int InferenceBatchSize = 8)
{
    /// <summary>lr_decay_epochs of the official step scheduler.</summary>
    public static readonly IReadOnlyList<int> PaperDecayEpochs = [25];

    /// <summary><see cref="DecayEpochs"/>, or the paper's [25] when null.</summary>
    public IReadOnlyList<int> EffectiveDecayEpochs => DecayEpochs ?? PaperDecayEpochs;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Size is < 8 or > 2048) throw new ArgumentOutOfRangeException(nameof(Size), Size, "probe size must be in 8..2048 (paper: 512)");
        if (NumClasses is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "classes must be in 2..255 (VOC: 21)");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be at least 1 (paper: 60)");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1 (paper: 16)");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0 (paper: 0.1)");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "momentum must be in [0, 1) (paper: 0.9)");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be ≥ 0 (paper: 1e-4)");
        if (DecayRate is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(DecayRate), DecayRate, "decay rate must be in (0, 1] (paper: 0.1)");
        if (HeldOutFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "held-out fraction must be in (0, 1), e.g. 0.1");
        if (InferenceBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(InferenceBatchSize), InferenceBatchSize, "inference batch size must be at least 1");
    }
}
