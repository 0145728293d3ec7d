using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Inference;

/// <summary>What happened to one dropped blob.</summary>
public enum BlobSegmentationOutcome
{
    /// <summary>The three outputs were written.</summary>
    Written,
    /// <summary>Outputs for the same input version and model already existed.</summary>
    Skipped,
    /// <summary>An error record was written instead.</summary>
    Failed,
}

/// <summary>The error record <c>&lt;name&gt;.error.json</c>.</summary>
public sealed record SegmentationError(string Source, string? Fingerprint, string Error, string Kind, DateTime WrittenUtc);

/// <summary>
/// The <c>segment-input</c> → <c>segment-output</c> step of one blob: writes <c>&lt;name&gt;.png</c>,
/// <c>&lt;name&gt;.overlay.png</c> and <c>&lt;name&gt;.json</c> (the summary goes last: it marks the set complete) with the
/// active model, or <c>&lt;name&gt;.error.json</c>. Never throws for a bad input or a missing model, so the trigger is not
/// retried forever; never deletes the input. Idempotent: when the summary records the same input ETag and model hash, the
/// blob is skipped, and writing the same outputs again only replaces them.
/// </summary>
public sealed class BlobSegmentationProcessor(ActiveSegmenter segmenter, TimeProvider clock, ILogger<BlobSegmentationProcessor> logger)
{
    /// <summary>Largest input blob (bytes) that is downloaded and decoded.</summary>
    public const long MaxInputBytes = 50 * 1024 * 1024;

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
                throw new InvalidDataException($"'{name}' is {properties.ContentLength:N0} bytes; at most {MaxInputBytes:N0} are segmented. Downscale it.");
            var model = await segmenter.GetActiveAsync(cancellationToken);
            if (model is null)
            {
                await RecordErrorAsync(output, name, fingerprint, "NoActiveModel",
                    "No model is active; activate one with POST /api/models/{runId}/activate, then upload the image again.", null, cancellationToken);
                return BlobSegmentationOutcome.Failed;
            }
            if (await AlreadyDoneAsync(output, name, fingerprint, model.Sha256, cancellationToken))
            {
                logger.LogInformation("Skipping {Name}: outputs for ETag {ETag} and model {Model} exist", name, fingerprint, model.Sha256);
                return BlobSegmentationOutcome.Skipped;
            }
            // Download the version whose ETag was read, so the summary never records another version's fingerprint.
            var content = await input.DownloadContentAsync(
                new Azure.Storage.Blobs.Models.BlobDownloadOptions { Conditions = new() { IfMatch = properties.ETag } }, cancellationToken);
            var image = ImageCodec.DecodeRgb(content.Value.Content.ToArray(), name);
            var segmentation = await segmenter.SegmentAsync(image, model, cancellationToken);
            var files = SegmentationWriter.Render(segmentation, new SegmentationSource(name, fingerprint, model.Sha256), clock.GetUtcNow().UtcDateTime);
            await UploadAsync(output, SegmentationWriter.LabelMapName(name), files.LabelMap, cancellationToken);
            await UploadAsync(output, SegmentationWriter.OverlayName(name), files.Overlay, cancellationToken);
            await UploadAsync(output, SegmentationWriter.SummaryName(name), files.Summary, cancellationToken);
            logger.LogInformation("Segmented {Name} ({Width}x{Height}) in {Milliseconds:F0} ms", name, image.Width, image.Height, segmentation.Milliseconds);
            return BlobSegmentationOutcome.Written;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // The host is shutting down; the blob will be delivered again.
        }
        catch (Exception error)
        {
            var kind = error switch
            {
                InvalidDataException => "InvalidImage",
                RequestFailedException storage => $"Storage{storage.Status}",
                _ => error.GetType().Name,
            };
            await RecordErrorAsync(output, name, fingerprint, kind, error.Message, error, cancellationToken);
            return BlobSegmentationOutcome.Failed;
        }
    }

    private static async Task<bool> AlreadyDoneAsync(BlobContainerClient output, string name, string fingerprint, string model,
        CancellationToken cancellationToken)
    {
        try
        {
            var existing = await output.GetBlobClient(SegmentationWriter.SummaryName(name)).DownloadContentAsync(cancellationToken);
            var summary = SegmentationWriter.TryReadSummary(existing.Value.Content.ToMemory().Span);
            return summary is not null && summary.Fingerprint == fingerprint && summary.Model == model;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private async Task RecordErrorAsync(BlobContainerClient output, string name, string? fingerprint, string kind, string message,
        Exception? error, CancellationToken cancellationToken)
    {
        logger.LogWarning(error, "Could not segment {Name} ({Kind}): {Message}", name, kind, message);
        var record = new SegmentationError(name, fingerprint, message, kind, clock.GetUtcNow().UtcDateTime);
        try
        {
            await UploadAsync(output, SegmentationWriter.ErrorName(name), JsonSerializer.SerializeToUtf8Bytes(record, SegmentationWriter.Json), cancellationToken);
        }
        catch (Exception recordError) when (recordError is not OperationCanceledException)
        {
            // Not rethrown: a retry would fail the same way, and the input stays for a later re-upload.
            logger.LogError(recordError, "Could not write the error record of {Name}", name);
        }
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
