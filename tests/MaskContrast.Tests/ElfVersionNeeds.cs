using System.Text;

namespace MaskContrast.Tests;

/// <summary>Reads the version needs (.gnu.version_r) of an ELF64 shared library; used to check the build-time patch.</summary>
internal static class ElfVersionNeeds
{
    public static bool IsWeak(string path, string version)
    {
        byte[] b = File.ReadAllBytes(path);
        long shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int size = BitConverter.ToUInt16(b, 0x3A), count = BitConverter.ToUInt16(b, 0x3C), names = BitConverter.ToUInt16(b, 0x3E);
        long Field64(int section, int at) => (long)BitConverter.ToUInt64(b, (int)(shoff + section * size + at));
        uint Field32(int section, int at) => BitConverter.ToUInt32(b, (int)(shoff + section * size + at));
        string Str(long at) => Encoding.ASCII.GetString(b, (int)at, Array.IndexOf(b, (byte)0, (int)at) - (int)at);
        long nameTable = Field64(names, 0x18);
        for (int i = 0; i < count; i++)
        {
            if (Str(nameTable + Field32(i, 0)) != ".gnu.version_r") continue;
            long strtab = Field64((int)Field32(i, 0x28), 0x18);
            for (long p = Field64(i, 0x18); ; )
            {
                long a = p + BitConverter.ToUInt32(b, (int)p + 8);
                for (int k = BitConverter.ToUInt16(b, (int)p + 2); k > 0; k--)
                {
                    if (Str(strtab + BitConverter.ToUInt32(b, (int)a + 8)) == version)
                        return (BitConverter.ToUInt16(b, (int)a + 4) & 2) != 0;
                    a += BitConverter.ToUInt32(b, (int)a + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)p + 12);
                if (next == 0) break;
                p += next;
            }
        }
        throw new InvalidOperationException($"{path} has no need for {version}");
    }
}
