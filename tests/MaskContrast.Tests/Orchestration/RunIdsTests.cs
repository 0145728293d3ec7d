using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

public sealed class RunIdsTests
{
    [Fact]
    public void New_SameSecond_GivesDifferentValidIdsThatSortByTime()
    {
        var now = new DateTime(2026, 12, 7, 10, 51, 30, DateTimeKind.Utc);

        var ids = Enumerable.Range(0, 20).Select(_ => RunIds.New(now)).ToList();

        Assert.Equal(20, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^run-20261207-105130-[0-9a-f]{6}$", NameValidator.ValidateRunId(id)));
        Assert.True(string.CompareOrdinal(ids[0], RunIds.New(now.AddSeconds(1))) < 0);
    }
}
