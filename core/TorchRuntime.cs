using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core;

/// <summary>Chooses the compute device and reports what the native library offers.</summary>
public static class TorchRuntime
{
    /// <summary>CUDA when the CUDA natives are present and a GPU is visible, otherwise CPU. One code path for both.</summary>
    public static Device DefaultDevice => cuda.is_available() ? CUDA : CPU;

    /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => DefaultDevice,
        "cpu" => CPU,
        var s when s.StartsWith("cuda", StringComparison.Ordinal) =>
            cuda.is_available()
                ? new Device(s)
                : throw new ArgumentException($"device '{name}' was requested but no CUDA device is available; use 'cpu' or 'auto'", nameof(name)),
        _ => throw new ArgumentException($"device '{name}' is not one of auto, cpu, cuda, cuda:N", nameof(name)),
    };
}
