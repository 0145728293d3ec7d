using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Bench.Proposals;

/// <summary>Writes a PNG grid: per synthetic image, the image, its ground truth, the MB+ map and the MB+ proposal.</summary>
internal static class ContactSheet
{
    public static void Run(string path, int count = 8)
    {
        var options = new SyntheticOptions(Seed: 0);
        int s = options.Width, cols = 4;
        var sheet = new byte[cols * s * count * s * 3];
        var mb = new MbPlusSaliency();
        for (int r = 0; r < count; r++)
        {
            var (image, labels) = SyntheticDataset.RenderOne(options, r);
            var map = mb.Estimate(image);
            var proposal = ProposalPostProcessor.Apply(map).Mask;
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                {
                    int i = y * s + x;
                    byte gt = labels.Values[i] > 0 ? (byte)255 : (byte)0, m = (byte)(map.Values[i] * 255), p = proposal?.Values[i] == 1 ? (byte)255 : (byte)0;
                    byte[][] tiles = [[image.Rgb[3 * i], image.Rgb[3 * i + 1], image.Rgb[3 * i + 2]], [gt, gt, gt], [m, m, m], [p, p, p]];
                    for (int c = 0; c < cols; c++)
                    {
                        int d = 3 * ((r * s + y) * cols * s + c * s + x);
                        tiles[c].CopyTo(sheet, d);
                    }
                }
        }
        File.WriteAllBytes(path, ImageCodec.EncodePng(new RgbImage(cols * s, count * s, sheet)));
        Console.WriteLine($"wrote {path}");
    }
}
