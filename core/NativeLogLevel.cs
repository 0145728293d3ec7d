using System.Runtime.InteropServices;
using TorchSharp;

namespace MaskContrast.Core;

/// <summary>
/// The stderr threshold of libtorch's own logger (c10's <c>FLAGS_caffe2_log_level</c>: 0 info, 1 warning, 2 error).
/// At its default (warning) libtorch prints start-up notes meant for its developers, e.g. "Could not initialize NNPACK!
/// Reason: Unsupported hardware." on every convolution of a CPU that NNPACK does not support (72 lines in one demo run).
/// The programs call <see cref="ShowOnlyErrors"/> once at start; warnings that TorchSharp raises as .NET exceptions or
/// that libtorch sends through its warning handler are not affected.
/// </summary>
public static class NativeLogLevel
{
    /// <summary>c10's level for errors.</summary>
    public const int Error = 2;

    private const string Flag = "FLAGS_caffe2_log_level";

    /// <summary>Raises libtorch's logger threshold to <see cref="Error"/>; false when the flag is not found. Loads only c10
    /// (small), from where TorchSharp loads it: libtorch, loaded later, uses that same c10 and so sees the level.</summary>
    public static bool ShowOnlyErrors()
    {
        if (FlagAddress() is not { } address) return false;
        Marshal.WriteInt32(address, Error);
        return true;
    }

    /// <summary>The current threshold, or null when the flag is not found.</summary>
    public static int? Current => FlagAddress() is { } address ? Marshal.ReadInt32(address) : null;

    private static IntPtr? FlagAddress()
    {
        foreach (var name in new[] { "libc10.so", "c10.dll", "libc10.dylib" })
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out var c10)
                && NativeLibrary.TryGetExport(c10, Flag, out var address))
                return address;
        return null;
    }
}
