using System.Security.Cryptography;
using System.Text.Json;

namespace MaskContrast.Orchestration.Storage;

/// <summary>Byte, JSON and <c>latest</c>-pointer helpers over any <see cref="IArtifactStore"/>.</summary>
public static class ArtifactStoreExtensions
{
    /// <summary>The JSON options of every record the pipeline writes (camelCase, indented for people reading runs).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes bytes atomically.</summary>
    public static async Task WriteBytesAsync(this IArtifactStore store, string path, ReadOnlyMemory<byte> bytes,
        CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        await store.WriteAsync(path, stream, cancellationToken);
    }

    /// <summary>Creates an artifact from bytes if absent (<see cref="IArtifactStore.CreateAsync"/>): true when written,
    /// false when the same bytes were already there.</summary>
    /// <exception cref="ArtifactConflictException">Other bytes are already there.</exception>
    public static async Task<bool> CreateBytesAsync(this IArtifactStore store, string path, ReadOnlyMemory<byte> bytes,
        CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return await store.CreateAsync(path, stream, cancellationToken);
    }

    /// <summary>Serializes <paramref name="value"/> as JSON and creates it if absent (see <see cref="CreateBytesAsync"/>).</summary>
    public static Task<bool> CreateJsonAsync<T>(this IArtifactStore store, string path, T value, CancellationToken cancellationToken = default)
        => store.CreateBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions), cancellationToken);

    /// <summary>
    /// What a create-only write does when <paramref name="path"/> already exists: nothing when the existing bytes equal
    /// <paramref name="content"/> (read again from its start), else <see cref="ArtifactConflictException"/>.
    /// </summary>
    internal static async Task<bool> ExistingMustMatchAsync(this IArtifactStore store, string path, Stream content, CancellationToken cancellationToken)
    {
        content.Position = 0;
        var wanted = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
        var existing = await store.ComputeSha256Async(path, cancellationToken);
        if (existing == wanted)
            return false;
        throw new ArtifactConflictException(
            $"{path} in {store.Description} already exists with other content (SHA-256 {existing}, not {wanted}): another writer "
            + "created it first. It is kept as it is; nothing was overwritten.");
    }

    /// <summary>Reads the whole artifact, or returns null when it does not exist.</summary>
    public static async Task<byte[]?> ReadBytesAsync(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        if (stream is null)
            return null;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Serializes <paramref name="value"/> as JSON and writes it atomically.</summary>
    public static Task WriteJsonAsync<T>(this IArtifactStore store, string path, T value, CancellationToken cancellationToken = default)
        => store.WriteBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions), cancellationToken);

    /// <summary>Reads a JSON record, or returns default when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The artifact exists but is not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<T?> ReadJsonAsync<T>(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        var bytes = await store.ReadBytesAsync(path, cancellationToken);
        if (bytes is null)
            return default;
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} in {store.Description} is not a valid {typeof(T).Name} record: {e.Message}", e);
        }
    }

    /// <summary>SHA-256 of bytes as lowercase hex: the one spelling of every hash the store records (bundles, pointers).</summary>
    public static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>SHA-256 of an artifact as lowercase hex, or null when it does not exist.</summary>
    public static async Task<string?> ComputeSha256Async(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        return stream is null ? null : Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>
    /// Points <paramref name="pointerPath"/> at <paramref name="targetPath"/>, recording the target's hash so that a reader
    /// can tell a torn or replaced target. Write the target first, then the pointer: the pointer never names a missing file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The target does not exist.</exception>
    public static async Task<LatestPointer> WriteLatestAsync(this IArtifactStore store, string pointerPath, string targetPath, int epoch,
        DateTime writtenUtc, CancellationToken cancellationToken = default)
    {
        var hash = await store.ComputeSha256Async(targetPath, cancellationToken)
            ?? throw new FileNotFoundException($"Cannot point {pointerPath} at {targetPath}: it does not exist in {store.Description}.");
        var pointer = new LatestPointer(targetPath, hash, epoch, writtenUtc);
        await store.WriteJsonAsync(pointerPath, pointer, cancellationToken);
        return pointer;
    }

    /// <summary>Reads a <c>latest</c> pointer, or returns null when none was written yet.</summary>
    public static Task<LatestPointer?> ReadLatestAsync(this IArtifactStore store, string pointerPath, CancellationToken cancellationToken = default)
        => store.ReadJsonAsync<LatestPointer>(pointerPath, cancellationToken);
}

