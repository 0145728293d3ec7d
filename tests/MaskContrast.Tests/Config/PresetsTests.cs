using MaskContrast.Core.Config;

namespace MaskContrast.Tests.Config;

public class PresetsTests
{
    [Fact]
    public void Paper_IsTheOfficialUnsupervisedSaliencyConfiguration()
    {
        var c = Presets.Load("paper");
        Assert.Equal((224, 0.2, 1.0, 0.8, 0.2, 0.01, 0.99), (c.Data.CropSize, c.Data.CropScaleMin, c.Data.CropScaleMax,
            c.Data.JitterProbability, c.Data.GrayscaleProbability, c.Data.MinForeground, c.Data.MaxForeground));
        Assert.Equal((0.4, 0.4, 0.4, 0.1), (c.Data.Brightness, c.Data.Contrast, c.Data.Saturation, c.Data.Hue));
        Assert.Equal((0.0, 0.0), (c.Data.ChannelPermutationProbability, c.Data.RotationDegrees));   // our additions stay off
        Assert.Equal((BackboneName.ResNet50, OutputStride.Eight, 256, 0.5, 32, PretrainingSource.Moco), (c.Model.Backbone, c.Model.OutputStride,
            c.Model.DecoderChannels, c.Model.Dropout, c.Model.EmbeddingDim, c.Model.Pretraining));
        Assert.Equal([12, 24, 36], c.Model.AsppRates);
        Assert.False(c.Model.FreezeEarlyLayers);
        Assert.Equal((ComputePrecision.Fp32, false), (c.Model.Precision, c.Model.ChannelsLast));   // the speed levers stay off
        Assert.Equal((0.004, 0.9, 1e-4, SchedulerName.Poly, 0.9), (c.Optimizer.LearningRate, c.Optimizer.Momentum, c.Optimizer.WeightDecay,
            c.Optimizer.Scheduler, c.Optimizer.PolyPower));
        Assert.Equal((0.5, 0.999, 256, 1.0, SaliencyLoss.Balanced), (c.Moco.Temperature, c.Moco.Momentum, c.Moco.QueueSize, c.Moco.SaliencyWeight,
            c.Moco.SaliencyLoss));
        Assert.Equal((40, 128), (c.Schedule.Epochs, c.Schedule.BatchSize));
    }

    [Fact]
    public void Small_IsTheRecipeTheReadmeDocuments()
    {
        // README "Presets" and "Learning from random weights" describe these values and the measurements behind them.
        var c = Presets.Load("small");
        Assert.Equal((128, 0.5, 0.8, 180.0), (c.Data.CropSize, c.Data.Hue, c.Data.ChannelPermutationProbability, c.Data.RotationDegrees));
        Assert.Equal((BackboneName.ResNet18, OutputStride.Sixteen, 128, 4, PretrainingSource.None), (c.Model.Backbone, c.Model.OutputStride, c.Model.DecoderChannels,
            c.Model.EmbeddingDim, c.Model.Pretraining));
        Assert.Equal([6, 12, 18], c.Model.AsppRates);
        Assert.Equal((OptimizerName.Sgd, 0.05, SchedulerName.Cosine, 20), (c.Optimizer.Name, c.Optimizer.LearningRate, c.Optimizer.Scheduler, c.Optimizer.WarmupSteps));
        Assert.Equal((0.5, 0.9, 128, SaliencyLoss.Balanced), (c.Moco.Temperature, c.Moco.Momentum, c.Moco.QueueSize, c.Moco.SaliencyLoss));
        Assert.Equal((60, 16), (c.Schedule.Epochs, c.Schedule.BatchSize));
        Assert.Equal(192, InferenceSize.For(c));   // the size its README measurements used, not the default rule's 288
    }

    [Fact]
    public void PaperSupervised_DiffersOnlyWhereTheSupervisedYmlDoes()
    {
        var a = Presets.Load("paper");
        var b = Presets.Load("paper-supervised");
        Assert.Equal(a with { Model = b.Model, Moco = b.Moco, Schedule = b.Schedule }, b with { Data = a.Data, Optimizer = a.Optimizer });
        Assert.Equal((PretrainingSource.ImageNet, true, 128, 64), (b.Model.Pretraining, b.Model.FreezeEarlyLayers, b.Moco.QueueSize, b.Schedule.BatchSize));
        Assert.Equal(a.Model with { Pretraining = PretrainingSource.ImageNet, FreezeEarlyLayers = true, AsppRates = a.Model.AsppRates }, b.Model with { AsppRates = a.Model.AsppRates });
    }

    [Fact]
    public void Override_SetsOneFieldCaseInsensitively()
    {
        var c = Presets.Load("tiny", ["optimizer.LEARNINGRATE=0.5", "model.asppRates=[1,2,3]", "model.backbone=resnet18"]);
        Assert.Equal(0.5, c.Optimizer.LearningRate);
        Assert.Equal([1, 2, 3], c.Model.AsppRates);
        Assert.Equal(BackboneName.ResNet18, c.Model.Backbone);
    }

    [Theory]
    [InlineData("optimizer.lr=0.1", "unknown field 'lr' in optimizer")]
    [InlineData("optim.learningRate=0.1", "unknown section 'optim'")]
    [InlineData("learningRate", "must look like section.field=value")]
    [InlineData("schedule.epochs=many", "configuration is not valid")]
    public void Override_Invalid_SaysWhatIsWrong(string assignment, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Presets.Load("tiny", [assignment]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Validate_ReportsEveryProblemWithFieldValueAndRange()
    {
        var e = Assert.Throws<ConfigException>(() => Presets.Load("tiny",
            ["schedule.batchSize=1", "optimizer.learningRate=-1", "data.cropScaleMin=0", "moco.queueSize=30"]));
        Assert.Contains(e.Problems, p => p.StartsWith("schedule.batchSize (1) must be at least 2"));
        Assert.Contains("optimizer.learningRate (-1) must be in (0, 10]", e.Problems);
        Assert.Contains("data.cropScaleMin (0) must be in (0, 1]", e.Problems);
        Assert.Equal(3, e.Problems.Count);   // queue 30 vs batch 1 is not checked while the batch itself is invalid
        var o = Assert.Throws<ConfigException>(() => Presets.Load("tiny",
            ["optimizer.name=adam", "data.rotationDegrees=200", "data.channelPermutationProbability=1.5", "moco.saliencyLoss=weighted"]));
        Assert.Equal(["data.channelPermutationProbability (1.5) must be in [0, 1]", "data.rotationDegrees (200) must be in [0, 180]",
            "moco.saliencyLoss ('weighted') must be one of balanced, plain", "optimizer.name ('adam') must be one of sgd, adamw"], o.Problems.Order());
        var q = Assert.Throws<ConfigException>(() => Presets.Load("tiny", ["moco.queueSize=30"]));
        Assert.Equal("moco.queueSize (30) must be a multiple of schedule.batchSize (8) so that the queue pointer wraps cleanly", Assert.Single(q.Problems));
    }

    [Fact]
    public void UnknownPreset_ListsTheNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Load("huge"));
        Assert.Contains("imagenet-resnet18, paper, paper-supervised, small, tiny", e.Message);
    }

    [Fact]
    public void Json_RoundTrips()
    {
        foreach (var name in Presets.Names)
        {
            var c = Presets.Load(name);
            Assert.Equal(Presets.ToJson(c), Presets.ToJson(Presets.FromJson(Presets.ToJson(c))));
        }
    }

    [Fact]
    public void Default_StartsFromThePackagedImageNetWeights_AndEvaluatesUnwhitenedPerObjectAtTheTrainingScale()
    {
        var c = Presets.Load(Presets.Default);
        Assert.Equal((BackboneName.MlNetResNet18, PretrainingSource.MlNetImageNet, true), (c.Model.Backbone, c.Model.Pretraining, c.Model.FreezeEarlyLayers));
        Assert.Equal((0, false, ClusterAssignment.Object), (c.Evaluation.Size, c.Evaluation.Whiten, c.Evaluation.Assignment));
        Assert.Equal(288, InferenceSize.For(c));
    }

    [Fact]
    public void Paper_KeepsTheOfficialEvaluation()
    {
        var c = Presets.Load("paper");
        Assert.Equal((512, true, ClusterAssignment.Image), (c.Evaluation.Size, c.Evaluation.Whiten, c.Evaluation.Assignment));
        Assert.Equal(512, InferenceSize.For(c));
        Assert.Equal(c.Evaluation, Presets.Load("paper-supervised").Evaluation);
    }

    [Theory]
    [InlineData(128, 0.2, 1.0, 288)]   // 128 / √0.2 = 286.2 → up to a multiple of 16
    [InlineData(224, 0.2, 1.0, 512)]   // the paper's crop: 500.9 → 512, the size the official code evaluates at
    [InlineData(64, 0.2, 1.0, 144)]    // tiny: 143.1
    [InlineData(128, 1.0, 1.0, 128)]   // whole-image crops: the crop size itself
    [InlineData(64, 0.5, 1.0, 96)]     // 64 / √0.5 = 90.5; the largest crop fraction does not matter
    public void InferenceSize_IsTheLargestTrainingScale(int crop, double min, double max, int expected)
    {
        var data = new DataConfig { CropSize = crop, CropScaleMin = min, CropScaleMax = max };
        Assert.Equal(expected, InferenceSize.FromTrainingScale(data));
    }

    [Fact]
    public void ConfigWithoutEvaluationSection_ReadsAsOfficial()
    {
        // Checkpoints and bundles written before the section existed hold configurations without it.
        var json = System.Text.Json.Nodes.JsonNode.Parse(Presets.ToJson(Presets.Load("small")))!.AsObject();
        json.Remove("evaluation");
        var c = Presets.FromJson(json.ToJsonString());
        Assert.Equal(new EvaluationConfig(), c.Evaluation);
        Assert.Equal((512, true, ClusterAssignment.Image), (c.Evaluation.Size, c.Evaluation.Whiten, c.Evaluation.Assignment));
    }

    [Fact]
    public void ChoiceOptions_KeepTheirJsonSpelling_AndAnUnknownNameSaysWhatIsAllowed()
    {
        var config = Presets.Load(Presets.Default, ["optimizer.scheduler=poly"]);

        var json = Presets.ToJson(config);
        Assert.Contains("\"backbone\": \"mlnet-resnet18\"", json);
        Assert.Contains("\"pretraining\": \"mlnet-imagenet\"", json);
        Assert.Contains("\"scheduler\": \"poly\"", json);
        Assert.Equal(config with { Model = config.Model with { AsppRates = config.Model.AsppRates } }, Presets.FromJson(json) with { Model = Presets.FromJson(json).Model with { AsppRates = config.Model.AsppRates } });
        var e = Assert.Throws<ConfigException>(() => Presets.Load("tiny", ["model.backbone=resnet9"]));
        Assert.Equal(["model.backbone ('resnet9') must be one of resnet50, resnet101, resnet18, resnet34, mlnet-resnet18, narrow"], e.Problems);
        Assert.Equal(ComputePrecision.Bf16, Presets.Load("tiny", ["model.precision=bf16"]).Model.Precision);
        e = Assert.Throws<ConfigException>(() => Presets.Load("tiny", ["model.precision=fp16"]));
        Assert.Equal(["model.precision ('fp16') must be one of fp32, bf16"], e.Problems);
    }
}
