using System.Collections;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Model;

// Fixtures are real PyTorch pickles written by Golden/make_golden.py (torch.save) for a narrow ResNet of width 4.
public class PretrainedWeightsTests
{
    static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);
    static readonly JsonElement Sums = JsonDocument.Parse(File.ReadAllText(Golden("narrow4_sums.json"))).RootElement;
    static ModelConfig Narrow4 => Presets.Load("tiny").Model with { NarrowWidth = 4 };

    [Fact]
    public void TorchVisionStateDict_FillsBackbone_ReportsFcAsUnexpected()
    {
        using var model = new SegmentationModel(Narrow4);
        var report = PretrainedWeights.Load(model, Golden("torchvision_narrow4.pth"), WeightFormat.TorchVision);
        Assert.Empty(report.Missing);
        Assert.Equal(["backbone.fc.bias", "backbone.fc.weight"], report.Unexpected);
        var sd = model.state_dict();
        Assert.Equal(Sums.GetProperty("conv1Sum").GetDouble(), sd["backbone.conv1.weight"].sum().item<float>(), 3);
        Assert.Equal(Sums.GetProperty("layer4Conv2Sum").GetDouble(), sd["backbone.layer4.0.conv2.weight"].sum().item<float>(), 3);
        Assert.Equal(Sums.GetProperty("bn1RunningVarSum").GetDouble(), sd["backbone.bn1.running_var"].sum().item<float>(), 4);
    }

    [Fact]
    public void MocoCheckpoint_StripsEncoderQPrefix_IgnoresKeyEncoder()
    {
        using var model = new SegmentationModel(Narrow4);
        var report = PretrainedWeights.Load(model, Golden("moco_narrow4.pth.tar"), WeightFormat.Moco);
        Assert.Empty(report.Missing);
        Assert.Contains("(ignored) module.encoder_k.conv1.weight", report.Unexpected);
        Assert.Contains("backbone.fc.weight", report.Unexpected);
        // the fixture stores 2× the TorchVision values under module.encoder_q.
        Assert.Equal(2 * Sums.GetProperty("conv1Sum").GetDouble(), model.state_dict()["backbone.conv1.weight"].sum().item<float>(), 3);
    }

    [Fact]
    public void WrongArchitecture_IsRefusedWithShapes()
    {
        using var model = new SegmentationModel(Narrow4 with { NarrowWidth = 8 });
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, Golden("torchvision_narrow4.pth"), WeightFormat.TorchVision));
        Assert.Contains("backbone.conv1.weight file [4,3,7,7] model [8,3,7,7]", e.Message);
    }

    [Fact]
    public void MaskContrastCheckpoint_LoadsQueryModel()
    {
        using var scope = NewDisposeScope();
        using var trained = new ContrastiveModel(Narrow4, 8);
        string path = Path.Combine(Path.GetTempPath(), $"mc-{Guid.NewGuid():N}.pth");
        try
        {
            // Official keys carry the DDP prefix: module.model_q.*, module.model_k.*, module.queue
            var dict = new Hashtable();
            foreach (var (k, v) in trained.state_dict()) dict["module." + k] = v;
            PyTorchPickler.PickleStateDict(path, dict);
            using var model = new SegmentationModel(Narrow4);
            var report = PretrainedWeights.Load(model, path, WeightFormat.MaskContrast);
            Assert.Empty(report.Missing);
            Assert.Contains("(ignored) module.queue", report.Unexpected);
            var expected = trained.Query.state_dict();
            foreach (var (k, v) in model.state_dict()) Assert.True(v.eq(expected[k]).all().item<bool>(), k);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NotAPickle_GivesClearError()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "hello");
        using var model = new SegmentationModel(Narrow4);
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(model, path, WeightFormat.TorchVision));
        Assert.Contains("is not a PyTorch state dict", e.Message);
        File.Delete(path);
    }
}
