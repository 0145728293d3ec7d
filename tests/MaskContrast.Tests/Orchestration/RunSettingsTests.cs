using System.Text.Json;
using MaskContrast.Functions.Api;
using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Tests.Orchestration;

public sealed class RunSettingsTests
{
    [Fact]
    public void Resolve_ListsEveryInvalidFieldByItsJsonName()
    {
        var settings = new RunSettings("../up", "tiny", [], Epochs: 0, Proposals: (ProposalSource)7, EvalSize: 8, Clusters: 0,
            Weights: "/abs", LinearProbeEpochs: -1);

        var (config, problems) = settings.Resolve();

        Assert.Null(config);
        Assert.Equal(["clusters", "dataset", "epochs", "evalSize", "linearProbeEpochs", "proposals", "weights"], problems.Keys.Order());
        Assert.Equal(["evalSize (8) must be between 16 and 2048 (paper: 512)."], problems["evalSize"]);
        // Every message, not only the first.
        Assert.Equal(["clusters (0) must be between 1 and 254."], problems["clusters"]);
        Assert.Equal(["proposals (7) must be one of mbplus, mbplus-clusters, ft, dataset."], problems["proposals"]);
    }

    [Fact]
    public void Resolve_GoodSettings_GivesTheConfigurationWithTheEpochsAndChecksIt()
    {
        var ok = new RunSettings("toy", "tiny", ["optimizer.learningRate=0.02"], 2);

        var (config, problems) = ok.Resolve();

        Assert.Empty(problems);
        Assert.Equal((2, 0.02), (config!.Schedule.Epochs, config.Optimizer.LearningRate));
        Assert.Equal(2, ok.Recorded(config).Epochs);
        var (_, bad) = new RunSettings("toy", "tiny", ["moco.temperature=-1"], 2).Resolve();
        Assert.Contains("moco.temperature (-1) must be in (0, 10]", Assert.Single(bad["moco.temperature"]));
    }

    [Fact]
    public void Resolve_NoEpochs_TakesThePresetsAndRecordsThem()
    {
        var settings = new RunSettings("toy", "tiny", []);

        var (config, _) = settings.Resolve();

        Assert.Null(settings.Epochs);
        Assert.Equal(config!.Schedule.Epochs, settings.Recorded(config).Epochs);
        Assert.Equal(MaskContrast.Core.Config.Presets.Load("tiny").Schedule.Epochs, config.Schedule.Epochs);
    }

    [Fact]
    public void Clusters_AutoInJson_RoundTripsAsNull_AndTheHttpBodyDefaultsTo20()
    {
        var json = JsonSerializer.Serialize(new RunSettings("toy", "tiny", [], Clusters: null), RequestBody.JsonOptions);
        Assert.Contains("\"clusters\":\"auto\"", json);
        Assert.Null(JsonSerializer.Deserialize<RunSettings>(json, RequestBody.JsonOptions)!.Clusters);

        StartRunRequest Body(string text) => JsonSerializer.Deserialize<StartRunRequest>(text, RequestBody.JsonOptions)!;
        Assert.Null(Body("""{"dataset":"toy","clusters":"auto"}""").ToStartRequest().Settings.Clusters);
        Assert.Equal(12, Body("""{"dataset":"toy","clusters":12}""").ToStartRequest().Settings.Clusters);
        Assert.Equal(20, Body("""{"dataset":"toy"}""").ToStartRequest().Settings.Clusters);
        var error = Assert.Throws<JsonException>(() => Body("""{"dataset":"toy","clusters":"many"}"""));
        Assert.Contains("clusters must be a whole number of clusters (1–254) or \"auto\"", error.Message);
    }
}
