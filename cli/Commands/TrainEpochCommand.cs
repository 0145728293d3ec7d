using System.CommandLine;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast train-epoch --run-id &lt;id&gt; --epoch &lt;n&gt; --store &lt;store&gt;</c>: trains one epoch of a run from the
/// previous checkpoint, through the artifact store only. The entrypoint of the GPU container and of the child-process
/// launcher; the environment variables MASKCONTRAST_RUN_ID, MASKCONTRAST_EPOCH and MASKCONTRAST_STORAGE_URL stand in
/// for the options. Exit codes (<see cref="ExitCodes.For(Exception)"/>): 0 done, 2 bad input (do not retry), 3 transient
/// failure, 4 internal error (the launchers retry every code but 2).
/// </summary>
public static class TrainEpochCommand
{
    public static Command Create()
    {
        var runId = new Option<string?>("--run-id") { Description = "Run id (or MASKCONTRAST_RUN_ID)" };
        var epoch = new Option<int?>("--epoch") { Description = "1-based epoch to train (or MASKCONTRAST_EPOCH)" };
        var store = new Option<string?>("--store") { Description = "Folder, connection string or account URL of the artifact store (or MASKCONTRAST_STORAGE_URL)" };
        var container = CommonOptions.Container();
        var command = new Command("train-epoch", "Train one epoch of a run from its previous checkpoint (GPU container entrypoint)") { runId, epoch, store, container };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string id = parse.GetValue(runId) ?? Environment.GetEnvironmentVariable("MASKCONTRAST_RUN_ID")
                ?? throw new ArgumentException("give --run-id or set MASKCONTRAST_RUN_ID");
            int n = parse.GetValue(epoch) ?? (int.TryParse(Environment.GetEnvironmentVariable("MASKCONTRAST_EPOCH"), out var e) ? e
                : throw new ArgumentException("give --epoch or set MASKCONTRAST_EPOCH"));
            string location = parse.GetValue(store) ?? Environment.GetEnvironmentVariable("MASKCONTRAST_STORAGE_URL")
                ?? throw new ArgumentException("give --store or set MASKCONTRAST_STORAGE_URL");
            var artifacts = ArtifactStoreLocator.Open(location, parse.GetValue(container)!);
            // A second execution of the same epoch (a job retry, a replayed poll) must not write a second checkpoint.
            if (await EpochRecords.ReadCompletedAsync(artifacts, NameValidator.ValidateRunId(id), n, cancellationToken) is { } recorded)
            {
                Console.WriteLine($"run {id} epoch {n}: already recorded (loss {recorded.Loss:F4}); nothing trained");
                return ExitCodes.Success;
            }
            using var engine = new CorePipelineEngine(artifacts);
            var result = await engine.TrainEpochAsync(id, n, cancellationToken);
            await EpochRecords.CompleteAsync(artifacts, id, result, DateTime.UtcNow, cancellationToken);
            Console.WriteLine($"run {id} epoch {n}: loss {result.Loss:F4} (contrastive {result.Contrastive:F4}, saliency {result.Saliency:F4}) in {result.Seconds:F0} s");
            return ExitCodes.Success;
        });
        return command;
    }
}
