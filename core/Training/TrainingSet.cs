using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Training;

/// <summary>
/// The images and object masks a run trains on, decoded once into uint8 tensors ([3, H, W] and [H, W], 0/1).
/// Images without a mask are left out and listed in <see cref="Skipped"/>.
/// </summary>
public sealed class TrainingSet : IDisposable
{
    private readonly List<(Tensor Image, Tensor Mask)> _items = [];

    public IReadOnlyList<string> Ids { get; }
    public IReadOnlyList<string> Skipped { get; }
    public int Count => _items.Count;

    public TrainingSet(IImageDataset dataset, IEnumerable<string>? ids = null)
    {
        var kept = new List<string>();
        var skipped = new List<string>();
        foreach (var id in ids ?? dataset.Ids)
        {
            var mask = dataset.LoadMask(id);
            if (mask is null) { skipped.Add(id); continue; }
            var image = dataset.LoadImage(id);
            if (image.Width != mask.Width || image.Height != mask.Height)
                throw new InvalidDataException($"mask of '{id}' is {mask.Width}×{mask.Height} but the image is {image.Width}×{image.Height}");
            _items.Add((ToTensor(image), ToTensor(mask)));
            kept.Add(id);
        }
        if (kept.Count == 0)
            throw new InvalidDataException("no image of the dataset has an object mask; generate proposals first (maskcontrast proposals) or supply a mask folder");
        Ids = kept;
        Skipped = skipped;
    }

    public (Tensor Image, Tensor Mask) this[int index] => _items[index];

    /// <summary>[3, H, W] uint8 from interleaved RGB.</summary>
    public static Tensor ToTensor(RgbImage image) =>
        tensor(image.Rgb, [image.Height, image.Width, 3], dtype: uint8).permute(2, 0, 1).contiguous();

    /// <summary>[H, W] uint8, values clamped to 0/1.</summary>
    public static Tensor ToTensor(ByteRaster mask) =>
        tensor(mask.Values, [mask.Height, mask.Width], dtype: uint8).clamp_max(1);

    public void Dispose()
    {
        foreach (var (image, mask) in _items) { image.Dispose(); mask.Dispose(); }
        _items.Clear();
    }
}
