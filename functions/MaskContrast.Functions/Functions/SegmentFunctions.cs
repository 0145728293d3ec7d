using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using MaskContrast.Core.Config;
using MaskContrast.Core.Inference;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Hosting;
using MaskContrast.Functions.Inference;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Functions;

/// <summary>
/// Segmentation with the active model: <c>POST /api/segment</c> for one small image, and every blob dropped into
/// <c>segment-input</c> (Event Grid blob trigger) → <c>segment-output</c>.
/// </summary>
public sealed class SegmentFunctions(ActiveSegmenter segmenter, BlobSegmentationProcessor processor, SegmentOutput output, ILogger<SegmentFunctions> logger)
{
    /// <summary>Largest image body of <c>POST /api/segment</c>.</summary>
    public const int MaxImageBytes = 4 * 1024 * 1024;

    /// <summary>Largest image (width × height) of <c>POST /api/segment</c>; larger ones go through the blob drop.</summary>
    public const long MaxImagePixels = 4_000_000;

    /// <summary>
    /// Segments the image in the body. Answers the 8-bit label map as PNG, with <c>?format=json</c> the summary
    /// (labels present, area fractions, names, timing), with <c>?format=overlay</c> the overlay PNG with its legend. 413 too many bytes or pixels, 400 undecodable, 409 when no model is active.
    /// </summary>
    [Function(nameof(SegmentImage))]
    public async Task<IActionResult> SegmentImage(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "segment")] HttpRequest request, CancellationToken cancellationToken)
    {
        var instance = ApiLinks.Instance(request);
        var format = request.Query.TryGetValue("format", out var f) ? f.ToString() : "png";
        if (format is not ("png" or "json" or "overlay"))
            return Problems.BadRequest("format", $"format ('{EchoText.Shorten(format)}') must be png, json or overlay.", instance);
        byte[] body;
        try
        {
            body = await RequestBody.ReadBytesAsync(request, MaxImageBytes, cancellationToken);
        }
        catch (RequestBodyException error)
        {
            return error.ToProblem(request);
        }
        const string name = "image";
        IReadOnlyDictionary<string, byte[]> files;
        bool succeeded;
        try
        {
            var model = await segmenter.GetActiveAsync(cancellationToken);
            if (model is null)
                return Problems.Status(StatusCodes.Status409Conflict, "No model is active.",
                    "Activate a trained model with POST /api/models/{runId}/activate, then send the image again.", instance);
            (files, succeeded) = await segmenter.ProcessAsync(model, name, body, MaxImagePixels, fingerprint: null, cancellationToken);
        }
        catch (Exception error) when (error is InvalidDataException or JsonException)
        {
            // The details (paths, hashes) go to the log; the caller learns what to do.
            logger.LogError(error, "POST /api/segment: the active model cannot be used");
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "The active model cannot be used.",
                "The active model is missing, damaged or not the one that was activated. Activate a model again (POST /api/models/{runId}/activate).", instance);
        }
        catch (Exception error) when (error is RequestFailedException or IOException)
        {
            logger.LogError(error, "POST /api/segment: storage did not answer");
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable.",
                "The model store did not answer; send the image again in a moment.", instance);
        }
        if (!succeeded)
        {
            var error = JsonSerializer.Deserialize<SegmentationError>(files.Values.Single(), BlobSegmentationProcessor.Json)!;
            return error.Kind == "too-large"
                ? Problems.Status(StatusCodes.Status413PayloadTooLarge, "The image has too many pixels.",
                    $"{error.Error} Send at most {MaxImagePixels:N0} pixels here, or drop the image into the segment-input container.", instance)
                : Problems.BadRequest("body", error.Error, instance);
        }
        return format switch
        {
            "json" => new FileContentResult(files[SegmentationOutputs.Summary], "application/json"),
            "overlay" => new FileContentResult(files[SegmentationOutputs.Overlay], "image/png"),
            _ => new FileContentResult(files[SegmentationOutputs.LabelMap], "image/png"),
        };
    }

    /// <summary>Segments a blob dropped into <c>segment-input</c>; never throws for a bad file (it gets an error record).</summary>
    [Function(nameof(SegmentDroppedBlob))]
    public Task SegmentDroppedBlob(
        [BlobTrigger(FunctionsSettings.SegmentInputContainer + "/{name}", Source = BlobTriggerSource.EventGrid,
            Connection = FunctionsSettings.HostStorage)] BlobClient blob,
        string name, CancellationToken cancellationToken)
        => processor.ProcessAsync(blob, name, output.Container, cancellationToken);

    /// <summary>
    /// Reads the host's blob-trigger poison queue: a dropped image whose invocations kept failing without an answer (a
    /// crash or a timeout; bad files never throw) gets an error record of kind <c>poison</c>, so no drop ends without one.
    /// Messages of other blob triggers (epoch records) are only logged.
    /// </summary>
    [Function(nameof(RecordPoisonedBlob))]
    public async Task RecordPoisonedBlob(
        [QueueTrigger(PoisonedBlob.QueueName, Connection = FunctionsSettings.HostStorage)] string message, CancellationToken cancellationToken)
    {
        var poisoned = PoisonedBlob.Parse(message);
        if (poisoned is null)
            logger.LogError("Unreadable message on {Queue}: {Message}", PoisonedBlob.QueueName, EchoText.Shorten(message));
        else if (poisoned.ContainerName != FunctionsSettings.SegmentInputContainer)
            logger.LogError("Blob {Container}/{Blob} (ETag {ETag}) failed repeatedly in {Function} and is not delivered again",
                poisoned.ContainerName, poisoned.BlobName, poisoned.ETag, poisoned.FunctionId);
        else if (await processor.RecordPoisonAsync(poisoned.BlobName, poisoned.ETag, output.Container, cancellationToken))
            logger.LogError("Dropped image {Blob} (ETag {ETag}) failed repeatedly; wrote its error record", poisoned.BlobName, poisoned.ETag);
    }
}

/// <summary>The <c>segment-output</c> container on the host storage account.</summary>
public sealed record SegmentOutput(BlobContainerClient Container);
