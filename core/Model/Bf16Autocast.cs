using System.Runtime.InteropServices;
using TorchSharp;

namespace MaskContrast.Core.Model;

/// <summary>
/// libtorch's autocast (what <c>torch.autocast(device, dtype=torch.bfloat16)</c> does in Python) for one forward pass:
/// convolutions and matrix products run in bfloat16 on float32 weights, the ops autocast keeps in float32 stay there.
/// TorchSharp 0.107 does not expose autocast, so this calls the <c>at::autocast</c> functions of <c>libtorch_cpu</c>,
/// whose arguments are plain enums and a bool. The switch is per thread, like Python's.
/// </summary>
public static class Bf16Autocast
{
    const string Torch = "libtorch_cpu";
    const sbyte BFloat16 = 15;   // c10::ScalarType::BFloat16

    /// <summary>
    /// Whether bfloat16 autocast is worth running on <paramref name="device"/>: CUDA always, a CPU only with AVX-512 BF16
    /// or AMX instructions (elsewhere libtorch would emulate bfloat16, slower than float32). False as well when the
    /// native library lacks the functions, so <c>model.precision=bf16</c> falls back to float32 instead of failing.
    /// </summary>
    public static bool IsAvailable(DeviceType device) => device switch
    {
        DeviceType.CUDA => s_native.Value,
        DeviceType.CPU => s_native.Value && s_cpu.Value,
        _ => false,
    };

    /// <summary>Autocast on for <paramref name="device"/> until the returned scope is disposed, when its weight casts are dropped.</summary>
    public static IDisposable Enter(DeviceType device)
    {
        var type = (sbyte)device;
        bool was = is_autocast_enabled(type);
        increment_nesting();
        set_autocast_dtype(type, BFloat16);
        set_autocast_enabled(type, true);
        return new Scope(type, was);
    }

    sealed class Scope(sbyte device, bool was) : IDisposable
    {
        public void Dispose()
        {
            set_autocast_enabled(device, was);
            // As Python's autocast exit: the cached bfloat16 copies of the weights are freed when the outermost scope ends.
            if (decrement_nesting() == 0) clear_cache();
        }
    }

    static readonly Lazy<bool> s_native = new(() => Probe(() => { is_autocast_enabled((sbyte)DeviceType.CPU); return true; }));
    static readonly Lazy<bool> s_cpu = new(() => Probe(() => is_avx512_bf16_supported() || is_amx_tile_supported()));

    static bool Probe(Func<bool> call)
    {
        try { return call(); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool is_autocast_enabled(sbyte device);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    static extern void set_autocast_enabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    static extern void set_autocast_dtype(sbyte device, sbyte dtype);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast17increment_nestingEv")]
    static extern int increment_nesting();

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast17decrement_nestingEv")]
    static extern int decrement_nesting();

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    static extern void clear_cache();

    [DllImport(Torch, EntryPoint = "_ZN2at3cpu24is_avx512_bf16_supportedEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool is_avx512_bf16_supported();

    [DllImport(Torch, EntryPoint = "_ZN2at3cpu21is_amx_tile_supportedEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool is_amx_tile_supported();
}
