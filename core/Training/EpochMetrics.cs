namespace MaskContrast.Core.Training;

/// <summary>Means over the steps of one epoch. <see cref="Epoch"/> is 1-based (epoch 1 is the first).</summary>
public sealed record EpochMetrics(int Epoch, int Steps, double LearningRate, double Loss, double Contrastive, double Saliency,
    double Top1, double ChanceContrastive, double Seconds, double[] StepContrastive);

/// <summary>One optimiser step's numbers, reported as progress.</summary>
public sealed record StepMetrics(int Epoch, int Step, int Steps, double Loss, double Contrastive, double Saliency, double Top1);
