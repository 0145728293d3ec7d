using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using MaskContrast.Core.Config;

namespace MaskContrast.Core.Model;

/// <summary>What a weight import did: which of the model's tensors were filled, which stayed at their initial values, and which file entries were not used.</summary>
public sealed record WeightImportReport(string Source, int Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> ShapeMismatches)
{
    public override string ToString() =>
        $"{Source}: loaded {Loaded} tensors; missing {Missing.Count}{List(Missing)}; unexpected {Unexpected.Count}{List(Unexpected)}; " +
        $"shape mismatches {ShapeMismatches.Count}{List(ShapeMismatches)}";

    static string List(IReadOnlyList<string> keys) => keys.Count == 0 ? "" : " (" + string.Join(", ", keys.Take(8)) + (keys.Count > 8 ? ", …" : "") + ")";
}

/// <summary>Formats of PyTorch weight files that can initialise a <see cref="SegmentationModel"/>.</summary>
public enum WeightFormat
{
    /// <summary>A TorchVision ImageNet ResNet state dict (conv1.*, layer1.*, fc.*): fills the backbone.</summary>
    TorchVision,
    /// <summary>A MoCo v2 checkpoint ({'state_dict': {'module.encoder_q.*'}}): fills the backbone.</summary>
    Moco,
    /// <summary>An official MaskContrast checkpoint ({'model': {'module.model_q.*', …}}): fills the whole query model.</summary>
    MaskContrast,
}

/// <summary>
/// Loads weights that users bring as PyTorch pickles (TorchSharp.PyBridge): nothing is downloaded. Keys are renamed
/// as the official code does (pretrain/utils/common_config.py load_pretrained_weights) and every key that was not
/// used or not found is reported rather than silently dropped.
/// </summary>
public static class PretrainedWeights
{
    public static WeightImportReport Load(SegmentationModel model, string path, WeightFormat format)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weight file '{path}' does not exist", path);
        Hashtable root;
        try { root = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a PyTorch state dict or checkpoint readable by TorchSharp.PyBridge: {e.Message}", e);
        }
        var source = Renamed(Flatten(root, path, format), format);
        var report = Apply(model, source, Path.GetFileName(path), onlyPrefix: format == WeightFormat.MaskContrast ? null : "backbone.");
        if (report.ShapeMismatches.Count > 0)
            throw new InvalidDataException($"weights in '{path}' do not fit model.backbone={model.Config.Backbone.JsonName()}: {report}");
        return report;
    }

    /// <summary>The tensors of the file under the model's key names; entries that have no place in the model keep a name that says so.</summary>
    static Dictionary<string, Tensor> Renamed(Dictionary<string, Tensor> flat, WeightFormat format)
    {
        string? Rename(string key) => format switch
        {
            WeightFormat.TorchVision => "backbone." + key,
            WeightFormat.Moco => key.StartsWith("module.encoder_q.", StringComparison.Ordinal) ? "backbone." + key["module.encoder_q.".Length..] : null,
            WeightFormat.MaskContrast => key.StartsWith("module.model_q.", StringComparison.Ordinal) ? key["module.model_q.".Length..] : null,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        var renamed = new Dictionary<string, Tensor>();
        foreach (var (key, value) in flat)
            renamed[Rename(key) ?? "(ignored) " + key] = value;
        return renamed;
    }

    static Dictionary<string, Tensor> Flatten(Hashtable root, string path, WeightFormat format)
    {
        // Checkpoints nest the state dict under a key; plain state dicts hold tensors at the top.
        string? container = format switch { WeightFormat.Moco => "state_dict", WeightFormat.MaskContrast => "model", _ => null };
        var table = root;
        if (container is not null && root.ContainsKey(container))
            table = root[container] as Hashtable ?? throw new InvalidDataException($"'{path}': entry '{container}' is not a dictionary");
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in table)
            if (e.Value is Tensor t) result[(string)e.Key] = t;
        if (result.Count == 0)
            throw new InvalidDataException($"'{path}' holds no tensors{(container is null ? "" : $" under '{container}'")}; is it a {format} file?");
        return result;
    }

    internal static WeightImportReport Apply(SegmentationModel model, Dictionary<string, Tensor> source, string name, string? onlyPrefix)
    {
        using var _ = no_grad();
        var target = model.state_dict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        int loaded = 0;
        foreach (var (key, tensor) in target)
        {
            if (onlyPrefix is not null && !key.StartsWith(onlyPrefix, StringComparison.Ordinal)) continue;
            if (!source.TryGetValue(key, out var value)) { missing.Add(key); continue; }
            if (!value.shape.SequenceEqual(tensor.shape))
            {
                mismatched.Add($"{key} file [{string.Join(",", value.shape)}] model [{string.Join(",", tensor.shape)}]");
                continue;
            }
            tensor.copy_(value.to(tensor.dtype));
            loaded++;
        }
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var t in source.Values) t.Dispose();
        return new WeightImportReport(name, loaded, missing, unexpected, mismatched);
    }
}
