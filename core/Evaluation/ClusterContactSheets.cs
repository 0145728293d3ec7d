using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>One cluster as the report shows it.</summary>
/// <param name="Label">Segmentation label of the cluster (1..K; 0 is background).</param>
/// <param name="Segments">Segments (objects, or images under the per-image assignment) of the split in the cluster.</param>
/// <param name="Share">Its share of all segments.</param>
/// <param name="Spread">Root-mean-square distance of its segments to its centre, in the PCA space the clusters live in
/// (0 for an empty cluster); compare it between clusters of one report, not across reports.</param>
/// <param name="MatchedClass">Index of the class the evaluation matched the cluster to, when the split has labels.</param>
/// <param name="File">The PNG strip of its segments nearest the centre.</param>
public sealed record ClusterSheet(int Label, int Segments, double Share, double Spread, int? MatchedClass, string File);

/// <summary>The report's clusters with their strips (<see cref="Images"/>[i] is the PNG of <see cref="Clusters"/>[i]).</summary>
public sealed record ContactSheets(IReadOnlyList<ClusterSheet> Clusters, IReadOnlyList<byte[]> Images);

/// <summary>
/// Contact sheets: what each cluster holds, so that a user of unlabelled data can tell what "cluster 7" is. For every
/// cluster, the segments nearest its centre as square tiles (the segment's bounding box with a margin, its outline in
/// the cluster's colour), with the cluster's share and spread; with labels, the class it was matched to.
/// </summary>
public static class ClusterContactSheets
{
    /// <summary>Tiles per strip.</summary>
    public const int PerCluster = 8;
    /// <summary>Side of a tile in pixels.</summary>
    public const int TileSize = 96;

    /// <summary>The file of cluster <paramref name="label"/>'s strip.</summary>
    public static string FileName(int label) => $"cluster-{label:D2}.png";

    /// <summary>
    /// The sheets of the clusters of <paramref name="result"/> (best seed) over the split of <paramref name="outputs"/>:
    /// segments are the objects when <paramref name="byObject"/>, else the images' whole salient masks. The matched class
    /// is given when <paramref name="labelled"/>.
    /// </summary>
    public static ContactSheets Build(SplitOutputs outputs, ClusteringProtocolResult result, bool byObject, bool labelled,
        int perCluster = PerCluster, int tileSize = TileSize)
    {
        var pca = result.Pca ?? throw new ArgumentException("the protocol result has no PCA (chance level has no clusters)", nameof(result));
        var best = result.Best;
        // (image, object): object 0 stands for the image's whole salient mask (per-image assignment).
        var segments = new List<(int Image, int Object)>();
        for (int i = 0; i < outputs.Ids.Count; i++)
        {
            if (!byObject) segments.Add((i, 0));
            else segments.AddRange(Enumerable.Range(1, outputs.Objects[i].Count).Select(o => (i, o)));
        }
        ByteRaster MaskOf((int Image, int Object) s)
        {
            if (s.Object == 0) return outputs.PredictedMasks[s.Image];
            var objects = outputs.Objects[s.Image];
            return new ByteRaster(objects.Width, objects.Height, objects.ObjectOf.Select(v => v == s.Object ? (byte)1 : (byte)0).ToArray());
        }
        var prototypes = byObject ? outputs.ObjectPrototypes : outputs.Prototypes;
        int k = best.Centroids.GetLength(0), n = segments.Count;
        var (cluster, distance) = n == 0 ? ([], []) : Nearest(pca, best.Centroids, prototypes.narrow(0, 0, n));

        var sheets = new List<ClusterSheet>();
        var images = new List<byte[]>();
        for (int c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, n).Where(m => cluster[m] == c).OrderBy(m => distance[m]).ToList();
            double spread = members.Count == 0 ? 0 : Math.Sqrt(members.Average(m => distance[m] * distance[m]));
            int label = c + 1;
            int? matched = labelled && best.LabelToClass[label] >= 0 ? best.LabelToClass[label] : null;
            sheets.Add(new ClusterSheet(label, members.Count, n == 0 ? 0 : members.Count / (double)n, spread, matched, FileName(label)));
            var tiles = members.Take(perCluster).Select(m => Tile(outputs.Colours[segments[m].Image], MaskOf(segments[m]), label, tileSize)).ToList();
            images.Add(ImageCodec.EncodePng(Strip(tiles, perCluster, tileSize)));
        }
        return new ContactSheets(sheets, images);
    }

    // Each segment's cluster and its distance to that cluster's centre, in the PCA space of the protocol.
    static (int[] Cluster, double[] Distance) Nearest(Pca pca, double[,] centroids, Tensor prototypes)
    {
        var features = KMeansProtocol.Project(pca, prototypes);
        var cluster = KMeans.Predict(centroids, features);
        var distance = new double[cluster.Length];
        for (int m = 0; m < cluster.Length; m++)
        {
            double sum = 0;
            for (int d = 0; d < features.GetLength(1); d++)
            {
                double diff = features[m, d] - centroids[cluster[m], d];
                sum += diff * diff;
            }
            distance[m] = Math.Sqrt(sum);
        }
        return (cluster, distance);
    }

    /// <summary>
    /// The segment's bounding box with a quarter of its size as margin, made square, resized (nearest) to
    /// <paramref name="size"/>², with the segment's boundary pixels in the label's palette colour.
    /// </summary>
    internal static RgbImage Tile(RgbImage image, ByteRaster mask, int label, int size)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (int y = 0; y < mask.Height; y++)
            for (int x = 0; x < mask.Width; x++)
                if (mask.Values[y * mask.Width + x] != 0) { x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x); y1 = Math.Max(y1, y); }
        if (x1 < 0) (x0, y0, x1, y1) = (0, 0, mask.Width - 1, mask.Height - 1);   // an empty mask shows the whole image
        int side = (int)Math.Ceiling(Math.Max(x1 - x0 + 1, y1 - y0 + 1) * 1.5);
        int cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, left = cx - side / 2, top = cy - side / 2;
        var rgb = new byte[size * size * 3];
        byte r = VocPalette.Rgb[label * 3], g = VocPalette.Rgb[label * 3 + 1], b = VocPalette.Rgb[label * 3 + 2];
        for (int ty = 0; ty < size; ty++)
            for (int tx = 0; tx < size; tx++)
            {
                int sx = left + tx * side / size, sy = top + ty * side / size, o = (ty * size + tx) * 3;
                if (sx < 0 || sy < 0 || sx >= image.Width || sy >= image.Height) continue;   // outside the image: black
                int p = sy * image.Width + sx;
                if (IsBoundary(mask, sx, sy, Math.Max(1, side / size)))
                    (rgb[o], rgb[o + 1], rgb[o + 2]) = (r, g, b);
                else
                    (rgb[o], rgb[o + 1], rgb[o + 2]) = (image.Rgb[p * 3], image.Rgb[p * 3 + 1], image.Rgb[p * 3 + 2]);
            }
        return new RgbImage(size, size, rgb);
    }

    // Inside the segment with a pixel outside it (or the image edge) within `reach`: drawn as the outline.
    static bool IsBoundary(ByteRaster mask, int x, int y, int reach)
    {
        if (mask.Values[y * mask.Width + x] == 0) return false;
        foreach (var (dx, dy) in new[] { (reach, 0), (-reach, 0), (0, reach), (0, -reach) })
        {
            int nx = x + dx, ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= mask.Width || ny >= mask.Height || mask.Values[ny * mask.Width + nx] == 0) return true;
        }
        return false;
    }

    // The tiles side by side with a 2-pixel grey gap; a cluster with fewer segments keeps empty (grey) places.
    static RgbImage Strip(IReadOnlyList<RgbImage> tiles, int places, int size)
    {
        const int Gap = 2;
        int width = places * size + (places - 1) * Gap;
        var rgb = Enumerable.Repeat((byte)200, width * size * 3).ToArray();
        for (int t = 0; t < tiles.Count; t++)
            for (int y = 0; y < size; y++)
                Array.Copy(tiles[t].Rgb, y * size * 3, rgb, (y * width + t * (size + Gap)) * 3, size * 3);
        return new RgbImage(width, size, rgb);
    }
}
