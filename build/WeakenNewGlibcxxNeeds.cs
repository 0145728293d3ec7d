// MSBuild inline task (see TorchSharpNativeFix.targets). Plain ELF64 little-endian parsing, no dependencies.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenNewGlibcxxNeeds : Task
{
    // Debian 12's libstdc++ (GCC 12) provides GLIBCXX up to 3.4.30; newer needs are the ones that break the load.
    const int NewestAvailableMinor = 30;
    // The only symbol allowed to lose its version check: a marker GCC 13+ emits for <iostream>, never called.
    static readonly HashSet<string> MarkerSymbols = new() { "_ZSt21ios_base_library_initv" };
    const ushort VerFlagWeak = 0x2;

    [Required] public string Library { get; set; } = "";

    public override bool Execute()
    {
        byte[] b = File.ReadAllBytes(Library);
        if (b.Length < 64 || b[0] != 0x7F || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1)
        {
            Log.LogError("{0} is not a 64-bit little-endian ELF file", Library);
            return false;
        }
        var sections = ReadSections(b);
        int verNeed = sections.FindIndex(s => s.Name == ".gnu.version_r");
        int versym = sections.FindIndex(s => s.Name == ".gnu.version");
        int dynsym = sections.FindIndex(s => s.Name == ".dynsym");
        if (verNeed < 0 || versym < 0 || dynsym < 0)
        {
            Log.LogError("{0}: no symbol version sections; unexpected TorchSharp native build", Library);
            return false;
        }

        // Version indices (vna_other) of GLIBCXX needs newer than what Debian 12 provides.
        var toWeaken = new Dictionary<ushort, (long Offset, string Name)>();
        long strtab = sections[sections[verNeed].Link].Offset;
        long p = sections[verNeed].Offset;
        while (true)
        {
            ushort count = U16(b, p + 2);
            long a = p + U32(b, p + 8);
            for (int k = 0; k < count; k++)
            {
                string name = Str(b, strtab + U32(b, a + 8));
                ushort flags = U16(b, a + 4), index = U16(b, a + 6);
                if (IsNewerGlibcxx(name) && (flags & VerFlagWeak) == 0) toWeaken[index] = (a, name);
                uint next = U32(b, a + 12);
                if (next == 0) break;
                a += next;
            }
            uint nextNeed = U32(b, p + 12);
            if (nextNeed == 0) break;
            p += nextNeed;
        }
        if (toWeaken.Count == 0)
        {
            Log.LogMessage(MessageImportance.Low, "{0}: no GLIBCXX need to weaken", Library);
            return true;
        }

        // Refuse if any real symbol (not the marker) is bound to one of those versions.
        long dynstr = sections[sections[dynsym].Link].Offset;
        long symCount = sections[dynsym].Size / 24;
        for (long i = 0; i < symCount; i++)
        {
            ushort ver = (ushort)(U16(b, sections[versym].Offset + 2 * i) & 0x7FFF);
            if (!toWeaken.ContainsKey(ver)) continue;
            string sym = Str(b, dynstr + U32(b, sections[dynsym].Offset + 24 * i));
            if (!MarkerSymbols.Contains(sym))
            {
                Log.LogError("{0}: symbol {1} needs {2}; weakening that version would break at run time. " +
                             "Use a base image with a newer libstdc++.", Library, sym, toWeaken[ver].Name);
                return false;
            }
        }

        foreach (var (offset, _) in toWeaken.Values)
            BitConverter.GetBytes((ushort)(U16(b, offset + 4) | VerFlagWeak)).CopyTo(b, offset + 4);
        string tmp = Library + ".patching";
        File.WriteAllBytes(tmp, b);
        File.Replace(tmp, Library, null);   // rename over the old file: a new inode, never written through a hard link into the NuGet cache
        Log.LogMessage(MessageImportance.Normal, "{0}: marked {1} weak", Library,
            string.Join(", ", toWeaken.Values.Select(v => v.Name)));
        return true;
    }

    static bool IsNewerGlibcxx(string name)
    {
        if (!name.StartsWith("GLIBCXX_3.4.", StringComparison.Ordinal)) return false;
        return int.TryParse(name.Substring("GLIBCXX_3.4.".Length), out int minor) && minor > NewestAvailableMinor;
    }

    record struct Section(string Name, long Offset, long Size, int Link);

    static List<Section> ReadSections(byte[] b)
    {
        long shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int size = U16(b, 0x3A), count = U16(b, 0x3C), names = U16(b, 0x3E);
        long Header(int i) => shoff + (long)i * size;
        long nameTable = (long)BitConverter.ToUInt64(b, (int)(Header(names) + 0x18));
        var list = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            long h = Header(i);
            list.Add(new Section(Str(b, nameTable + U32(b, h)), (long)BitConverter.ToUInt64(b, (int)(h + 0x18)),
                (long)BitConverter.ToUInt64(b, (int)(h + 0x20)), (int)U32(b, h + 0x28)));
        }
        return list;
    }

    static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, (int)at);
    static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, (int)at);
    static string Str(byte[] b, long at)
    {
        int end = Array.IndexOf(b, (byte)0, (int)at);
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
