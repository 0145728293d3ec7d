using System.Security.Cryptography;

namespace MaskContrast.Core;

/// <summary>Disk-backed buffers for what is too large to hold in memory (checkpoints), deleted when closed.</summary>
public static class TemporaryFile
{
    /// <summary>An empty read-write file in the temporary folder, deleted when the stream is disposed.</summary>
    public static FileStream Create() =>
        new(Path.Combine(Path.GetTempPath(), "maskcontrast-" + Guid.NewGuid().ToString("N") + ".tmp"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> and returns the SHA-256 of what was
    /// copied as lowercase hex.</summary>
    public static async Task<string> CopyHashingAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
