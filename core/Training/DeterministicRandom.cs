using System.Numerics;

namespace MaskContrast.Core.Training;

/// <summary>
/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64) whose stream is derived from a tuple of
/// integers such as (seed, epoch, step, slot). Every random decision of training is drawn from a stream named by where
/// it happens, so a resumed run reproduces an uninterrupted one by construction, without saving generator state.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(params long[] stream)
    {
        ulong x = 0x9E3779B97F4A7C15UL;
        foreach (long v in stream) x = SplitMix(x ^ (ulong)v);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    static ulong SplitMix(ref ulong x) { x += 0x9E3779B97F4A7C15UL; return SplitMix(x); }

    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9, t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [a, b).</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => n <= 0 ? throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive") : (int)(NextUInt64() % (ulong)n);

    /// <summary>Uniform integer in [lo, hi] inclusive.</summary>
    public int NextInt(int lo, int hi) => lo + NextInt(hi - lo + 1);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>A random permutation of 0..n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = NextInt(i + 1); (a[i], a[j]) = (a[j], a[i]); }
        return a;
    }
}
