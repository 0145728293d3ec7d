using System.Text;
using Azure.Core;
using Azure.Storage.Blobs;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The behaviour every <see cref="IArtifactStore"/> must have, run against the local folder and against Azurite blobs.
/// </summary>
public abstract class ArtifactStoreContractTests
{
    protected abstract IArtifactStore Store { get; }

    [Fact]
    public async Task Write_ThenRead_ReturnsTheSameBytes()
    {
        await Store.WriteBytesAsync("runs/r1/eval/result.json", Encoding.UTF8.GetBytes("{\"miou\":0.5}"));

        Assert.Equal("{\"miou\":0.5}", Encoding.UTF8.GetString((await Store.ReadBytesAsync("runs/r1/eval/result.json"))!));
        Assert.True(await Store.ExistsAsync("runs/r1/eval/result.json"));
    }

    [Fact]
    public async Task Read_MissingPath_ReturnsNullAndExistsIsFalse()
    {
        Assert.Null(await Store.ReadBytesAsync("runs/none/eval/result.json"));
        Assert.False(await Store.ExistsAsync("runs/none/eval/result.json"));
    }

    [Fact]
    public async Task Write_SamePathTwice_ReplacesTheContent()
    {
        await Store.WriteBytesAsync("runs/r1/checkpoints/latest", new byte[] { 1, 2, 3 });
        await Store.WriteBytesAsync("runs/r1/checkpoints/latest", new byte[] { 9 });

        Assert.Equal(new byte[] { 9 }, await Store.ReadBytesAsync("runs/r1/checkpoints/latest"));
    }

    [Fact]
    public async Task Create_WritesOnlyOnce_SameBytesAgainIsANoOp_OtherBytesAreRefusedAndTheFirstKept()
    {
        const string path = "runs/r1/checkpoints/epoch-0001.ckpt";

        var created = await Store.CreateBytesAsync(path, new byte[] { 1, 2, 3 });
        var again = await Store.CreateBytesAsync(path, new byte[] { 1, 2, 3 });
        var conflict = await Assert.ThrowsAsync<ArtifactConflictException>(() => Store.CreateBytesAsync(path, new byte[] { 9 }));

        Assert.True(created);
        Assert.False(again);
        Assert.Contains(path, conflict.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, await Store.ReadBytesAsync(path));
        Assert.Equal([path], await Store.ListAsync("runs/r1/"));   // no temporary file left behind
    }

    [Fact]
    public async Task Write_SourceFailsMidway_KeepsTheOldContent()
    {
        // Atomic write: a writer that dies half-way (here the source stream throws) must not leave a torn file.
        await Store.WriteBytesAsync("runs/r1/checkpoints/epoch-0001.ckpt", new byte[] { 1, 1, 1 });

        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync("runs/r1/checkpoints/epoch-0001.ckpt", new FailingStream(4096)));

        Assert.Equal(new byte[] { 1, 1, 1 }, await Store.ReadBytesAsync("runs/r1/checkpoints/epoch-0001.ckpt"));
        Assert.Equal(["runs/r1/checkpoints/epoch-0001.ckpt"], await Store.ListAsync("runs/r1/"));
    }

    [Fact]
    public async Task List_Prefix_ReturnsOnlyMatchingPathsInOrdinalOrder()
    {
        foreach (var path in new[] { "runs/r1/checkpoints/epoch-0002.json", "runs/r1/checkpoints/epoch-0001.json",
                     "runs/r1/checkpoints/latest", "runs/r10/checkpoints/epoch-0001.json", "datasets/toy/a.png" })
            await Store.WriteBytesAsync(path, new byte[] { 0 });

        Assert.Equal(["runs/r1/checkpoints/epoch-0001.json", "runs/r1/checkpoints/epoch-0002.json", "runs/r1/checkpoints/latest"],
            await Store.ListAsync("runs/r1/checkpoints/"));
        // A prefix may end inside a name, as blob prefixes do.
        Assert.Equal(["runs/r1/checkpoints/epoch-0001.json", "runs/r1/checkpoints/epoch-0002.json"],
            await Store.ListAsync("runs/r1/checkpoints/epoch-"));
        Assert.Empty(await Store.ListAsync("runs/missing/"));
    }

    [Fact]
    public async Task LatestPointer_WrittenAfterTarget_RecordsPathHashAndEpoch()
    {
        var checkpoint = RunLayout.Checkpoint("r1", 7);
        await Store.WriteBytesAsync(checkpoint, "weights"u8.ToArray());
        var written = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

        await Store.WriteLatestAsync(RunLayout.LatestCheckpoint("r1"), checkpoint, 7, written);
        var latest = await Store.ReadLatestAsync(RunLayout.LatestCheckpoint("r1"));

        // SHA-256("weights"), computed independently with sha256sum.
        Assert.Equal(new LatestPointer(checkpoint, "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c", 7, written), latest);
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            Store.WriteLatestAsync(RunLayout.LatestCheckpoint("r1"), RunLayout.Checkpoint("r1", 8), 8, written));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("runs/../../escape.txt")]
    [InlineData("runs/r1/../../../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("..\\escape.txt")]
    [InlineData("C:\\escape.txt")]
    [InlineData("C:/escape.txt")]
    [InlineData("runs//r1")]
    [InlineData("runs/./r1")]
    [InlineData("runs/%2e%2e/escape.txt")]
    [InlineData("https://evil.example/escape.txt")]
    [InlineData("runs/r1/\u0000.txt")]
    [InlineData("runs/r1/name\n")]
    [InlineData("~/escape.txt")]
    [InlineData("")]
    public async Task HostilePath_IsRejectedBeforeAnyIo(string path)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteBytesAsync(path, new byte[] { 1 }));
        Assert.Equal("path", error.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(path));
        AssertNothingEscaped();
    }

    /// <summary>Checks no hostile write reached outside the store (only the local store can see its surroundings).</summary>
    protected virtual void AssertNothingEscaped() { }

    /// <summary>Yields <c>length</c> bytes, then throws, like a network source that drops.</summary>
    private sealed class FailingStream(int length) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= length)
                throw new IOException("Simulated source failure.");
            var n = Math.Min(count, length - _position);
            Array.Fill(buffer, (byte)2, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The contract on a local folder, which sits inside a parent folder that must stay untouched.</summary>
public sealed class LocalFolderArtifactStoreTests : ArtifactStoreContractTests, IDisposable
{
    private readonly TempFolder _parent = new();
    private readonly LocalFolderArtifactStore _store;

    public LocalFolderArtifactStoreTests() => _store = new LocalFolderArtifactStore(Path.Combine(_parent.Path, "store"));

    protected override IArtifactStore Store => _store;

    public void Dispose() => _parent.Dispose();

    protected override void AssertNothingEscaped()
        => Assert.Equal([Path.Combine(_parent.Path, "store")], Directory.EnumerateFileSystemEntries(_parent.Path));

    [Fact]
    public async Task Write_LeavesNoTemporaryFiles()
    {
        await _store.WriteBytesAsync("runs/r1/model/model.bin", new byte[] { 5 });

        Assert.Equal([Path.Combine(_store.RootFolder, "runs", "r1", "model", "model.bin")],
            Directory.EnumerateFiles(_store.RootFolder, "*", SearchOption.AllDirectories));
    }
}

/// <summary>
/// The contract on Azurite blobs (test.sh starts Azurite and exports AZURITE_BLOB_CONNECTION; without it the default
/// ports are tried). Each test class instance uses its own container.
/// </summary>
public sealed class BlobArtifactStoreTests : ArtifactStoreContractTests
{
    private readonly BlobArtifactStore _store;

    public BlobArtifactStoreTests()
    {
        var connection = Environment.GetEnvironmentVariable("AZURITE_BLOB_CONNECTION") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";
        // Fail fast when Azurite is not running instead of retrying for a minute.
        var options = new BlobClientOptions { Retry = { MaxRetries = 1, Mode = RetryMode.Fixed, Delay = TimeSpan.FromMilliseconds(200) } };
        _store = new BlobArtifactStore(new BlobContainerClient(connection, "t" + Guid.NewGuid().ToString("N"), options));
    }

    protected override IArtifactStore Store => _store;

    [Fact]
    public void FromConnectionString_InvalidContainerName_NamesTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => BlobArtifactStore.FromConnectionString("UseDevelopmentStorage=true", "../Bad"));
        Assert.Equal("container", error.ParamName);
    }
}
