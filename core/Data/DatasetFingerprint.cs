using System.Security.Cryptography;
using System.Text;

namespace MaskContrast.Core.Data;

/// <summary>What identifies the images a model was trained on, whatever their folder or storage account was called.</summary>
public static class DatasetFingerprint
{
    /// <summary>
    /// SHA-256 (lowercase hex) over one line per image in the given order, <c>{id}\t{SHA-256 of its file}\n</c>: the same
    /// files under the same ids give the same fingerprint; a changed, added, removed or renamed image changes it.
    /// </summary>
    public static string Of(IImageFiles files, IEnumerable<string> ids)
    {
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var id in ids)
        {
            using var stream = File.OpenRead(files.ImagePath(id));
            all.AppendData(Encoding.UTF8.GetBytes($"{id}\t{Convert.ToHexStringLower(SHA256.HashData(stream))}\n"));
        }
        return Convert.ToHexStringLower(all.GetHashAndReset());
    }
}
