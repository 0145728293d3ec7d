using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Training;

public class StreamingTrainingSetTests(SyntheticTrainingSet data) : IClassFixture<SyntheticTrainingSet>
{
    /// <summary>A dataset that counts decodes and has masks for the ids it is told.</summary>
    sealed class CountingDataset(IImageDataset inner, ISet<string> withMask) : IImageDataset
    {
        public int ImageLoads, MaskLoads;
        public IReadOnlyList<string> Ids => inner.Ids;
        public RgbImage LoadImage(string id) { Interlocked.Increment(ref ImageLoads); return inner.LoadImage(id); }
        public ByteRaster? LoadMask(string id)
        {
            if (!withMask.Contains(id)) return null;
            Interlocked.Increment(ref MaskLoads);
            return inner.LoadMask(id);
        }
        public bool HasMask(string id) => withMask.Contains(id);
        public ByteRaster? LoadLabels(string id) => inner.LoadLabels(id);
    }

    VocDataset Train => new(data.Root, "train");

    [Fact]
    public void Construction_SkipsImagesWithoutMasks_AndDecodesNothing()
    {
        var counting = new CountingDataset(Train, Train.Ids.Where((_, i) => i % 3 != 0).ToHashSet());
        var set = new TrainingSet(counting);
        Assert.Equal(Train.Ids.Where((_, i) => i % 3 != 0), set.Ids);
        Assert.Equal(Train.Ids.Where((_, i) => i % 3 == 0), set.Skipped);
        Assert.Equal((0, 0), (counting.ImageLoads, counting.MaskLoads));
    }

    [Fact]
    public void Load_GivesTheDecodedImageAndMask_AndDecodesOnceWhileTheyFitTheCache()
    {
        var counting = new CountingDataset(Train, Train.Ids.ToHashSet());
        var set = new TrainingSet(counting, streaming: new StreamingOptions(CacheBytes: 1L << 30, LoaderThreads: 0));
        using var scope = NewDisposeScope();
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < 4; i++)
            {
                var (image, mask) = set.Load(i);
                var expected = Train.LoadImage(set.Ids[i]);
                Assert.Equal(new long[] { 3, expected.Height, expected.Width }, image.shape);
                // Pixel (row 5, column 7) of every channel, against the decoded RGB bytes.
                for (int c = 0; c < 3; c++)
                    Assert.Equal(expected.Rgb[(5 * expected.Width + 7) * 3 + c], image[c, 5, 7].item<byte>());
                Assert.Equal(Train.LoadMask(set.Ids[i])!.Values, mask.reshape(-1).data<byte>().ToArray());
            }
        Assert.Equal(4, counting.ImageLoads);
        Assert.Equal(4 * (64 * 64 * 3 + 64 * 64), set.CachedBytes);
    }

    [Fact]
    public void Cache_KeepsItsBudget_AndEvictsTheLeastRecentlyUsed()
    {
        const int pair = 64 * 64 * 3 + 64 * 64;   // bytes of one 64×64 image with its mask
        var counting = new CountingDataset(Train, Train.Ids.ToHashSet());
        var set = new TrainingSet(counting, streaming: new StreamingOptions(CacheBytes: 2 * pair + 100, LoaderThreads: 0));
        using var scope = NewDisposeScope();
        set.Load(0); set.Load(1);          // cache: 1, 0
        set.Load(0);                       // cache: 0, 1 (a hit)
        set.Load(2);                       // evicts 1, the least recently used
        Assert.Equal(3, counting.ImageLoads);
        set.Load(0);                       // still cached
        Assert.Equal(3, counting.ImageLoads);
        set.Load(1);                       // decoded again
        Assert.Equal(4, counting.ImageLoads);
        Assert.Equal(2 * pair, set.CachedBytes);
    }

    [Fact]
    public void Cache_OfZeroBytes_DecodesEveryLoad()
    {
        var counting = new CountingDataset(Train, Train.Ids.ToHashSet());
        var set = new TrainingSet(counting, streaming: new StreamingOptions(CacheBytes: 0, LoaderThreads: 0));
        using var scope = NewDisposeScope();
        set.Load(0); set.Load(0);
        Assert.Equal((2, 0L), (counting.ImageLoads, set.CachedBytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Queue_OnLoaderThreads_GivesTheSameBatchesAsBuildingInLine(int threads)
    {
        var config = Presets.Load("tiny");
        var inline = new PairBatchSampler(new TrainingSet(Train, streaming: new StreamingOptions(0, 0)), config.Data, 4, seed: 7);
        var ahead = new PairBatchSampler(new TrainingSet(Train, streaming: new StreamingOptions(1L << 20, threads)), config.Data, 4, seed: 7);
        using var queue = new PairBatchQueue(ahead, epoch: 2, steps: 6, threads);
        for (int step = 0; step < 6; step++)
        {
            using var expected = inline.Build(2, step);
            using var actual = queue.Take(step);
            Assert.True(expected.QueryImages.eq(actual.QueryImages).all().item<bool>(), $"query images of step {step} differ");
            Assert.True(expected.KeyMasks.eq(actual.KeyMasks).all().item<bool>(), $"key masks of step {step} differ");
        }
    }

    [Fact]
    public void Queue_TakenOutOfOrder_Throws()
    {
        var config = Presets.Load("tiny");
        var sampler = new PairBatchSampler(new TrainingSet(Train), config.Data, 4, seed: 7);
        using var queue = new PairBatchQueue(sampler, epoch: 0, steps: 4, threads: 2);
        var e = Assert.Throws<InvalidOperationException>(() => queue.Take(1));
        Assert.Contains("out of order", e.Message);
    }

    /// <summary>Another dataset's images with empty masks: no view has foreground.</summary>
    sealed class BlankMasks(IImageDataset inner) : IImageDataset
    {
        public IReadOnlyList<string> Ids => inner.Ids;
        public RgbImage LoadImage(string id) => inner.LoadImage(id);
        public ByteRaster? LoadMask(string id) { var m = inner.LoadMask(id)!; return m with { Values = new byte[m.Values.Length] }; }
        public ByteRaster? LoadLabels(string id) => null;
    }

    [Fact]
    public void Queue_BuildFailure_SurfacesAtTake()
    {
        var sampler = new PairBatchSampler(new TrainingSet(new BlankMasks(Train)), Presets.Load("tiny").Data, 2, seed: 7);
        using var queue = new PairBatchQueue(sampler, epoch: 0, steps: 2, threads: 2);
        var e = Assert.Throws<InvalidDataException>(() => queue.Take(0));
        Assert.Contains("no view pair", e.Message);
    }

    [Fact]
    public void Epoch_TrainedWithLoaderThreads_EqualsOneTrainedInLine()
    {
        var config = Presets.Load("tiny", ["schedule.stepsPerEpoch=3"]);
        using var inline = new Trainer(config, CPU);
        using var ahead = new Trainer(config, CPU);
        var a = inline.TrainEpoch(new TrainingSet(Train, streaming: new StreamingOptions(0, 0)));
        var b = ahead.TrainEpoch(new TrainingSet(Train, streaming: new StreamingOptions(1L << 20, 2)));
        Assert.Equal(a.StepContrastive, b.StepContrastive);
    }

    [Fact]
    public void Options_Negative_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingSet(Train, null, new StreamingOptions(-1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingSet(Train, null, new StreamingOptions(0, -1)));
    }

    [Fact]
    public void Options_FromEnvironment_ReadMegabytesAndThreads_AndRefuseNonsense()
    {
        var set = new Dictionary<string, string?> { [StreamingOptions.CacheMegabytesVariable] = "64", [StreamingOptions.LoaderThreadsVariable] = "0" };
        Assert.Equal(new StreamingOptions(64L << 20, 0), StreamingOptions.FromEnvironment(set.GetValueOrDefault));
        Assert.Equal(StreamingOptions.Default, StreamingOptions.FromEnvironment(_ => null));
        set[StreamingOptions.LoaderThreadsVariable] = "two";
        var e = Assert.Throws<ArgumentException>(() => StreamingOptions.FromEnvironment(set.GetValueOrDefault));
        Assert.Contains("MASKCONTRAST_LOADER_THREADS must be a whole number in 0..256; it is 'two'", e.Message);
    }
}
