using System.Net;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>ARM refused or failed a Container Apps job call; the message says what to check.</summary>
/// <param name="message">What went wrong and what to do.</param>
/// <param name="statusCode">The HTTP status of the last answer, when there was one.</param>
/// <param name="errorCode">ARM's <c>error.code</c> (e.g. <c>AuthorizationFailed</c>), when the answer had one.</param>
/// <param name="permanent">Retrying cannot help even though the status alone does not say so (e.g. a wrong container name).</param>
public sealed class ContainerAppsJobException(string message, HttpStatusCode? statusCode = null, string? errorCode = null, bool permanent = false)
    : Exception(message)
{
    /// <summary>The HTTP status of the last answer, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>ARM's <c>error.code</c>, when the answer had one.</summary>
    public string? ErrorCode { get; } = errorCode;

    /// <summary>Whether retrying later cannot help: a bad request, authentication, authorisation, a missing resource.</summary>
    public bool IsPermanent { get; } = permanent || statusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized
        or HttpStatusCode.Forbidden or HttpStatusCode.NotFound;
}
