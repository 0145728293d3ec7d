using System.Text.Json;
using Azure;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Api;

/// <summary>
/// Faults of what stands behind the API, not of the request: Blob storage not answering (<see cref="RequestFailedException"/>,
/// <see cref="IOException"/>), a damaged record in the store (<see cref="InvalidDataException"/>, <see cref="JsonException"/>),
/// the Durable task hub not answering (<see cref="RpcException"/>, <see cref="TimeoutException"/>). They are answered
/// 503 with problem details; what failed, with its store URLs and type names, goes to the log only.
/// </summary>
public static class ServiceFaults
{
    /// <summary>Whether <paramref name="error"/> is such a fault.</summary>
    public static bool Is(Exception error) => error is RequestFailedException or IOException or InvalidDataException or JsonException
        or RpcException or TimeoutException;

    /// <summary>Runs <paramref name="handle"/>, answering a fault (<see cref="Is"/>) with a logged 503 problem.</summary>
    public static async Task<IActionResult> GuardAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> handle)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handle);
        try
        {
            return await handle();
        }
        catch (Exception error) when (Is(error))
        {
            logger.LogError(error, "{Method} {Path}: storage or the task hub failed", request.Method, ApiLinks.Instance(request));
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "The service is unavailable.",
                "Storage or the run history did not answer, or a record there is damaged; try again in a moment. The details are in the log.",
                ApiLinks.Instance(request));
        }
    }
}
