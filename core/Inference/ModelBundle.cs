using System.IO.Compression;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Inference;

/// <summary>The JSON part of a bundle: everything but the network weights. <see cref="EvalSize"/> is the inference
/// resolution and <see cref="Assignment"/> whether clusters go to whole images (official) or to each object. The lineage
/// (<see cref="Dataset"/>, <see cref="DatasetFingerprint"/>, <see cref="CodeVersion"/>) is absent from bundles made
/// before it was recorded. <see cref="ClusterNames"/> are the names a user gave clusters (label → name).</summary>
public sealed record BundleManifest(
    int FormatVersion, string ConfigJson, int EvalSize,
    double[] PcaMean, double[][] PcaComponents, double[] PcaExplainedVariance, double[] PcaExplainedVarianceRatio, bool PcaWhiten,
    double[][] Centroids, int[] LabelToClass, string[]? ClassNames, string? SourceRun, int Epoch, ClusterAssignment Assignment = ClusterAssignment.Image,
    string? Dataset = null, string? DatasetFingerprint = null, string? CodeVersion = null, Dictionary<int, string>? ClusterNames = null);

/// <summary>
/// A trained model made usable on new images without the training data: the query encoder's weights, the PCA and
/// k-means centroids fitted by the evaluation, and (when ground truth was available) the cluster-to-class mapping.
/// One zip file: <c>manifest.json</c> + <c>model.bin</c> (TorchSharp state dict).
/// </summary>
public sealed class ModelBundle : IDisposable
{
    public const int FormatVersion = 1;
    public const string FileName = "model.mcbundle";

    public SegmentationModel Model { get; }
    public BundleManifest Manifest { get; }
    public Pca Pca { get; }
    public double[,] Centroids { get; }

    private ModelBundle(SegmentationModel model, BundleManifest manifest)
    {
        Model = model;
        Manifest = manifest;
        Pca = new Pca(manifest.PcaMean, To2D(manifest.PcaComponents), manifest.PcaExplainedVariance, manifest.PcaExplainedVarianceRatio, manifest.PcaWhiten);
        Centroids = To2D(manifest.Centroids);
        model.eval();
    }

    /// <summary>Number of object clusters (labels 1..K in a segmentation map; 0 is background).</summary>
    public int Clusters => Centroids.GetLength(0);

    /// <summary>Name of segmentation label <paramref name="label"/> (0 = background), or null when no ground truth was used.</summary>
    public string? ClassOf(int label) =>
        Manifest.ClassNames is { } names && label < Manifest.LabelToClass.Length && Manifest.LabelToClass[label] is var c && c >= 0 && c < names.Length
            ? names[c] : null;

    /// <summary>Bundles a copy of <paramref name="trained"/>'s weights (the caller keeps ownership of <paramref name="trained"/>).</summary>
    public static ModelBundle Create(SegmentationModel trained, TrainingConfig config, int evalSize, ClusteringProtocolResult clusters,
        string[]? classNames, string? sourceRun, int epoch, ClusterAssignment assignment = ClusterAssignment.Image)
    {
        var model = new SegmentationModel(config.Model);
        using (no_grad())
        {
            var source = trained.state_dict();
            foreach (var (name, t) in model.state_dict()) t.copy_(source[name].cpu());
        }
        var pca = clusters.Pca ?? throw new ArgumentException("the protocol result has no PCA (a chance-level result cannot be bundled)", nameof(clusters));
        var best = clusters.Best;
        var manifest = new BundleManifest(FormatVersion, Presets.ToJson(config), evalSize, pca.Mean, ToJagged(pca.Components),
            pca.ExplainedVariance, pca.ExplainedVarianceRatio, pca.Whiten, ToJagged(best.Centroids), best.LabelToClass, classNames, sourceRun, epoch, assignment,
            CodeVersion: SegmentationReceipt.CodeVersion);
        return new ModelBundle(model, manifest);
    }

    /// <summary>This bundle with class names for its cluster-to-class map (same weights, a new manifest); disposes nothing.</summary>
    public ModelBundle WithClassNames(string[] classNames) => new(Model, Manifest with { ClassNames = classNames });

    /// <summary>The name a user gave segmentation label <paramref name="label"/>, or null.</summary>
    public string? NameOf(int label) => Manifest.ClusterNames?.GetValueOrDefault(label);

    /// <summary>Longest cluster name accepted.</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// This bundle with <paramref name="names"/> (label → name) added to the names it has (a name replaces the label's old
    /// one; an empty name removes it); disposes nothing. Every problem is reported at once.
    /// </summary>
    /// <exception cref="ArgumentException">A label is not one of 1..<see cref="Clusters"/>, or a name is too long or has control characters.</exception>
    public ModelBundle WithClusterNames(IReadOnlyDictionary<int, string> names)
    {
        var problems = new List<string>();
        foreach (var (label, name) in names)
        {
            if (label < 1 || label > Clusters)
                problems.Add($"cluster {label} does not exist; this model has clusters 1..{Clusters}");
            if (name.Length > MaxNameLength || name.Any(char.IsControl))
                problems.Add($"the name of cluster {label} must be at most {MaxNameLength} printable characters");
        }
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(names));
        var merged = new Dictionary<int, string>(Manifest.ClusterNames ?? []);
        foreach (var (label, name) in names)
            if (name.Trim().Length == 0) merged.Remove(label); else merged[label] = name.Trim();
        return new(Model, Manifest with { ClusterNames = merged.Count == 0 ? null : merged });
    }

    /// <summary>The bundle's bytes (what <see cref="Save"/> writes).</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        Save(buffer);
        return buffer.ToArray();
    }

    /// <summary>This bundle with the dataset it was trained on and that dataset's <see cref="Data.DatasetFingerprint"/>; disposes nothing.</summary>
    public ModelBundle WithDataset(string dataset, string fingerprint) => new(Model, Manifest with { Dataset = dataset, DatasetFingerprint = fingerprint });

    /// <summary>Time stamp of every zip entry. A fixed one (and a fixed entry order) makes the bytes, and so the SHA-256
    /// that receipts and the active model record name, depend on the bundle's content only.</summary>
    public static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the bundle: byte for byte the same for the same weights and manifest.</summary>
    public void Save(Stream destination)
    {
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var manifest = zip.CreateEntry("manifest.json");
        manifest.LastWriteTime = EntryTime;
        using (var s = manifest.Open()) JsonSerializer.Serialize(s, Manifest, Presets.Json);
        var weights = zip.CreateEntry("model.bin", CompressionLevel.Fastest);
        weights.LastWriteTime = EntryTime;
        using (var s = weights.Open())
        using (var w = new BinaryWriter(s)) Model.save(w);
    }

    public void SaveFile(string path)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        using (var f = File.Create(tmp)) Save(f);
        File.Move(tmp, path, overwrite: true);
    }

    public static ModelBundle Load(Stream source, string name, Device? device = null)
    {
        try
        {
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            var manifest = ReadManifest(zip, name);
            var config = Presets.FromJson(manifest.ConfigJson);
            var model = new SegmentationModel(config.Model);
            var weights = zip.GetEntry("model.bin") ?? throw new InvalidDataException($"{name} has no model.bin");
            using (var s = weights.Open())
            using (var copy = new MemoryStream())
            {
                s.CopyTo(copy);
                copy.Position = 0;
                using var r = new BinaryReader(copy);
                model.load(r, strict: true);
            }
            if (device is { } d && d.type != DeviceType.CPU) model.to(d);
            return new ModelBundle(model, manifest);
        }
        catch (InvalidDataException e) when (IsNotAZip(e))
        {
            throw NotABundle(name, e);
        }
    }

    /// <summary>Only the manifest of a bundle (no weights, no libtorch): what a model's lineage shows.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a bundle this build reads.</exception>
    public static BundleManifest ReadManifest(Stream source, string name)
    {
        try
        {
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            return ReadManifest(zip, name);
        }
        catch (InvalidDataException e) when (IsNotAZip(e))
        {
            throw NotABundle(name, e);
        }
    }

    // What System.IO.Compression says when the bytes are no zip archive at all.
    static bool IsNotAZip(InvalidDataException e) =>
        e.Message.StartsWith("The archive", StringComparison.Ordinal) || e.Message.Contains("Central Directory");

    static InvalidDataException NotABundle(string name, InvalidDataException e) =>
        new($"{name} is not a MaskContrast model bundle (not a zip archive)", e);

    static BundleManifest ReadManifest(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException($"{name} has no manifest.json");
        BundleManifest manifest;
        try
        {
            using var s = entry.Open();
            manifest = JsonSerializer.Deserialize<BundleManifest>(s, Presets.Json) ?? throw new InvalidDataException($"{name}: empty manifest");
        }
        catch (JsonException e) { throw new InvalidDataException($"{name}: unreadable manifest ({JsonErrors.Describe(e)})", e); }
        if (manifest.FormatVersion != FormatVersion)
            throw new InvalidDataException($"{name} has bundle format {manifest.FormatVersion}; this build reads {FormatVersion}");
        return manifest;
    }

    /// <summary>SHA-256 of a bundle file, lowercase hex: the identity its segmentations' receipts carry.</summary>
    public static string Sha256OfFile(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }

    public static ModelBundle LoadFile(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model bundle '{path}' does not exist", path);
        using var f = File.OpenRead(path);
        return Load(f, Path.GetFileName(path), device);
    }

    static double[][] ToJagged(double[,] a) =>
        Enumerable.Range(0, a.GetLength(0)).Select(i => Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray()).ToArray();

    static double[,] To2D(double[][] a)
    {
        var r = new double[a.Length, a.Length == 0 ? 0 : a[0].Length];
        for (int i = 0; i < a.Length; i++) for (int j = 0; j < a[i].Length; j++) r[i, j] = a[i][j];
        return r;
    }

    public void Dispose() => Model.Dispose();
}
