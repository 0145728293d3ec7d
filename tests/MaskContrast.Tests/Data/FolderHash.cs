using System.Security.Cryptography;

namespace MaskContrast.Tests.Data;

/// <summary>One SHA-256 over every file of a folder: relative paths and contents, in ordinal path order.</summary>
internal static class FolderHash
{
    public static string Of(string root) =>
        Convert.ToHexString(SHA256.HashData(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(f => System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(root, f)).Concat(File.ReadAllBytes(f)))
            .ToArray()));
}
