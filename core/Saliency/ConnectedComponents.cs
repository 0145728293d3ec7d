using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>8-connected component labelling of a binary raster (two passes with union-find).</summary>
public static class ConnectedComponents
{
    /// <summary>Labels foreground (non-zero) pixels 1..count; returns the label per pixel and the area per label
    /// (<c>areas[0]</c> is unused).</summary>
    public static (int[] Labels, int[] Areas) Label(ByteRaster mask)
    {
        int w = mask.Width, h = mask.Height;
        var labels = new int[w * h];
        var parent = new List<int> { 0 };
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (mask.Values[i] == 0) continue;
                // Already-visited neighbours: W, NW, N, NE.
                int best = 0;
                Span<int> neighbours = [x > 0 ? labels[i - 1] : 0, x > 0 && y > 0 ? labels[i - w - 1] : 0,
                    y > 0 ? labels[i - w] : 0, x < w - 1 && y > 0 ? labels[i - w + 1] : 0];
                foreach (int l in neighbours)
                {
                    if (l == 0) continue;
                    if (best == 0) best = Find(parent, l);
                    else Union(parent, best, l);
                }
                if (best == 0)
                {
                    best = parent.Count;
                    parent.Add(best);
                }
                labels[i] = best;
            }
        // Second pass: compact the roots to 1..count.
        var compact = new int[parent.Count];
        int count = 0;
        for (int l = 1; l < parent.Count; l++)
        {
            int root = Find(parent, l);
            if (compact[root] == 0) compact[root] = ++count;
            compact[l] = compact[root];
        }
        var areas = new int[count + 1];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == 0) continue;
            labels[i] = compact[labels[i]];
            areas[labels[i]]++;
        }
        return (labels, areas);
    }

    private static int Find(List<int> parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private static void Union(List<int> parent, int a, int b)
    {
        int ra = Find(parent, a), rb = Find(parent, b);
        if (ra == rb) return;
        // Keep the smaller label as root so that the first label seen stays the representative.
        if (ra < rb) parent[rb] = ra; else parent[ra] = rb;
    }
}
