using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MaskContrast.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Training;

/// <summary>What a checkpoint says about itself, stored as JSON at the start of the file.</summary>
public sealed record CheckpointHeader(int FormatVersion, int Epoch, string ConfigJson, EpochMetrics[] History, DateTimeOffset SavedAt);

/// <summary>
/// The full training state after an epoch: query and key encoders, queue and pointer (one state dict with the official
/// keys model_q.*, model_k.*, queue, queue_ptr), SGD momentum buffers, epoch, config and metrics. Random state needs no
/// saving: every draw comes from a stream named by (seed, epoch, step, slot), see <see cref="DeterministicRandom"/>.
/// File layout: magic, header length and JSON, model state, optimiser state, SHA-256 of everything before it.
/// </summary>
public static class Checkpoint
{
    private static readonly byte[] s_magic = "MCCKPT01"u8.ToArray();
    public const int FormatVersion = 1;

    /// <summary>File name of the checkpoint written after <paramref name="epoch"/> (1-based), e.g. epoch-0003.ckpt.</summary>
    public static string FileName(int epoch) => $"epoch-{epoch:D4}.ckpt";

    /// <summary>Writes the checkpoint to <paramref name="destination"/> as it is serialised, hashing on the way: no copy
    /// of the (for ResNet-18, 200 MB) checkpoint is held in memory.</summary>
    public static void Save(Trainer trainer, Stream destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var body = new HashingWriteStream(destination, hash))
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            var header = new CheckpointHeader(FormatVersion, trainer.CompletedEpochs, Presets.ToJson(trainer.Config),
                [.. trainer.History], DateTimeOffset.UtcNow);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, Presets.Json);
            w.Write(json.Length);
            w.Write(json);
            trainer.Model.save(w);
            trainer.Optimizer.save_state_dict(w);
        }
        destination.Write(hash.GetHashAndReset());
    }

    /// <summary>Writes to a temporary file and renames it into place, so a crash never leaves a half-written checkpoint.</summary>
    public static void SaveFile(Trainer trainer, string path)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        using (var f = File.Create(tmp)) Save(trainer, f);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads only the header (verifies the hash first).</summary>
    public static CheckpointHeader ReadHeader(Stream source, string name)
    {
        using var reader = Open(source, name);
        return ReadHeader(reader, name);
    }

    /// <summary>
    /// Restores a trainer from a checkpoint. When <paramref name="expected"/> is given, a checkpoint trained with a different
    /// configuration is refused with the differing fields named.
    /// </summary>
    public static Trainer Load(Stream source, string name, TrainingConfig? expected = null, Device? device = null)
    {
        using var reader = Open(source, name);
        var header = ReadHeader(reader, name);
        var config = Presets.FromJson(header.ConfigJson);
        if (expected is not null && Presets.ToJson(expected) != header.ConfigJson)
            throw new InvalidDataException($"checkpoint {name} was trained with a different configuration ({Differences(config, expected)}); " +
                "resume with the run's own configuration or start a new run");
        var trainer = new Trainer(config, device, pretrainedWeights: null, restoring: true);   // built on its device: the optimiser must hold the final parameter tensors
        try
        {
            trainer.Model.load(reader, strict: true);
            trainer.Optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            trainer.Dispose();
            throw new InvalidDataException($"checkpoint {name} does not match the model it describes: {e.Message}", e);
        }
        trainer.Restore(header.Epoch, header.History);
        return trainer;
    }

    public static Trainer LoadFile(string path, TrainingConfig? expected = null, Device? device = null)
    {
        using var f = File.OpenRead(path);
        return Load(f, Path.GetFileName(path), expected, device);
    }

    // Checks magic and trailer hash before anything is parsed. A seekable source is read twice (hash, then parse) instead
    // of being copied into memory; any other is first spooled to a temporary file that is deleted when the reader closes.
    private static BinaryReader Open(Stream source, string name, bool ownsSource = false)
    {
        if (!source.CanSeek)
        {
            var spool = TemporaryFile.Create();
            try { source.CopyTo(spool); spool.Position = 0; return Open(spool, name, ownsSource: true); }
            catch { spool.Dispose(); throw; }
        }
        long start = source.Position, length = source.Length - start;
        if (length < s_magic.Length + 4 + 32)
            throw new InvalidDataException($"{name} is not a MaskContrast checkpoint (bad magic or too short)");
        Span<byte> magic = stackalloc byte[8];
        source.ReadExactly(magic);
        if (!magic.SequenceEqual(s_magic))
            throw new InvalidDataException($"{name} is not a MaskContrast checkpoint (bad magic or too short)");
        source.Position = start;
        byte[] computed = SHA256.HashData(new BoundedReadStream(source, length - 32, ownsInner: false));
        Span<byte> stored = stackalloc byte[32];
        source.ReadExactly(stored);
        if (!stored.SequenceEqual(computed))
            throw new InvalidDataException($"checkpoint {name} is corrupt (content hash mismatch); delete it to resume from the previous epoch");
        source.Position = start + s_magic.Length;
        return new BinaryReader(new BoundedReadStream(source, length - 32 - s_magic.Length, ownsSource), Encoding.UTF8, leaveOpen: false);
    }

    private static CheckpointHeader ReadHeader(BinaryReader reader, string name)
    {
        int n = reader.ReadInt32();
        var header = JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadBytes(n), Presets.Json)
            ?? throw new InvalidDataException($"checkpoint {name} has an empty header");
        if (header.FormatVersion != FormatVersion)
            throw new InvalidDataException($"checkpoint {name} has format version {header.FormatVersion}; this build reads version {FormatVersion}");
        return header;
    }

    private static string Differences(TrainingConfig a, TrainingConfig b)
    {
        var x = JsonDocument.Parse(Presets.ToJson(a)).RootElement;
        var y = JsonDocument.Parse(Presets.ToJson(b)).RootElement;
        var diffs = new List<string>();
        foreach (var section in x.EnumerateObject())
            foreach (var field in section.Value.EnumerateObject())
            {
                string other = y.GetProperty(section.Name).GetProperty(field.Name).GetRawText();
                if (field.Value.GetRawText() != other) diffs.Add($"{section.Name}.{field.Name}: checkpoint {field.Value.GetRawText()}, requested {other}");
            }
        return string.Join("; ", diffs);
    }
}
