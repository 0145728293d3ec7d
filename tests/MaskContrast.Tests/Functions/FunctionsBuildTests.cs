using System.Reflection;
using System.Text.Json.Nodes;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// What the Functions host will see, checked without <c>func</c>: the <c>functions.metadata</c> the Worker SDK generates
/// in the app's build output, and the repository's <c>host.json</c>.
/// </summary>
public sealed class FunctionsBuildTests
{
    private static readonly string s_root = FindRepositoryRoot();

    [Fact]
    public void Metadata_HttpFunctions_HaveTheirRoutesMethodsAndFunctionKeyLevel()
    {
        var functions = ReadMetadata();

        // (function, route, method) of every HTTP endpoint of the API.
        (string Name, string Route, string Method)[] expected =
        [
            ("StartRun", "runs", "post"), ("ListRuns", "runs", "get"), ("GetRun", "runs/{id}", "get"),
            ("CancelRun", "runs/{id}/cancel", "post"), ("ActivateModel", "models/{id}/activate", "post"),
            ("GetActiveModel", "models/active", "get"), ("SegmentImage", "segment", "post"),
        ];
        foreach (var (name, route, method) in expected)
        {
            var trigger = Binding(functions, name, "httpTrigger");
            Assert.Equal(route, (string?)trigger["route"]);
            Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => (string?)m));
            Assert.Equal("Function", (string?)trigger["authLevel"]);
        }
        foreach (var name in new[] { "StartRun", "ListRuns", "GetRun", "CancelRun" })
            Binding(functions, name, "durableClient");
    }

    [Fact]
    public void Metadata_DurableFunctions_HaveTheOrchestrationAndActivityClassNames()
    {
        var functions = ReadMetadata();

        Binding(functions, "TrainingPipelineOrchestrator", "orchestrationTrigger");
        foreach (var activity in new[] { "ListDatasetImages", "CheckProposals", "GenerateProposalShard", "FindCompletedEpochs", "RunTrainingEpoch", "StartEpochJob", "GetEpochJobStatus", "StopEpochJob", "CountEpochJobAttempts", "EvaluateRun", "PublishModel" })
            Binding(functions, activity, "activityTrigger");
    }

    [Fact]
    public void Metadata_BlobTrigger_WatchesSegmentInputThroughEventGrid()
    {
        var trigger = Binding(ReadMetadata(), "SegmentDroppedBlob", "blobTrigger");

        Assert.Equal("segment-input/{name}", (string?)trigger["path"]);
        Assert.Equal("EventGrid", (string?)trigger["source"]);
        Assert.Equal("AzureWebJobsStorage", (string?)trigger["connection"]);
    }

    [Fact]
    public void Metadata_PoisonQueueTrigger_ReadsTheBlobTriggersPoisonQueueOnHostStorage()
    {
        var trigger = Binding(ReadMetadata(), "RecordPoisonedBlob", "queueTrigger");

        Assert.Equal("webjobs-blobtrigger-poison", (string?)trigger["queueName"]);
        Assert.Equal("AzureWebJobsStorage", (string?)trigger["connection"]);
    }

    [Fact]
    public void Metadata_RunHistoryPurge_IsANightlyTimerWithADurableClient()
    {
        var functions = ReadMetadata();
        var trigger = Binding(functions, "PurgeRunHistory", "timerTrigger");

        Assert.Equal("0 30 3 * * *", (string?)trigger["schedule"]);
        Binding(functions, "PurgeRunHistory", "durableClient");
    }

    [Fact]
    public void Metadata_EpochRecordTrigger_WatchesRunsInTheArtifactContainerThroughEventGrid()
    {
        var functions = ReadMetadata();
        var trigger = Binding(functions, "EpochRecordWritten", "blobTrigger");

        Assert.Equal("maskcontrast/runs/{path}", (string?)trigger["path"]);
        Assert.Equal("EventGrid", (string?)trigger["source"]);
        Binding(functions, "EpochRecordWritten", "durableClient");
    }

    [Fact]
    public void HostJson_DurableHubFromAppSettingOnAzureStorage_WithConcurrencyLimitsAndTimeout()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(s_root, "host.json")))!.AsObject();

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.Equal("01:00:00", (string?)host["functionTimeout"]);
        // Extensions at the top level: nested under "logging" (a known sample mistake) the host silently ignores them.
        Assert.Null(host["logging"]!["extensions"]);
        var durable = host["extensions"]!["durableTask"]!;
        Assert.Equal("%TASKHUB_NAME%", (string?)durable["hubName"]);
        Assert.Equal("AzureStorage", (string?)durable["storageProvider"]!["type"]);
        Assert.Equal("AzureWebJobsStorage", (string?)durable["storageProvider"]!["connectionName"]);
        Assert.Equal(2, (int)durable["maxConcurrentActivityFunctions"]!);
        Assert.Equal(10, (int)durable["maxConcurrentOrchestratorFunctions"]!);
        Assert.Equal(4, (int)host["extensions"]!["blobs"]!["maxDegreeOfParallelism"]!);
        // Above 1, so that one stopped worker (a scale-in, a deploy) does not poison a blob; processing is idempotent.
        Assert.Equal(3, (int)host["extensions"]!["blobs"]!["poisonBlobThreshold"]!);
        Assert.Equal(16, (int)host["extensions"]!["http"]!["maxConcurrentRequests"]!);
        // The build output carries the same file (linked by the project).
        Assert.Equal(File.ReadAllText(Path.Combine(s_root, "host.json")), File.ReadAllText(Path.Combine(OutputFolder(), "host.json")));
    }

    private static JsonObject Binding(JsonArray functions, string name, string type)
    {
        var function = functions.SingleOrDefault(f => (string?)f!["name"] == name)
            ?? throw new Xunit.Sdk.XunitException($"functions.metadata has no function '{name}'");
        return function["bindings"]!.AsArray().Select(b => b!.AsObject()).SingleOrDefault(b => (string?)b["type"] == type)
            ?? throw new Xunit.Sdk.XunitException($"function '{name}' has no '{type}' binding");
    }

    private static JsonArray ReadMetadata() => JsonNode.Parse(File.ReadAllText(Path.Combine(OutputFolder(), "functions.metadata")))!.AsArray();

    // The Functions project builds before this one (project reference) with the same configuration.
    private static string OutputFolder()
    {
        var configuration = typeof(FunctionsBuildTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var bin = Path.Combine(s_root, "functions", "MaskContrast.Functions", "bin", configuration);
        return Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).Select(Path.GetDirectoryName).FirstOrDefault()
            ?? throw new Xunit.Sdk.XunitException($"no functions.metadata under {bin}; build functions/MaskContrast.Functions first");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MaskContrast.Cloud.sln")))
                return dir.FullName;
        throw new InvalidOperationException("MaskContrast.Cloud.sln not found above " + AppContext.BaseDirectory);
    }
}
