using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Evaluation;

public class ReportWriterTests
{
    [Fact]
    public void Write_ProducesJsonWithEveryNumberHtmlAndPlots()
    {
        static ProtocolSummary S(double m) => new(m, 0.01, [m, m], [m, m, m]);
        var report = new ClusteringReport(10, 8, 3, [1234, 1235], S(0.61), S(0.72), S(0.33), S(0.35), S(0.12), S(0.36), 0.8, null);
        var history = new[] { new EpochMetrics(1, 2, 0.1, 3.0, 2.8, 0.2, 0.1, 3.6, 5, [2.9, 2.7]) };
        var doc = new EvaluationDocument(report, history, ["background", "disc", "square"], "unit test");
        var image = new RgbImage(8, 8, new byte[8 * 8 * 3]);
        var labels = new ByteRaster(8, 8, Enumerable.Range(0, 64).Select(i => (byte)(i % 3)).ToArray());
        using var folder = new TempFolder();

        var files = ReportWriter.Write(folder.Path, doc, [image, image], [labels, labels], [labels, labels]);

        Assert.Equal(["loss_curve.png", "per_class_iou.png", "report.html", "report.json", "samples.png"], files.Order());
        var back = JsonSerializer.Deserialize<EvaluationDocument>(File.ReadAllText(Path.Combine(folder.Path, "report.json")), Presets.Json)!;
        Assert.Equal(0.61, back.Clustering.Trained.MeanIoU);
        Assert.Equal(0.36, back.Clustering.Chance.MeanIoU);
        string html = File.ReadAllText(Path.Combine(folder.Path, "report.html"));
        Assert.Contains("61.0 ± 1.0", html);   // trained
        Assert.Contains("36.0 ± 1.0", html);   // chance
        Assert.Contains("<td>square</td>", html);
        var grid = ImageCodec.DecodeRgb(Path.Combine(folder.Path, "samples.png"));
        Assert.Equal((24, 16), (grid.Width, grid.Height));   // (image, truth, prediction) × 2 rows
        Assert.True(new FileInfo(Path.Combine(folder.Path, "per_class_iou.png")).Length > 1000);
    }
}
