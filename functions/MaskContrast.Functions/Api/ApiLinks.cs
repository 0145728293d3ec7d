using Microsoft.AspNetCore.Http;

namespace MaskContrast.Functions.Api;

/// <summary>Absolute links to the API's own routes, built from the request's scheme and host.</summary>
public static class ApiLinks
{
    /// <summary><c>https://host/api/runs/{id}</c></summary>
    public static string Run(HttpRequest request, string runId) => $"{Base(request)}/api/runs/{Uri.EscapeDataString(runId)}";

    /// <summary><c>https://host/api/runs/{id}/cancel</c></summary>
    public static string Cancel(HttpRequest request, string runId) => Run(request, runId) + "/cancel";

    /// <summary><c>https://host/api/models/{id}/activate</c></summary>
    public static string Activate(HttpRequest request, string runId) => $"{Base(request)}/api/models/{Uri.EscapeDataString(runId)}/activate";

    /// <summary>The request's own link with <c>continuationToken</c> set to <paramref name="token"/> (its other parameters kept);
    /// null without a token.</summary>
    public static string? NextPage(HttpRequest request, string? token)
    {
        if (token is null)
            return null;
        var parameters = request.Query.Where(p => p.Key != "continuationToken")
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new("continuationToken", token));
        return $"{Base(request)}{request.Path}{QueryString.Create(parameters)}";
    }

    /// <summary>The request path, for a problem's <c>instance</c>.</summary>
    public static string Instance(HttpRequest request) => request.Path.HasValue ? request.Path.Value! : "/";

    /// <summary><c>scheme://host</c> of the request.</summary>
    public static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}";
}
