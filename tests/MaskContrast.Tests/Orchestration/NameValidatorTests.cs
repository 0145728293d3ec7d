using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

public sealed class NameValidatorTests
{
    [Theory]
    [InlineData("run-2026-11-27")]
    [InlineData("R_1")]
    [InlineData("0")]
    public void ValidateRunId_AllowedNames_AreReturnedUnchanged(string runId)
        => Assert.Equal(runId, NameValidator.ValidateRunId(runId));

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("..", "must not contain '..'")]
    [InlineData("../../etc", "must not contain '..'")]
    [InlineData("a/b", "may only use")]                 // a second path segment
    [InlineData("a\\b", "may only use")]                // a Windows separator
    [InlineData("/abs", "may only use")]
    [InlineData("-flag", "may only use")]               // would read as a CLI option
    [InlineData("run.1", "may only use")]               // dots are for datasets and files only
    [InlineData("run\n", "may only use")]               // '$' would let a trailing newline through; '\z' does not
    [InlineData("ru n", "may only use")]
    [InlineData("ｒｕｎ", "may only use")]             // full-width letters look like ASCII but are not
    [InlineData("run%2F..", "must not contain '..'")]
    public void ValidateRunId_HostileNames_AreRejectedNamingTheField(string runId, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => NameValidator.ValidateRunId(runId));

        Assert.Equal("runId", error.ParamName);
        Assert.StartsWith("runId", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void ValidateRunId_TooLong_SaysTheLimit()
    {
        var error = Assert.Throws<ArgumentException>(() => NameValidator.ValidateRunId(new string('a', 65)));
        Assert.Contains("at most 64", error.Message);
    }

    [Theory]
    [InlineData("voc-2012")]
    [InlineData("toy.v1")]
    public void ValidateDatasetName_AllowedNames_Pass(string name) => Assert.Equal(name, NameValidator.ValidateDatasetName(name));

    [Theory]
    [InlineData("..")]
    [InlineData("../runs")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("C:")]
    public void ValidateDatasetName_HostileNames_NameTheCallersField(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => NameValidator.ValidateDatasetName(name, "body.dataset"));
        Assert.Equal("body.dataset", error.ParamName);
        Assert.StartsWith("body.dataset", error.Message);
    }

    [Theory]
    [InlineData("a/..b/c", "must not contain '..'")]
    [InlineData("a/b/", "empty folder name")]
    [InlineData("a/.git/config", "outside letters")]
    public void ValidatePath_BadSegments_SayWhichRule(string path, string reason)
        => Assert.Contains(reason, Assert.Throws<ArgumentException>(() => NameValidator.ValidatePath(path)).Message);

    [Fact]
    public void ValidatePath_TrailingSlash_IsAllowedOnlyForPrefixes()
    {
        Assert.Equal("runs/r1/", NameValidator.ValidatePath("runs/r1/", allowTrailingSlash: true));
        Assert.Throws<ArgumentException>(() => NameValidator.ValidatePath("runs/r1/"));
    }
}

public sealed class RunLayoutTests
{
    [Fact]
    public void Paths_FollowTheDocumentedLayout()
    {
        Assert.Equal("datasets/voc/", RunLayout.Dataset("voc"));
        Assert.Equal("datasets/voc/images/a.jpg", RunLayout.DatasetFile("voc", "images/a.jpg"));
        Assert.Equal("runs/r1/proposals/masks/2007_000032.png", RunLayout.ProposalMask("r1", "2007_000032"));
        Assert.Equal("runs/r1/proposals/shards/shard-0012.json", RunLayout.ProposalShardRecord("r1", 12));
        Assert.Equal("runs/r1/checkpoints/epoch-0003.ckpt", RunLayout.Checkpoint("r1", 3));
        Assert.Equal("runs/r1/checkpoints/epoch-0003.json", RunLayout.EpochRecord("r1", 3));
        Assert.Equal("runs/r1/checkpoints/latest", RunLayout.LatestCheckpoint("r1"));
        Assert.Equal("runs/r1/eval/result.json", RunLayout.EvalResult("r1"));
        Assert.Equal("runs/r1/model/model.json", RunLayout.ModelRecord("r1"));
    }

    [Theory]
    [InlineData("runs/r1/checkpoints/epoch-0003.json", 3)]
    [InlineData("runs/r1/checkpoints/epoch-9999.json", 9999)]
    [InlineData("runs/r1/checkpoints/epoch-0003.ckpt", null)]
    [InlineData("runs/r1/checkpoints/epoch-0000.json", null)]
    [InlineData("runs/r1/checkpoints/epoch-+003.json", null)]
    [InlineData("runs/r1/checkpoints/latest", null)]
    public void ParseEpochRecord_ReadsOnlyEpochRecords(string path, int? epoch) => Assert.Equal(epoch, RunLayout.ParseEpochRecord(path));

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    public void Checkpoint_EpochOutOfRange_Throws(int epoch)
        => Assert.Throws<ArgumentOutOfRangeException>(() => RunLayout.Checkpoint("r1", epoch));

    [Fact]
    public void Run_HostileRunId_Throws() => Assert.Throws<ArgumentException>(() => RunLayout.Run("../other"));
}
