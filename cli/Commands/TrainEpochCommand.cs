using System.CommandLine;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli.Commands;

/// <summary>
/// <c>maskcontrast train-epoch --run-id &lt;id&gt; --epoch &lt;n&gt; --store &lt;store&gt; [--attempt &lt;k&gt;]</c>: trains one epoch of a
/// run from the previous checkpoint, through the artifact store only. The entrypoint of the GPU container and of the
/// child-process launcher; the environment variables MASKCONTRAST_RUN_ID, MASKCONTRAST_EPOCH, MASKCONTRAST_ATTEMPT and
/// MASKCONTRAST_STORAGE_URL stand in for the options. Exit codes (<see cref="ExitCodes.For(Exception)"/>): 0 done (or
/// already recorded), 2 bad input (do not retry), 3 transient failure, 4 internal error (the launchers retry every code
/// but 2). With an attempt number (job mode) a failure also leaves <see cref="RunLayout.EpochJobFailure"/>, because
/// the orchestration sees only ARM's "Failed", not the exit code.
/// </summary>
public static class TrainEpochCommand
{
    public static Command Create()
    {
        var runId = new Option<string?>("--run-id") { Description = "Run id (or MASKCONTRAST_RUN_ID)" };
        var epoch = new Option<int?>("--epoch") { Description = "1-based epoch to train (or MASKCONTRAST_EPOCH)" };
        var attempt = new Option<int?>("--attempt") { Description = "Job attempt number; a failure then writes runs/{id}/jobs/epoch-NNNN-attempt-NN.error.json (or MASKCONTRAST_ATTEMPT)" };
        var store = new Option<string?>("--store") { Description = "Folder, connection string or account URL of the artifact store (or MASKCONTRAST_STORAGE_URL)" };
        var container = CommonOptions.Container();
        var command = new Command("train-epoch", "Train one epoch of a run from its previous checkpoint (GPU container entrypoint)") { runId, epoch, attempt, store, container };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string id = NameValidator.ValidateRunId(parse.GetValue(runId) ?? Environment.GetEnvironmentVariable("MASKCONTRAST_RUN_ID")
                ?? throw new ArgumentException("give --run-id or set MASKCONTRAST_RUN_ID"));
            int n = parse.GetValue(epoch) ?? IntFromEnvironment("MASKCONTRAST_EPOCH") ?? throw new ArgumentException("give --epoch or set MASKCONTRAST_EPOCH");
            int? k = parse.GetValue(attempt) ?? IntFromEnvironment(ContainerAppsJobLauncherOptions.AttemptVariable);
            string location = parse.GetValue(store) ?? Environment.GetEnvironmentVariable("MASKCONTRAST_STORAGE_URL")
                ?? throw new ArgumentException("give --store or set MASKCONTRAST_STORAGE_URL");
            var artifacts = ArtifactStoreLocator.Open(location, parse.GetValue(container)!);
            try
            {
                return await TrainAsync(artifacts, id, n, cancellationToken);
            }
            catch (Exception e) when (k is { } number && e is not OperationCanceledException)
            {
                await RecordFailureAsync(artifacts, id, new EpochJobFailure(KindOf(ExitCodes.For(e)), e.Message, n, number, DateTime.UtcNow));
                throw;
            }
        });
        return command;
    }

    private static async Task<int> TrainAsync(IArtifactStore artifacts, string id, int n, CancellationToken cancellationToken)
    {
        // A second execution of the same epoch (a job retry, a replayed poll) must not write a second checkpoint.
        if (await EpochRecords.ReadCompletedAsync(artifacts, id, n, cancellationToken) is { } recorded)
        {
            Console.WriteLine($"run {id} epoch {n}: already recorded (loss {recorded.Loss:F4}); nothing trained");
            return ExitCodes.Success;
        }
        using var engine = new CorePipelineEngine(artifacts);
        var result = await engine.TrainEpochAsync(id, n, cancellationToken);
        await EpochRecords.CompleteAsync(artifacts, id, result, DateTime.UtcNow, cancellationToken);
        Console.WriteLine($"run {id} epoch {n}: loss {result.Loss:F4} (contrastive {result.Contrastive:F4}, saliency {result.Saliency:F4}) in {result.Seconds:F0} s");
        return ExitCodes.Success;
    }

    // Best effort: the exit code still reports the failure when the record cannot be written (e.g. storage is down).
    private static async Task RecordFailureAsync(IArtifactStore artifacts, string runId, EpochJobFailure failure)
    {
        try
        {
            await artifacts.WriteJsonAsync(RunLayout.EpochJobFailure(runId, failure.Epoch, failure.Attempt), failure);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"warning: could not write the failure record of run {runId} epoch {failure.Epoch}: {e.Message}");
        }
    }

    private static EpochJobFailureKind KindOf(int exitCode) => exitCode switch
    {
        ExitCodes.InvalidInput => EpochJobFailureKind.InvalidInput,
        ExitCodes.Retryable => EpochJobFailureKind.Transient,
        _ => EpochJobFailureKind.Internal,
    };

    private static int? IntFromEnvironment(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } text
            ? int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
                : throw new ArgumentException($"{name} ('{text}') must be a whole number")
            : null;
}
