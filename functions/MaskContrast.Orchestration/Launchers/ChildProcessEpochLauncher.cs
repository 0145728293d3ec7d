using System.Diagnostics;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>
/// Trains the epoch in a child process running <c>maskcontrast train-epoch --run-id ID --epoch N --store STORE</c>,
/// the same entrypoint the GPU container runs. The child writes the checkpoint and the epoch record through the
/// artifact store; this launcher reads the record back when the child exits with 0.
/// </summary>
/// <remarks>
/// Exit codes (the CLI's ExitCodes): <b>0</b> success; <b>2</b> bad input → <see cref="NonRetryablePipelineException"/>
/// (retrying cannot help); <b>3</b> retryable → <see cref="EpochLaunchException"/>; anything else (1, 4, killed by a
/// signal, timeout) is also an <see cref="EpochLaunchException"/>, because a crashed or killed epoch resumes from the
/// previous checkpoint and the retry count bounds the cost.
/// </remarks>
public sealed class ChildProcessEpochLauncher(ChildProcessEpochLauncherOptions options, IArtifactStore store,
    ILogger<ChildProcessEpochLauncher> logger) : IEpochLauncher
{
    /// <summary>Exit code of a successful epoch.</summary>
    public const int ExitSuccess = 0;

    /// <summary>Exit code for invalid arguments or configuration: not retried.</summary>
    public const int ExitInvalidInput = 2;

    /// <summary>Exit code for a transient failure (I/O, storage): retried.</summary>
    public const int ExitRetryable = 3;

    // Keep the tail of the child's stderr for the failure message; the whole stream goes to the log.
    private const int StderrTailLines = 20;

    /// <inheritdoc/>
    public async Task<EpochResult> RunEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default)
    {
        NameValidator.ValidateRunId(runId);
        var recordPath = RunLayout.EpochRecord(runId, epoch);
        var startInfo = new ProcessStartInfo(options.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.LeadingArguments.Concat(
            ["train-epoch", "--run-id", runId, "--epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", options.Store, "--container", options.Container]))
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in options.Environment)
            startInfo.Environment[name] = value;

        var stderrTail = new Queue<string>();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) logger.LogInformation("train-epoch {Epoch}: {Line}", epoch, e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            logger.LogWarning("train-epoch {Epoch} stderr: {Line}", epoch, e.Data);
            lock (stderrTail)
            {
                stderrTail.Enqueue(e.Data);
                if (stderrTail.Count > StderrTailLines)
                    stderrTail.Dequeue();
            }
        };

        logger.LogInformation("Starting {FileName} train-epoch for run {RunId} epoch {Epoch}", options.FileName, runId, epoch);
        if (!process.Start())
            throw new EpochLaunchException($"Could not start {options.FileName} for run {runId} epoch {epoch}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Kill the whole tree: the child may have started helpers that would keep writing to the store.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new EpochLaunchException($"Epoch {epoch} of run {runId} ran longer than {options.Timeout} and was killed.");
        }

        string tail;
        lock (stderrTail)
            tail = string.Join(Environment.NewLine, stderrTail);
        switch (process.ExitCode)
        {
            case ExitSuccess:
                return await store.ReadJsonAsync<EpochResult>(recordPath, cancellationToken)
                    ?? throw new EpochLaunchException(
                        $"train-epoch exited with 0 for run {runId} epoch {epoch} but wrote no epoch record at {recordPath}.");
            case ExitInvalidInput:
                throw new NonRetryablePipelineException(
                    $"train-epoch rejected its input for run {runId} epoch {epoch} (exit code 2): {tail}");
            default:
                throw new EpochLaunchException(
                    $"train-epoch failed for run {runId} epoch {epoch} with exit code {process.ExitCode}; it will be retried. {tail}");
        }
    }
}
