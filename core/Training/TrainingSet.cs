using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Training;

/// <summary>How a <see cref="TrainingSet"/> streams its images: a budget for decoded pixels and the threads that build
/// batches ahead of the training step. Neither changes what is trained on: batches depend only on (seed, epoch, step,
/// slot).</summary>
/// <param name="CacheBytes">Decoded pixels kept in memory (image RGB + mask bytes); 0 decodes every view's image anew.</param>
/// <param name="LoaderThreads">Batches built at once on worker threads while the step runs; 0 builds each batch on the
/// training thread when the step asks for it.</param>
public sealed record StreamingOptions(long CacheBytes, int LoaderThreads)
{
    /// <summary>512 MB of decoded pixels (about 6,000 images of 300×300 with their masks) and one loader thread per core
    /// beyond the first, at most 16: the training step keeps one core's worth of work.</summary>
    public static StreamingOptions Default { get; } = new(512L << 20, Math.Clamp(Environment.ProcessorCount - 1, 1, 16));

    /// <summary>Environment variables that override <see cref="Default"/> for a process (the CLI, the Functions host and
    /// the training job read them): megabytes of decoded pixels, and loader threads.</summary>
    public const string CacheMegabytesVariable = "MASKCONTRAST_IMAGE_CACHE_MB", LoaderThreadsVariable = "MASKCONTRAST_LOADER_THREADS";

    /// <summary><see cref="Default"/> with what <see cref="CacheMegabytesVariable"/> and <see cref="LoaderThreadsVariable"/> set.</summary>
    /// <param name="variable">Reads a variable (tests pass their own); the process environment when null.</param>
    public static StreamingOptions FromEnvironment(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        long? Read(string name, long max)
        {
            string? text = variable(name);
            if (string.IsNullOrWhiteSpace(text)) return null;
            return long.TryParse(text, out long value) && value >= 0 && value <= max ? value
                : throw new ArgumentException($"{name} must be a whole number in 0..{max}; it is '{Config.EchoText.Shorten(text)}'");
        }
        var cacheMb = Read(CacheMegabytesVariable, 1L << 30);
        var threads = Read(LoaderThreadsVariable, 256);
        return new(cacheMb is { } mb ? mb << 20 : Default.CacheBytes, threads is { } t ? (int)t : Default.LoaderThreads);
    }

    public void Validate()
    {
        if (CacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(CacheBytes), CacheBytes, "the image cache budget cannot be negative");
        if (LoaderThreads is < 0 or > 256) throw new ArgumentOutOfRangeException(nameof(LoaderThreads), LoaderThreads, "loader threads must be in 0..256");
    }
}

/// <summary>
/// The images and object masks a run trains on, decoded on demand (<see cref="Load"/>) and kept in a bounded cache, so
/// that a set of any size trains in bounded memory. Images without a mask are left out and listed in
/// <see cref="Skipped"/>; whether a mask exists is asked without decoding anything.
/// </summary>
public sealed class TrainingSet
{
    readonly IImageDataset _dataset;
    readonly DecodedImageCache _cache;

    public IReadOnlyList<string> Ids { get; }
    public IReadOnlyList<string> Skipped { get; }
    public int Count => Ids.Count;
    public StreamingOptions Streaming { get; }

    /// <summary>Bytes of decoded pixels held now.</summary>
    public long CachedBytes => _cache.Bytes;

    public TrainingSet(IImageDataset dataset, IEnumerable<string>? ids = null, StreamingOptions? streaming = null)
    {
        Streaming = streaming ?? StreamingOptions.Default;
        Streaming.Validate();
        var kept = new List<string>();
        var skipped = new List<string>();
        foreach (var id in ids ?? dataset.Ids)
            (dataset.HasMask(id) ? kept : skipped).Add(id);
        if (kept.Count == 0)
            throw new InvalidDataException("no image of the dataset has an object mask; generate proposals first (maskcontrast proposals) or supply a mask folder");
        _dataset = dataset;
        _cache = new DecodedImageCache(Streaming.CacheBytes);
        Ids = kept;
        Skipped = skipped;
    }

    /// <summary>Image [3, H, W] and mask [H, W] (0/1) of item <paramref name="index"/> as uint8 tensors owned by the caller
    /// (the current dispose scope).</summary>
    public (Tensor Image, Tensor Mask) Load(int index)
    {
        var (image, mask) = Decoded(index);
        return (ToTensor(image), ToTensor(mask));
    }

    (RgbImage Image, ByteRaster Mask) Decoded(int index)
    {
        if (_cache.TryGet(index, out var image, out var mask)) return (image, mask);
        string id = Ids[index];
        mask = _dataset.LoadMask(id) ?? throw new InvalidDataException($"the object mask of '{id}' is gone; it existed when training started");
        image = _dataset.LoadImage(id);
        if (image.Width != mask.Width || image.Height != mask.Height)
            throw new InvalidDataException($"mask of '{id}' is {mask.Width}×{mask.Height} but the image is {image.Width}×{image.Height}");
        _cache.Add(index, image, mask);
        return (image, mask);
    }

    /// <summary>[3, H, W] uint8 from interleaved RGB.</summary>
    public static Tensor ToTensor(RgbImage image) =>
        tensor(image.Rgb, [image.Height, image.Width, 3], dtype: uint8).permute(2, 0, 1).contiguous();

    /// <summary>[H, W] uint8, values clamped to 0/1.</summary>
    public static Tensor ToTensor(ByteRaster mask) =>
        tensor(mask.Values, [mask.Height, mask.Width], dtype: uint8).clamp_max(1);
}
