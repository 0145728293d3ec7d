namespace MaskContrast.Core.Saliency;

/// <summary>
/// Per-thread scratch buffers for the estimators. A 300×225 working image needs a dozen 270 KB float planes; allocated
/// per image they land on the large-object heap and trigger a gen-2 collection every few images, which stalls the
/// other worker thread — reusing them is what lets two threads scale (measured in bench/ProposalsBench).
/// </summary>
internal sealed class Workspace
{
#pragma warning disable IDE1006 // t_ marks a [ThreadStatic] field (the dotnet/runtime convention), not s_
    [ThreadStatic]
    private static Workspace? t_current;
#pragma warning restore IDE1006

    private int _capacity;

    /// <summary>The calling thread's workspace, grown to hold at least <paramref name="pixels"/> pixels.</summary>
    public static Workspace For(int pixels)
    {
        var ws = t_current ??= new Workspace();
        if (ws._capacity < pixels)
            ws.Allocate(pixels);
        return ws;
    }

    public float[] L = [], A = [], B = [], Mbd = [], S = [], D = [], U = [], Lo = [], F1 = [], F2 = [], F3 = [];
    public byte[] Rgb = [], Plane = [], Filtered = [], BarrierD = [], BarrierU = [], BarrierL = [];
    public float[] Rows = [];
    public readonly Queue<int> Queue = new();

    private void Allocate(int pixels)
    {
        _capacity = pixels;
        L = new float[pixels]; A = new float[pixels]; B = new float[pixels];
        Mbd = new float[pixels]; S = new float[pixels];
        D = new float[pixels]; U = new float[pixels]; Lo = new float[pixels];
        F1 = new float[pixels]; F2 = new float[pixels]; F3 = new float[pixels];
        Rgb = new byte[pixels * 3]; Plane = new byte[pixels]; Filtered = new byte[pixels];
        BarrierD = new byte[pixels]; BarrierU = new byte[pixels]; BarrierL = new byte[pixels];
    }

    /// <summary>Scratch for the horizontal pass of the area downscale (source rows × output columns × 3).</summary>
    public float[] RowsFor(int length)
    {
        if (Rows.Length < length)
            Rows = new float[length];
        return Rows;
    }
}
