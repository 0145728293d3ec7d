using System.IO.Compression;
using MaskContrast.Core.Inference;

namespace MaskContrast.Tests.Inference;

public sealed class ModelBundleTests
{
    [Fact]
    public void Save_SameWeightsTwice_GivesEqualBytesWithFixedEntryTimesAndOrder()
    {
        // Two bundles built from the same seed: same weights, PCA and centroids, saved by separate objects.
        using var first = SegmentationWriterTests.TinyBundle();
        using var second = SegmentationWriterTests.TinyBundle();

        var bytes = first.ToBytes();

        Assert.Equal(bytes, second.ToBytes());
        Assert.Equal(bytes, first.ToBytes());
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(["manifest.json", "model.bin"], zip.Entries.Select(e => e.FullName));
        // The wall-clock time of the save would otherwise change the bytes (and the hash) every two seconds.
        Assert.All(zip.Entries, e => Assert.Equal(ModelBundle.EntryTime.DateTime, e.LastWriteTime.DateTime));
    }
}
