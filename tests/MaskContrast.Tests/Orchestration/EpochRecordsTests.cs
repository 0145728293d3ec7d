using System.Text;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

/// <summary>Epoch records carry their checkpoint's SHA-256, written once, and every checkpoint load checks it.</summary>
public sealed class EpochRecordsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalFolderArtifactStore _store;

    public EpochRecordsTests() => _store = new LocalFolderArtifactStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Complete_RecordsTheCheckpointHash_OnceOnly()
    {
        await _store.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), "abc"u8.ToArray());
        var result = new EpochResult(1, 0.5, 0.4, 0.1, 3);

        var recorded = await EpochRecords.CompleteAsync(_store, "r1", result, DateTime.UtcNow);
        var again = await EpochRecords.CompleteAsync(_store, "r1", result, DateTime.UtcNow);   // a retried writer: same bytes, no-op
        await Assert.ThrowsAsync<ArtifactConflictException>(() => EpochRecords.CompleteAsync(_store, "r1", result with { Loss = 9 }, DateTime.UtcNow));

        // SHA-256("abc"), the FIPS 180-2 test vector.
        const string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        Assert.Equal(abc, recorded.CheckpointSha256);
        Assert.Equal(recorded, again);
        Assert.Equal(recorded, await EpochRecords.ReadCompletedAsync(_store, "r1", 1));
        Assert.Equal(abc, (await _store.ReadLatestAsync(RunLayout.LatestCheckpoint("r1")))!.Sha256);
    }

    [Fact]
    public async Task ReadVerifiedCheckpoint_BytesReplacedAfterTheRecord_IsRefusedNamingBothHashes()
    {
        await _store.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), "abc"u8.ToArray());
        await EpochRecords.CompleteAsync(_store, "r1", new EpochResult(1, 0.5, 0.4, 0.1, 3), DateTime.UtcNow);
        byte[] intact;
        await using (var verified = await EpochRecords.ReadVerifiedCheckpointAsync(_store, "r1", 1))
        {
            using var copy = new MemoryStream();
            await verified!.CopyToAsync(copy);
            intact = copy.ToArray();
        }
        await _store.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), "abd"u8.ToArray());   // replaced by another writer

        var refused = await Assert.ThrowsAsync<NonRetryablePipelineException>(() => EpochRecords.ReadVerifiedCheckpointAsync(_store, "r1", 1));

        Assert.Equal("abc"u8.ToArray(), intact);
        Assert.Contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", refused.Message);
        Assert.Contains(ArtifactStoreExtensions.Sha256Of("abd"u8), refused.Message);
        Assert.Contains("its epoch record", refused.Message);
        Assert.Null(await EpochRecords.ReadVerifiedCheckpointAsync(_store, "r1", 2));
    }

    [Fact]
    public async Task Engine_ResumesFromAReplacedCheckpoint_RefusesBeforeTraining()
    {
        // A recorded run whose epoch-1 checkpoint was replaced after the record: epoch 2 must not start from it.
        await _store.WriteJsonAsync(RunLayout.Settings("r1"), new RunSettings("syn", "tiny", [], Epochs: 2));
        await _store.WriteBytesAsync(RunLayout.Config("r1"), Encoding.UTF8.GetBytes(Presets.ToJson(Presets.Load("tiny"))));
        await _store.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), "abc"u8.ToArray());
        await EpochRecords.CompleteAsync(_store, "r1", new EpochResult(1, 0.5, 0.4, 0.1, 3), DateTime.UtcNow);
        await _store.WriteBytesAsync(RunLayout.Checkpoint("r1", 1), "abd"u8.ToArray());
        using var engine = new CorePipelineEngine(_store, Path.Combine(_folder.Path, "cache"));

        var refused = await Assert.ThrowsAsync<NonRetryablePipelineException>(() => engine.TrainEpochAsync("r1", 2));

        Assert.Contains("was replaced after the epoch was recorded", refused.Message);
        Assert.False(await _store.ExistsAsync(RunLayout.Checkpoint("r1", 2)));
    }
}
