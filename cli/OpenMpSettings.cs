using System.Runtime.InteropServices;

namespace MaskContrast.Cli;

/// <summary>
/// libgomp's worker threads busy-wait by default; on shared cores that made training steps 3–10× slower
/// (bench/README.md). OpenMP reads OMP_WAIT_POLICY when libtorch loads it, from the native environment, which
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change on Unix: hence setenv.
/// </summary>
internal static partial class OpenMpSettings
{
    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE unless the user chose a policy. Call before the first TorchSharp call.</summary>
    public static void PreferPassiveWaiting()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");   // child processes (train-epoch) inherit it
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
