using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Tests;

// Fails loudly when libtorch cannot be loaded, e.g. when the build-time GLIBCXX patch (build/TorchSharpNativeFix.targets)
// did not run on this output folder.
public class NativeLoadTests
{
    [Fact]
    public void Libtorch_LoadsAndComputes()
    {
        using var a = arange(6, dtype: float32).reshape(2, 3);
        using var s = a.sum();
        Assert.Equal(15f, s.item<float>());
    }

    [Fact]
    public void CpuBuild_ReportsNoCuda()
    {
        // The test project is built with the CPU natives; asking for CUDA must be a clean "false", never a crash.
        Assert.False(cuda.is_available());
        Assert.Equal(DeviceType.CPU, MaskContrast.Core.TorchRuntime.DefaultDevice.type);
    }

    [Fact]
    public void OutputLibrary_IsPatchedAtBuildTime()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(lib), $"{lib} missing: the linux-x64 natives were not copied");
        // The patch sets VER_FLG_WEAK on the GLIBCXX_3.4.32 need; reading the library is enough to prove it ran
        // without relying on this machine's libstdc++ version.
        Assert.True(ElfVersionNeeds.IsWeak(lib, "GLIBCXX_3.4.32"), "GLIBCXX_3.4.32 need is not weak in the output copy");
    }
}
