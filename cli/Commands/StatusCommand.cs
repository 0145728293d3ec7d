using System.CommandLine;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Core.Config;

namespace MaskContrast.Cli.Commands;

/// <summary><c>maskcontrast status [&lt;run id&gt;] [--store &lt;folder | connection string&gt;]</c>: what the store says about runs.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var runId = new Argument<string?>("run-id") { Description = "A run to describe (default: list every run)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "List runs, or show one run's epochs, evaluation and model") { runId, RunCommand.Store, RunCommand.Container };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = RunCommand.Where(parse).Open();
            if (parse.GetValue(runId) is { } id) return await DescribeAsync(store, NameValidator.ValidateRunId(id), cancellationToken);
            var runs = (await store.ListAsync("runs/", cancellationToken)).Where(p => p.EndsWith("/settings.json", StringComparison.Ordinal))
                .Select(p => p.Split('/')[1]).Order(StringComparer.Ordinal).ToList();
            if (runs.Count == 0) Console.WriteLine($"no runs in {store.Description}");
            foreach (var run in runs)
            {
                var settings = await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(run), cancellationToken);
                var epochs = await EpochRecords.ListAsync(store, run, cancellationToken);
                var eval = await store.ReadJsonAsync<EvalResult>(RunLayout.EvalResult(run), cancellationToken);
                Console.WriteLine($"{run}  {settings?.Dataset} {settings?.Preset}  epochs {epochs.Count}/{settings?.Epochs}" +
                                  (eval is null ? "" : $"  mIoU {eval.MeanIou * 100:F1} %") +
                                  (await store.ExistsAsync(RunLayout.ModelRecord(run), cancellationToken) ? "  model" : ""));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    static async Task<int> DescribeAsync(IArtifactStore store, string runId, CancellationToken cancellationToken)
    {
        var settings = await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(runId), cancellationToken);
        if (settings is null)
        {
            Console.Error.WriteLine($"run '{runId}' does not exist in {store.Description}");
            return ExitCodes.InvalidInput;
        }
        Console.WriteLine($"run {runId}: dataset {settings.Dataset}, preset {settings.Preset} [{string.Join(" ", settings.Overrides)}], {settings.Epochs} epochs, proposals {settings.Proposals.JsonName()}, clusters {ClusterCount.Describe(settings.Clusters)}");
        foreach (var e in await EpochRecords.ListAsync(store, runId, cancellationToken))
            Console.WriteLine($"  epoch {e.Epoch}: loss {e.Loss:F4} contrastive {e.Contrastive:F4} saliency {e.Saliency:F4} ({e.Seconds:F0} s)");
        if (await store.ReadJsonAsync<EvalResult>(RunLayout.EvalResult(runId), cancellationToken) is { } eval)
        {
            Console.WriteLine($"  evaluation: K-means mIoU {eval.MeanIou * 100:F1} % over {eval.Clusters} classes; report {eval.ReportPath}");
            if (eval.ClusterChoice is { } choice) Console.WriteLine($"  clusters: {choice}");
        }
        if (await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord(runId), cancellationToken) is { } model)
            Console.WriteLine($"  model: {model.Path} (SHA-256 {model.Sha256})");
        return ExitCodes.Success;
    }
}
