using MaskContrast.Core.Evaluation;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;
using Spectre.Console;

namespace MaskContrast.Cli;

/// <summary>Runs the training pipeline on the embedded durable host and shows its progress on stderr.</summary>
public static class PipelineSession
{
    /// <summary>Starts the run through <see cref="RunStarter"/> on an embedded durable host and follows it to its end.</summary>
    /// <param name="activityLockTimeout">With a connection-string store: how long a crashed process's epoch stays locked before a restarted one takes it over.</param>
    public static async Task<int> RunAsync(StoreChoice where, RunStartRequest request, bool childProcess, CancellationToken cancellationToken,
        TimeSpan? activityLockTimeout = null)
    {
        var store = where.Open();
        using var engine = new CorePipelineEngine(store);
        await using var host = await EmbeddedDurableHost.StartAsync(new EmbeddedDurableHostOptions
        {
            AzureStorageConnectionString = where.DurableConnectionString,
            ActivityLockTimeout = activityLockTimeout ?? TimeSpan.FromMinutes(1),
            ConfigureServices = services =>
            {
                if (childProcess) services.AddChildProcessEpochLauncher(ChildProcess(where));
                services.AddPipelineServices(store, engine);
            },
        });
        // Durable state in memory: the task hub is this process's own, so no other process can start the run on it.
        var start = await RunStarter.StartAsync(host.Client, store, request, DateTime.UtcNow,
            privateTaskHub: where.DurableConnectionString is null, cancellationToken: cancellationToken);
        switch (start.Outcome)
        {
            case RunStartOutcome.Invalid:
                return Refused(start.Problems);
            case RunStartOutcome.DatasetMissing or RunStartOutcome.SettingsConflict:
                Console.Error.WriteLine($"error: {start.Detail} (store: {store.Description})");
                return ExitCodes.InvalidInput;
        }
        var runId = start.RunId!;
        Console.Error.WriteLine(start.Outcome switch
        {
            RunStartOutcome.Resumed => $"resuming run {runId} from its last checkpoint",
            RunStartOutcome.AlreadyRunning => $"{start.Detail} Following it on this task hub.",
            _ => $"started run {runId}",
        });
        var metadata = await FollowAsync(host.Client, runId, cancellationToken);
        return await ReportAsync(metadata, store, runId);
    }

    /// <summary>Prints every problem of a refused start request, each with the option that sets its field; nothing was written.</summary>
    public static int Refused(IReadOnlyDictionary<string, string[]> problems)
    {
        foreach (var (field, messages) in problems)
            foreach (var message in messages)
                Console.Error.WriteLine($"error ({OptionOf(field)}): {message}");
        return ExitCodes.InvalidInput;
    }

    // The gate names fields as the HTTP body does; configuration fields (section.field) are set with --set.
    static string OptionOf(string field) => field switch
    {
        "runId" => "--run-id",
        "evalSize" => "--eval-size",
        "linearProbeEpochs" => "--linear-probe-epochs",
        _ when field.Contains('.', StringComparison.Ordinal) || field == "overrides" => "--set",
        _ => "--" + field,
    };

    const string StoreVariable = "MASKCONTRAST_STORE";

    static ChildProcessEpochLauncherOptions ChildProcess(StoreChoice where)
    {
        // `dotnet maskcontrast.dll …` and the apphost `maskcontrast …` both re-run this same build.
        string process = Environment.ProcessPath ?? "dotnet";
        bool viaDotnet = Path.GetFileNameWithoutExtension(process) == "dotnet";
        return new ChildProcessEpochLauncherOptions
        {
            FileName = process,
            LeadingArguments = viaDotnet ? [typeof(PipelineSession).Assembly.Location] : [],
            // A folder by its path; a connection string through the child's environment, never on its command line.
            Store = where.Folder ?? "env:" + StoreVariable,
            Environment = where.Folder is null ? new Dictionary<string, string> { [StoreVariable] = where.Location } : new Dictionary<string, string>(),
            Container = where.Container,
        };
    }

    static async Task<OrchestrationMetadata> FollowAsync(DurableTaskClient client, string runId, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        // A live bar on a terminal; one line per change when stderr is a file or a pipe (CI logs).
        if (!console.Profile.Capabilities.Interactive)
        {
            string last = "";
            return await PollAsync(client, runId, (line, _, _) =>
            {
                if (line != last) Console.Error.WriteLine(last = line);
            }, cancellationToken);
        }
        OrchestrationMetadata? done = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                done = await PollAsync(client, runId, (line, value, max) =>
                {
                    task.MaxValue = max;
                    task.Value = value;
                    task.Description = Markup.Escape(line);
                }, cancellationToken);
                task.Value = task.MaxValue;
            });
        return done!;
    }

    /// <summary>Polls the run every second, reporting (status line, epochs done, epochs) until it completes.</summary>
    static async Task<OrchestrationMetadata> PollAsync(DurableTaskClient client, string runId, Action<string, double, double> report,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
            if (instance?.SerializedCustomStatus is not null && instance.ReadCustomStatusAs<PipelineStatus>() is { } s)
            {
                double done = s.Phase == PipelinePhase.Training ? Math.Max(0, s.Epoch - 1)
                    : s.Phase is PipelinePhase.Evaluating or PipelinePhase.Publishing or PipelinePhase.Completed ? s.Epochs : 0;
                string loss = s.Loss is { } l ? $" loss {l:F3}" : "";
                string eta = s.EtaSeconds is { } e ? $" ETA {TimeSpan.FromSeconds(Math.Round(e)):hh\\:mm\\:ss}" : "";
                report($"{s.Phase} epoch {s.Epoch}/{s.Epochs}{loss}{eta}", done, Math.Max(1, s.Epochs));
            }
            if (instance is { IsCompleted: true }) return instance;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    static async Task<int> ReportAsync(OrchestrationMetadata metadata, IArtifactStore store, string runId)
    {
        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            Console.Error.WriteLine($"run {runId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
            Console.Error.WriteLine($"run `maskcontrast run` again with --run-id {runId} to continue from the last checkpoint");
            return ExitCodes.For(metadata.FailureDetails);
        }
        var result = metadata.ReadOutputAs<PipelineResult>()!;
        string Where(string path) => store is LocalFolderArtifactStore local ? Path.Combine(local.RootFolder, path) : $"{store.Description}/{path}";
        Console.WriteLine($"run {runId}: {result.Outcome}, {result.Images} images, {result.ProposalMasks} proposals, " +
                          $"{result.EpochsTrained} epochs trained ({result.EpochsSkipped} resumed), final loss {result.FinalLoss:F3}");
        if (await store.ReadJsonAsync<List<string>>(RunLayout.SkippedFiles(runId)) is { Count: > 0 } skipped)
            Console.WriteLine($"  {DatasetFileNames.Summary(skipped)} All of them: {Where(RunLayout.SkippedFiles(runId))}");
        if (result.ProposalCheck is { } check)
            Console.WriteLine($"  proposals: {check.Description}");
        if (result.Eval is { } eval)
            Console.WriteLine($"  K-means mIoU {eval.MeanIou * 100:F1} %" +
                (eval.Chance is { } chance ? $" (chance {chance * 100:F1} %" + (eval.PerImageCeiling is { } ceiling ? $", ceiling of one cluster per image {ceiling * 100:F1} %)" : ")") : "") +
                $"; report: {Where(eval.ReportPath)}");
        if (result.Eval?.ClusterChoice is { } choice) Console.WriteLine($"  clusters: {choice}");
        if (await store.ReadJsonAsync<NameCarry>(RunLayout.EvalFile(runId, NameCarry.FileName)) is { } carry)
            foreach (var line in carry.Describe()) Console.WriteLine("  " + line);
        if (result.Model is { } model) Console.WriteLine($"  model bundle: {Where(model.Path)}");
        return ExitCodes.Success;
    }
}
