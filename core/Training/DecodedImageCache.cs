using MaskContrast.Core.Data;

namespace MaskContrast.Core.Training;

/// <summary>
/// Decoded training images and their masks, kept up to a byte budget and evicted least recently used first. A set that
/// fits the budget is decoded once per process, as before streaming; a larger one (PASCAL VOC trainaug decodes to about
/// 7.5 GB) is decoded again as its permutation comes back to an image. Thread-safe: the batch builders of
/// <see cref="PairBatchQueue"/> read it from several threads; two of them may decode the same image at once, which only
/// costs time.
/// </summary>
sealed class DecodedImageCache(long capacityBytes)
{
    readonly record struct Entry(int Index, RgbImage Image, ByteRaster Mask)
    {
        public long Bytes => Image.Rgb.LongLength + Mask.Values.LongLength;
    }

    readonly Dictionary<int, LinkedListNode<Entry>> _entries = [];
    readonly LinkedList<Entry> _recency = new();   // most recently used first
    readonly Lock _gate = new();
    long _bytes;

    /// <summary>The budget, checked by <see cref="StreamingOptions.Validate"/>.</summary>
    public long CapacityBytes { get; } = capacityBytes;

    /// <summary>Bytes of pixel data held now (never more than <see cref="CapacityBytes"/>).</summary>
    public long Bytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _entries.Count; } }

    public bool TryGet(int index, out RgbImage image, out ByteRaster mask)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(index, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                (image, mask) = (node.Value.Image, node.Value.Mask);
                return true;
            }
        }
        (image, mask) = (null!, null!);
        return false;
    }

    /// <summary>Keeps the pair unless it alone exceeds the budget; evicts the least recently used pairs to make room.</summary>
    public void Add(int index, RgbImage image, ByteRaster mask)
    {
        var entry = new Entry(index, image, mask);
        if (entry.Bytes > CapacityBytes) return;
        lock (_gate)
        {
            if (_entries.ContainsKey(index)) return;
            while (_bytes + entry.Bytes > CapacityBytes)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Index);
                _bytes -= oldest.Value.Bytes;
            }
            _entries[index] = _recency.AddFirst(entry);
            _bytes += entry.Bytes;
        }
    }
}
