using MaskContrast.Core.Config;

namespace MaskContrast.Core.Training;

/// <summary>Learning rate at a given point of training.</summary>
public static class LearningRateSchedule
{
    /// <param name="epoch">0-based epoch index.</param>
    /// <param name="step">0-based step inside the epoch.</param>
    public static double At(OptimizerConfig o, int epoch, int epochs, int step, int stepsPerEpoch)
    {
        long global = (long)epoch * stepsPerEpoch + step, total = (long)epochs * stepsPerEpoch;
        if (global < o.WarmupSteps) return o.LearningRate * (global + 1) / o.WarmupSteps;
        return o.Scheduler switch
        {
            // Official: set once at the start of each epoch, lr·(1 − e/E)^0.9 (pretrain/utils/utils.py adjust_learning_rate).
            SchedulerName.Poly => o.LearningRate * Math.Pow(1 - (double)epoch / epochs, o.PolyPower),
            SchedulerName.Cosine => 0.5 * o.LearningRate * (1 + Math.Cos(Math.PI * (global - o.WarmupSteps) / Math.Max(1, total - o.WarmupSteps))),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Scheduler, "optimizer.scheduler must be poly or cosine"),
        };
    }
}
