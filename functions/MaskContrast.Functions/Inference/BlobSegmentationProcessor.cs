using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Inference;

/// <summary>What happened to one dropped blob.</summary>
public enum BlobSegmentationOutcome
{
    /// <summary>The three outputs were written.</summary>
    Written,
    /// <summary>Outputs for the same input version and model, or its final error record, already existed: nothing was read or written.</summary>
    Skipped,
    /// <summary>An error record was written instead.</summary>
    Failed,
}

/// <summary>
/// The <c>segment-input</c> → <c>segment-output</c> step of one blob: writes <c>&lt;name&gt;/labels.png</c>,
/// <c>&lt;name&gt;/overlay.png</c> and <c>&lt;name&gt;/summary.json</c> (<see cref="SegmentationOutputs"/>; the summary goes
/// last, it marks the set complete) with the active model, or <c>&lt;name&gt;/error.json</c>. Never throws for a bad input, a
/// missing model or a storage error, so the trigger is not retried forever; never deletes the input, and touches no file
/// outside the input's own folder. Idempotent: when the summary records the same input ETag and model, or the error
/// record the same ETag with a failure that only another version can fix, the blob is skipped before it is downloaded;
/// writing the same outputs again only replaces them.
/// </summary>
public sealed class BlobSegmentationProcessor(ActiveSegmenter segmenter, ILogger<BlobSegmentationProcessor> logger)
{
    /// <summary>Largest input blob (bytes) that is downloaded and decoded.</summary>
    public const long MaxInputBytes = 50 * 1024 * 1024;

    /// <summary>Error kinds that depend only on the input's bytes: a second delivery of the same version is skipped.</summary>
    public static readonly IReadOnlySet<string> FinalKinds = new HashSet<string>(StringComparer.Ordinal) { "undecodable", "too-large", "poison" };

    /// <summary>Reads the summaries and error records the writer produces (camelCase).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private volatile bool _outputReady;

    /// <summary>Processes <paramref name="input"/> (named <paramref name="name"/> in its container) into <paramref name="output"/>.</summary>
    public async Task<BlobSegmentationOutcome> ProcessAsync(BlobClient input, string name, BlobContainerClient output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        string? fingerprint = null;
        try
        {
            var properties = (await input.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            fingerprint = properties.ETag.ToString();
            if (properties.ContentLength > MaxInputBytes)
                return await FailAsync(output, name, fingerprint, "too-large",
                    $"'{name}' is {properties.ContentLength:N0} bytes; at most {MaxInputBytes:N0} are segmented. Downscale it and upload it again.", null, cancellationToken);
            var model = await segmenter.GetActiveAsync(cancellationToken);
            if (model is null)
                return await FailAsync(output, name, fingerprint, "no-active-model",
                    "No model is active; activate one with POST /api/models/{runId}/activate, then upload the image again.", null, cancellationToken);
            if (await AlreadyDoneAsync(output, name, fingerprint, model.Identity(), cancellationToken))
            {
                logger.LogInformation("Skipping {Name}: outputs for ETag {ETag} and model {Model} exist", name, fingerprint, model.Identity());
                return BlobSegmentationOutcome.Skipped;
            }
            // Download the version whose ETag was read, so the summary never records another version's fingerprint.
            var content = await input.DownloadContentAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken);
            var (files, succeeded) = await segmenter.ProcessAsync(model, name, content.Value.Content.ToArray(), ImageCodec.DefaultMaxPixels,
                fingerprint, cancellationToken);
            foreach (var (fileName, bytes) in files.OrderBy(f => f.Key == SegmentationOutputs.Summary))
                await UploadAsync(output, SegmentationOutputs.PathOf(name, fileName), bytes, cancellationToken);
            if (!succeeded)
                logger.LogWarning("Could not segment {Name}: see {ErrorRecord}", name, ErrorRecordName(name));
            else // An error record of an earlier version would contradict the new outputs.
                await output.GetBlobClient(ErrorRecordName(name)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            return succeeded ? BlobSegmentationOutcome.Written : BlobSegmentationOutcome.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // The host is shutting down; the blob will be delivered again.
        }
        catch (Exception error)
        {
            var kind = error switch
            {
                InvalidDataException => "model-unavailable",
                RequestFailedException storage => $"storage-{storage.Status}",
                _ => "internal",
            };
            return await FailAsync(output, name, fingerprint, kind, error.Message, error, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the error record of input <paramref name="name"/> with kind <c>poison</c> for the version
    /// <paramref name="fingerprint"/> that the host gave up on (its invocations failed <c>poisonBlobThreshold</c> times
    /// without returning: the process died, or the function timed out), unless that version was segmented meanwhile.
    /// </summary>
    /// <returns>Whether a record was written.</returns>
    public async Task<bool> RecordPoisonAsync(string name, string? fingerprint, BlobContainerClient output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (fingerprint is not null && await ReadAsync<SegmentationSummary>(output, SegmentationOutputs.PathOf(name, SegmentationOutputs.Summary), cancellationToken)
                is { } summary && summary.Fingerprint == fingerprint)
            return false;
        await FailAsync(output, name, fingerprint, "poison",
            $"Segmenting '{name}' stopped several times without an answer (the worker crashed or timed out), so it is not tried again. " +
            "Check that the file is an ordinary PNG or JPEG; re-save or downscale it and upload it again.", null, cancellationToken);
        return true;
    }

    /// <summary>The error record file of input <paramref name="name"/>.</summary>
    public static string ErrorRecordName(string name) => SegmentationOutputs.PathOf(name, SegmentationOutputs.Error);

    private static async Task<bool> AlreadyDoneAsync(BlobContainerClient output, string name, string fingerprint, string model,
        CancellationToken cancellationToken)
    {
        var summary = await ReadAsync<SegmentationSummary>(output, SegmentationOutputs.PathOf(name, SegmentationOutputs.Summary), cancellationToken);
        if (summary is not null && summary.Fingerprint == fingerprint && summary.Model == model)
            return true;
        var error = await ReadAsync<SegmentationError>(output, ErrorRecordName(name), cancellationToken);
        return error is not null && error.Fingerprint == fingerprint && FinalKinds.Contains(error.Kind);
    }

    // The JSON at blobName, or null when there is none or it is not one we wrote (then the input is segmented again).
    private static async Task<T?> ReadAsync<T>(BlobContainerClient output, string blobName, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var existing = await output.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<T>(existing.Value.Content.ToMemory().Span, Json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<BlobSegmentationOutcome> FailAsync(BlobContainerClient output, string name, string? fingerprint, string kind, string message,
        Exception? error, CancellationToken cancellationToken)
    {
        logger.LogWarning(error, "Could not segment {Name} ({Kind}): {Message}", name, kind, message);
        try
        {
            var record = new SegmentationError(name, message, kind, fingerprint);
            await UploadAsync(output, ErrorRecordName(name), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken);
        }
        catch (Exception recordError) when (recordError is not OperationCanceledException)
        {
            // Not rethrown: a retry would most likely fail the same way, and the input stays for a later re-upload.
            logger.LogError(recordError, "Could not write the error record of {Name}", name);
        }
        return BlobSegmentationOutcome.Failed;
    }

    private async Task UploadAsync(BlobContainerClient container, string blobName, byte[] content, CancellationToken cancellationToken)
    {
        // Infra creates segment-output; Azurite starts empty. Checked once per instance.
        if (!_outputReady)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _outputReady = true;
        }
        await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
    }
}
