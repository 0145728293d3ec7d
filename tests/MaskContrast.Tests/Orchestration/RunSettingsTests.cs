using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Tests.Orchestration;

public sealed class RunSettingsTests
{
    [Fact]
    public void FieldProblems_ListsEveryInvalidFieldByItsJsonName()
    {
        var settings = new RunSettings("../up", "tiny", [], Epochs: 0, Proposals: "saliency", EvalSize: 8, Clusters: 0,
            Weights: "/abs", LinearProbeEpochs: -1);
        Assert.Equal(["clusters", "dataset", "epochs", "evalSize", "linearProbeEpochs", "proposals", "weights"],
            settings.FieldProblems().Select(p => p.Field).Order());
        Assert.Contains(("evalSize", "evalSize (8) must be between 16 and 2048 (paper: 512)."), settings.FieldProblems());
        // Validate throws with every message, not only the first.
        var e = Assert.Throws<ArgumentException>(() => settings.Validate());
        Assert.Contains("clusters (0) must be between 1 and 254.", e.Message);
        Assert.Contains("proposals ('saliency') must be one of mbplus, ft, dataset.", e.Message);
    }

    [Fact]
    public void Validate_GoodSettings_AlsoChecksTheTrainingConfiguration()
    {
        var ok = new RunSettings("toy", "tiny", [], 2);
        Assert.Empty(ok.FieldProblems());
        Assert.Same(ok, ok.Validate());
        var e = Assert.ThrowsAny<ArgumentException>(() => new RunSettings("toy", "tiny", ["moco.temperature=-1"], 2).Validate());
        Assert.Contains("moco.temperature (-1) must be in (0, 10]", e.Message);
    }
}
