using System.Collections;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// A read-only list whose items are made again on every access instead of kept: the evaluation's per-image rasters that
/// follow from what it already keeps (a true mask from its class map, a predicted mask from its object map) or that the
/// dataset can give again (the resized colours). At VOC scale and 288² each kept copy costs 0.08–0.25 MB per image.
/// </summary>
public sealed class DerivedList<T>(int count, Func<int, T> make) : IReadOnlyList<T>
{
    public int Count => count;

    public T this[int index] => (uint)index < (uint)count ? make(index) : throw new ArgumentOutOfRangeException(nameof(index), index, $"the list has {count} items");

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < count; i++) yield return make(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
