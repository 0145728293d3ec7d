using System.Text.Json;

namespace MaskContrast.Functions.Inference;

/// <summary>
/// A message of the <c>webjobs-blobtrigger-poison</c> queue: the Functions host puts one there for a blob whose trigger
/// invocations failed <c>poisonBlobThreshold</c> times (host.json) and then stops delivering that blob version.
/// Our blob functions never throw for a bad input, so such a failure means the worker crashed, timed out or was stopped.
/// </summary>
/// <param name="FunctionId">The trigger function, e.g. <c>Host.Functions.SegmentDroppedBlob</c>.</param>
/// <param name="ContainerName">The blob's container.</param>
/// <param name="BlobName">The blob's name in its container.</param>
/// <param name="ETag">The version that failed.</param>
public sealed record PoisonedBlob(string? FunctionId, string ContainerName, string BlobName, string? ETag)
{
    /// <summary>The name of the host's poison queue for blob triggers (one queue for every blob-triggered function).</summary>
    public const string QueueName = "webjobs-blobtrigger-poison";

    /// <summary>The message's fields (the host writes them PascalCase), or null when it is not a blob-trigger poison message.</summary>
    public static PoisonedBlob? Parse(string message)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<PoisonedBlob>(message);
            return parsed is { ContainerName.Length: > 0, BlobName.Length: > 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
