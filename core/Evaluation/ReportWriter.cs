using System.Net;
using System.Text;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Training;

namespace MaskContrast.Core.Evaluation;

/// <summary>Everything a run's evaluation report shows, as written to <c>report.json</c>.</summary>
public sealed record EvaluationDocument(ClusteringReport Clustering, EpochMetrics[] Training, string[]? ClassNames, string Note,
    ExtraProtocolScores? Extras = null, IReadOnlyList<ClusterSheet>? Clusters = null, NameCarry? Names = null);

/// <summary>
/// Writes an evaluation report into a folder: <c>report.json</c> (every number), <c>report.html</c> (tables and plots),
/// <c>per_class_iou.png</c>, <c>loss_curve.png</c>, <c>samples.png</c> (image, ground truth, prediction per row) and, with
/// contact sheets, <c>cluster-NN.png</c> per cluster (<see cref="ClusterContactSheets"/>).
/// </summary>
public static class ReportWriter
{
    // Skia's dependency-free Linux build cannot ask fontconfig for fonts, so plots would carry no text: give ScottPlot a
    // font file that Debian and Ubuntu images usually have. Without one, plots keep bars and lines; the HTML keeps the numbers.
    static readonly string[] s_fontFiles = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"];
    static readonly string? s_font = RegisterFont();

    static string? RegisterFont()
    {
        var file = s_fontFiles.FirstOrDefault(File.Exists);
        if (file is null) return null;
        ScottPlot.Fonts.AddFontFile("ReportSans", file);
        ScottPlot.Fonts.Default = "ReportSans";
        return file;
    }

    public static IReadOnlyList<string> Write(string folder, EvaluationDocument doc, IReadOnlyList<RgbImage> sampleImages,
        IReadOnlyList<ByteRaster> sampleTruth, IReadOnlyList<ByteRaster> samplePrediction, ContactSheets? sheets = null)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        if (sheets is not null)
        {
            doc = doc with { Clusters = sheets.Clusters };
            for (int i = 0; i < sheets.Clusters.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, sheets.Clusters[i].File), sheets.Images[i]);
                files.Add(sheets.Clusters[i].File);
            }
        }
        File.WriteAllText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(doc, Presets.Json));
        PlotClassIoU(doc, Path.Combine(folder, "per_class_iou.png"));
        PlotLoss(doc.Training, Path.Combine(folder, "loss_curve.png"));
        if (sampleImages.Count > 0)
            File.WriteAllBytes(Path.Combine(folder, "samples.png"), ImageCodec.EncodePng(SampleGrid(sampleImages, sampleTruth, samplePrediction)));
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(doc, sampleImages.Count > 0));
        return ["report.json", "report.html", "per_class_iou.png", "loss_curve.png", .. sampleImages.Count > 0 ? new[] { "samples.png" } : [], .. files];
    }

    static string ClassName(EvaluationDocument doc, int c) => doc.ClassNames is { } n && c < n.Length ? n[c] : c == 0 ? "background" : $"class {c}";

    /// <summary>A plot that uses the registered report font (so its text renders on Linux without fontconfig).</summary>
    public static ScottPlot.Plot NewPlot()
    {
        var plot = new ScottPlot.Plot();
        if (s_font is not null) plot.Font.Set("ReportSans");
        return plot;
    }

    static void PlotClassIoU(EvaluationDocument doc, string path)
    {
        var plot = NewPlot();
        var iou = doc.Clustering.Trained.ClassIoU;
        var bars = plot.Add.Bars(iou.Select(v => v * 100).ToArray());
        bars.Color = ScottPlot.Colors.SteelBlue;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, iou.Length).Select(i => (double)i).ToArray(),
            Enumerable.Range(0, iou.Length).Select(i => ClassName(doc, i)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 90;   // room for the rotated class names
        var chance = plot.Add.HorizontalLine(doc.Clustering.Chance.MeanIoU * 100);
        chance.LegendText = "chance mIoU";
        plot.YLabel("IoU (%)");
        plot.Title($"K-means protocol, best seed — mIoU {doc.Clustering.Trained.MeanIoU * 100:F1} %");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend();
        plot.SavePng(path, 800, 450);
    }

    static void PlotLoss(EpochMetrics[] history, string path)
    {
        var plot = NewPlot();
        var steps = history.SelectMany(h => h.StepContrastive).ToArray();
        if (steps.Length > 0)
        {
            plot.Add.Signal(steps).LegendText = "contrastive loss per step";
            var chance = plot.Add.HorizontalLine(history[0].ChanceContrastive);
            chance.LegendText = "chance ln(B + K)";
            chance.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 800, 400);
    }

    /// <summary>Rows of (image, ground truth, prediction) at the evaluation size; labels drawn with <see cref="LabelColours"/>.</summary>
    public static RgbImage SampleGrid(IReadOnlyList<RgbImage> images, IReadOnlyList<ByteRaster> truth, IReadOnlyList<ByteRaster> prediction)
    {
        int s = images[0].Width, h = images[0].Height, w = 3 * s;
        var rgb = new byte[w * h * images.Count * 3];
        for (int r = 0; r < images.Count; r++)
        {
            byte[] colours = images[r].Rgb, labels = truth[r].Values, predicted = prediction[r].Values;   // once per row: lists may make them on access
            for (int y = 0; y < h; y++)
                for (int x = 0; x < s; x++)
                {
                    int p = y * s + x, row = (r * h + y) * w;
                    Array.Copy(colours, 3 * p, rgb, 3 * (row + x), 3);
                    LabelColours.Write(labels[p], rgb, 3 * (row + s + x));
                    LabelColours.Write(predicted[p], rgb, 3 * (row + 2 * s + x));
                }
        }
        return new RgbImage(w, h * images.Count, rgb);
    }

    static string Extras(ExtraProtocolScores? x)
    {
        if (x is null) return "";
        static string P(double? v) => v is { } d ? $"{d * 100:F1}" : "–";
        return "<h2>Other protocols (mIoU %)</h2><table>" +
               $"<tr><td>linear probe on the frozen decoder, epoch {x.LinearProbeEpoch?.ToString() ?? "–"} chosen on held-out training images</td><td>{P(x.LinearProbeMeanIoU)}</td></tr>" +
               $"<tr><td>linear probe, epoch chosen on the evaluation split (the official selection; optimistic)</td><td>{P(x.LinearProbeValSelectedMeanIoU)}</td></tr>" +
               $"<tr><td>segment retrieval, all classes</td><td>{P(x.RetrievalMeanIoU)}</td></tr>" +
               $"<tr><td>segment retrieval, VOC 7 classes</td><td>{P(x.RetrievalVoc7MeanIoU)}</td></tr></table>";
    }

    // The K sweep: the label-free evidence for the number of clusters, and what was done with it.
    static string Sweep(ClusteringReport c)
    {
        if (c.Sweep is not { } sweep) return "";
        string used = $"The clusters above use K = {c.NumClasses - 1}" + (c.AutoClusters
            ? ", the sweep's pick (<code>--clusters auto</code>)." : ": the labels' C − 1, or the number the run was given.");
        var sb = new StringBuilder("<h2>Number of clusters (K sweep)</h2>")
            .Append($"<p>k-means into each K over the same {sweep.Segments} PCA-projected prototypes the protocol clusters, " +
                    "5 seeds with one k-means++ start each. Stability: mean adjusted Rand index between the seeds' partitions (1 = the same " +
                    "clusters every time). Silhouette, inertia and the smallest cluster's share: the lowest-inertia seed. " +
                    $"{WebUtility.HtmlEncode(sweep.Reason)}. {used}</p>")
            .Append("<table><tr><th>K</th><th>stability (ARI)</th><th>silhouette</th><th>inertia</th><th>smallest cluster %</th></tr>");
        foreach (var r in sweep.Rows)
            sb.Append($"<tr><td>{r.K}{(r.K == sweep.Chosen ? " ← auto" : "")}</td><td>{r.Stability:F2}</td><td>{r.Silhouette:F2}</td><td>{r.Inertia:F1}</td><td>{r.SmallestShare * 100:F1}</td></tr>");
        return sb.Append("</table>").ToString();
    }

    // Every cluster with its contact sheet: what a user of unlabelled data looks at to tell what each cluster is.
    static string Clusters(EvaluationDocument doc)
    {
        if (doc.Clusters is not { Count: > 0 } clusters) return "";
        bool labelled = clusters.Any(c => c.MatchedClass is not null);
        var sb = new StringBuilder("<h2>Clusters</h2><p>Each cluster's segments nearest its centre (outlined in the cluster's colour, " +
            "the label its segmentation maps carry); share of all segments of the split; spread = RMS distance to the centre " +
            "(compare clusters of this report only).</p><table><tr><th>cluster</th>" + (labelled ? "<th>matched class</th>" : "") +
            "<th>segments</th><th>share %</th><th>spread</th><th></th></tr>");
        foreach (var c in clusters)
            sb.Append($"<tr><td>{c.Label}</td>")
              .Append(labelled ? $"<td>{(c.MatchedClass is { } m ? WebUtility.HtmlEncode(ClassName(doc, m)) : "–")}</td>" : "")
              .Append($"<td>{c.Segments}</td><td>{c.Share * 100:F1}</td><td>{c.Spread:F2}</td>")
              .Append($"<td><img src=\"{c.File}\" alt=\"cluster {c.Label}\" width=\"400\"></td></tr>");
        return sb.Append("</table>").ToString();
    }

    // The names inherited from the previous model: which old cluster each new one was matched to, and how well.
    static string Names(NameCarry? carry)
    {
        if (carry is null) return "";
        var sb = new StringBuilder($"<h2>Cluster names carried over</h2><p>From {WebUtility.HtmlEncode(carry.Source)}. ");
        if (carry.Problem is { } problem)
            return sb.Append($"No names were carried: {WebUtility.HtmlEncode(problem)}</p>").ToString();
        sb.Append($"Both models segmented the same {carry.ReferenceImages} images; each new cluster was matched to one previous cluster " +
            $"(Hungarian assignment on their agreement, the IoU of the two clusters where both models see an object) and inherits its name " +
            $"when they agree at least {carry.MinAgreement:0.00}. A flagged cluster has no good match and keeps its number.</p>" +
            "<table><tr><th>cluster</th><th>previous cluster</th><th>agreement</th><th>name</th></tr>");
        foreach (var c in carry.Clusters)
            sb.Append($"<tr><td>{c.Label}</td><td>{(c.PreviousLabel is { } p ? $"{p} {WebUtility.HtmlEncode(c.PreviousName ?? "")}" : "–")}</td>")
              .Append($"<td>{c.Agreement:0.00}</td><td>{(c.Flagged ? "<b>flagged: no good match</b>" : WebUtility.HtmlEncode(c.Name ?? "–"))}</td></tr>");
        sb.Append("</table>");
        if (carry.NotCarried.Count > 0)
            sb.Append($"<p>Names not carried: {WebUtility.HtmlEncode(string.Join(", ", carry.NotCarried.Select(n => $"{n.Key} '{n.Value}'")))}.</p>");
        return sb.ToString();
    }

    static string Html(EvaluationDocument doc, bool samples)
    {
        var c = doc.Clustering;
        static string F(ProtocolSummary? s) => s is null ? "–" : $"{s.MeanIoU * 100:F1} ± {s.StdIoU * 100:F1}";
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>MaskContrast evaluation</title>")
          .Append("<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}td,th{padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>")
          .Append("<h1>MaskContrast evaluation</h1>")
          .Append($"<p>{WebUtility.HtmlEncode(doc.Note)}</p>")
          .Append($"<p>{c.Images} images at {c.Size}×{c.Size}, {c.NumClasses} classes (background included), k-means seeds {string.Join(", ", c.Seeds)}. ")
          .Append($"Saliency head: foreground IoU {c.SaliencyIoU * 100:F1} %. PCA {(c.Whitened ? "whitened (official)" : "not whitened")}; ")
          .Append($"the model bundle gives one cluster per {(c.Assignment == ClusterAssignment.Object ? "object (connected component of the saliency mask)" : "image (official)")}.</p>")
          .Append("<table><tr><th>K-means protocol (mIoU %, mean ± std over seeds)</th><th></th></tr>")
          .Append($"<tr><td>trained model, its own saliency masks, one cluster per image (official protocol)</td><td>{F(c.Trained)}</td></tr>")
          .Append(c.PerObject is null ? "" : $"<tr><td>trained model, its own saliency masks, one cluster per object</td><td>{F(c.PerObject)}</td></tr>")
          .Append($"<tr><td>trained model, true foreground</td><td>{F(c.TrainedTrueForeground)}</td></tr>")
          .Append($"<tr><td>the network at its initial weights, its own masks</td><td>{F(c.Untrained)}</td></tr>")
          .Append($"<tr><td>the network at its initial weights, true foreground</td><td>{F(c.UntrainedTrueForeground)}</td></tr>")
          .Append($"<tr><td>k-means on raw pixel colours</td><td>{F(c.RawColours)}</td></tr>")
          .Append($"<tr><td>chance: true foreground, random cluster per image</td><td>{F(c.Chance)}</td></tr>")
          .Append(c.PerImageCeiling is not { } ceiling ? "" : $"<tr><td>ceiling of one cluster per image: true foreground, each image's majority class</td><td>{ceiling * 100:F1}</td></tr>")
          .Append(c.PixelClustering is null ? "" : $"<tr><td>pixel-level clustering (several clusters per image)</td><td>{F(c.PixelClustering)}</td></tr>")
          .Append("</table>")
          .Append(Extras(doc.Extras))
          .Append("<h2>Per-class IoU</h2><table><tr><th>class</th><th>IoU %</th></tr>");
        for (int i = 0; i < c.Trained.ClassIoU.Length; i++)
            sb.Append($"<tr><td>{WebUtility.HtmlEncode(ClassName(doc, i))}</td><td>{c.Trained.ClassIoU[i] * 100:F1}</td></tr>");
        sb.Append("</table><img src=\"per_class_iou.png\" alt=\"per-class IoU\"><h2>Training</h2><table><tr><th>epoch</th><th>loss</th><th>contrastive</th><th>chance</th><th>saliency</th><th>seconds</th></tr>");
        foreach (var e in doc.Training)
            sb.Append($"<tr><td>{e.Epoch}</td><td>{e.Loss:F3}</td><td>{e.Contrastive:F3}</td><td>{e.ChanceContrastive:F3}</td><td>{e.Saliency:F3}</td><td>{e.Seconds:F0}</td></tr>");
        sb.Append("</table><img src=\"loss_curve.png\" alt=\"loss curve\">");
        if (samples) sb.Append("<h2>Samples</h2><p>image · ground truth · prediction (matched clusters)</p><img src=\"samples.png\" alt=\"samples\">");
        sb.Append(Clusters(doc)).Append(Sweep(c)).Append(Names(doc.Names));
        return sb.Append("</body></html>").ToString();
    }
}

/// <summary>A fixed colour per label (VOC's colour map, <see cref="VocPalette"/>), used by reports and overlays; 255 is white.</summary>
public static class LabelColours
{
    public static void Write(byte label, byte[] rgb, int offset)
    {
        if (label == 255) { rgb[offset] = rgb[offset + 1] = rgb[offset + 2] = 255; return; }
        Array.Copy(VocPalette.Rgb, 3 * label, rgb, offset, 3);
    }
}
