using System.Runtime.InteropServices;

namespace MaskContrast.Core;

/// <summary>
/// Hands memory that libtorch has freed back to the operating system. glibc keeps freed blocks in its arenas for reuse,
/// and after an epoch (a whole model, its optimiser state and the batch activations freed) those blocks are scattered
/// enough that little is reused: the default recipe trained in 4-step epochs, each from the previous checkpoint as the
/// pipeline does, stayed resident at 1.1 → 2.7 GB over 6 epochs, and at 0.5–0.6 GB between epochs with a trim after each
/// (bench/README.md, "Training input and memory at VOC scale"). Trimming costs milliseconds, so it is done where large native state has just been freed.
/// </summary>
public static class NativeHeap
{
    static bool s_unavailable;

    /// <summary>Calls glibc's <c>malloc_trim(0)</c>; does nothing on other platforms or C libraries (e.g. musl), where
    /// the call does not exist.</summary>
    /// <returns>True when glibc released memory.</returns>
    public static bool Trim()
    {
        if (s_unavailable || !OperatingSystem.IsLinux()) return false;
        try { return malloc_trim(0) != 0; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
