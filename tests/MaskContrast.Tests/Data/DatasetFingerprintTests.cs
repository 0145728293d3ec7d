using System.Security.Cryptography;
using System.Text;
using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public class DatasetFingerprintTests
{
    [Fact]
    public void Of_HashesOneLinePerImage_IdTabFileHash_InTheGivenOrder()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("a.jpg"), [1, 2, 3]);
        File.WriteAllBytes(temp.File("b.jpg"), [4]);
        var files = new FolderDataset(temp.Path);
        string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
        string expected = Hex(Encoding.UTF8.GetBytes($"a\t{Hex([1, 2, 3])}\nb\t{Hex([4])}\n"));

        Assert.Equal(expected, DatasetFingerprint.Of(files, ["a", "b"]));
        Assert.NotEqual(expected, DatasetFingerprint.Of(files, ["b", "a"]));
        File.WriteAllBytes(temp.File("b.jpg"), [5]);
        Assert.NotEqual(expected, DatasetFingerprint.Of(files, ["a", "b"]));
    }
}
