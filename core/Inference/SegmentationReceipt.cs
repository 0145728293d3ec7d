using System.Reflection;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Inference;

/// <summary>
/// Which model made a segmentation, trained on what, written into every segmentation's JSON: enough to answer "which
/// model made this mask" long after the model was replaced.
/// </summary>
/// <param name="Model">How the caller names the model (the bundle's file, or <c>{path}@{sha256}</c> in the cloud).</param>
/// <param name="BundleSha256">SHA-256 of the bundle file's bytes, lowercase hex.</param>
/// <param name="Run">The run that trained it (null for bundles made outside a run).</param>
/// <param name="Epoch">The epoch whose checkpoint it holds.</param>
/// <param name="Dataset">The dataset it was trained on, when recorded.</param>
/// <param name="DatasetFingerprint">SHA-256 over the training images' ids and contents (<see cref="Data.DatasetFingerprint"/>), when recorded.</param>
/// <param name="InferenceSize">The square size images were segmented at.</param>
/// <param name="Assignment">One cluster per image or per object.</param>
/// <param name="TrainedWith">Code version that evaluated and bundled the model (assembly informational version, with the commit).</param>
/// <param name="SegmentedWith">Code version that made this segmentation.</param>
public sealed record SegmentationReceipt(string? Model, string BundleSha256, string? Run, int Epoch, string? Dataset, string? DatasetFingerprint,
    int InferenceSize, ClusterAssignment Assignment, string? TrainedWith, string SegmentedWith)
{
    /// <summary>The receipt of segmentations made with <paramref name="bundle"/>, whose file hashes to <paramref name="bundleSha256"/>.</summary>
    public static SegmentationReceipt For(ModelBundle bundle, string bundleSha256, string? model)
    {
        var m = bundle.Manifest;
        return new SegmentationReceipt(model, bundleSha256, m.SourceRun, m.Epoch, m.Dataset, m.DatasetFingerprint, m.EvalSize, m.Assignment,
            m.CodeVersion, CodeVersion);
    }

    /// <summary>This build's version: <c>1.0.0+{commit}</c> when built from a git checkout.</summary>
    public static string CodeVersion { get; } =
        typeof(SegmentationReceipt).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
