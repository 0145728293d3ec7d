using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Launchers;

// The HTTP half of the client: bearer token, retries with Retry-After, and error messages that say what to check.
public sealed partial class ContainerAppsJobClient
{
    private sealed record ArmResponse(HttpStatusCode Status, string Body, Uri? Location, TimeSpan? RetryAfter);

    private async Task<ArmResponse> SendAsync(HttpMethod method, Uri uri, string? body, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync(cancellationToken));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            TimeSpan delay;
            try
            {
                using var response = await _http.SendAsync(request, timeout.Token);
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                    return new ArmResponse(response.StatusCode, text, ResolveLocation(response), RetryAfter(response));
                if (!IsTransient(response.StatusCode) || attempt >= _options.MaxRetries)
                    throw Error(response.StatusCode, text, what, attempt + 1);
                delay = RetryAfter(response) ?? Backoff(attempt);
                _logger.LogWarning("ARM answered {Status} to {What}; retry {Retry}/{MaxRetries} in {Delay}",
                    (int)response.StatusCode, what, attempt + 1, _options.MaxRetries, delay);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A network error, or this request's own timeout (not the caller's cancellation).
                if (attempt >= _options.MaxRetries)
                    throw new ContainerAppsJobException(
                        $"Could not {what}: ARM at {_endpoint} did not answer after {attempt + 1} attempts ({e.Message}).");
                delay = Backoff(attempt);
                _logger.LogWarning("Could not reach ARM to {What} ({Error}); retry {Retry}/{MaxRetries} in {Delay}",
                    what, e.Message, attempt + 1, _options.MaxRetries, delay);
            }
            await Task.Delay(Clamp(delay), cancellationToken);
        }
    }

    private async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            if (_token is not { } token || token.ExpiresOn - s_tokenRefreshMargin <= DateTimeOffset.UtcNow)
                _token = token = await _credential.GetTokenAsync(new TokenRequestContext([_options.TokenScope]), cancellationToken);
            return token.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    // 408 Request Timeout, 429 Too Many Requests, and every 5xx except 501 Not Implemented.
    private static bool IsTransient(HttpStatusCode status)
        => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
           || ((int)status >= 500 && status != HttpStatusCode.NotImplemented);

    private TimeSpan Backoff(int attempt) => _options.FirstRetryDelay * Math.Pow(2, Math.Min(attempt, 16));

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private Uri? ResolveLocation(HttpResponseMessage response)
        => response.Headers.Location is not { } location ? null : location.IsAbsoluteUri ? location : new Uri(_endpoint, location);

    private ContainerAppsJobException Error(HttpStatusCode status, string body, string what, int attempts)
    {
        var (code, message) = ReadArmError(body);
        var detail = code is null && message is null ? "" : $" ({code}: {message})";
        var text = status switch
        {
            HttpStatusCode.Unauthorized =>
                $"ARM rejected the access token when trying to {what}{detail}. Check the credential: in Azure, AZURE_CLIENT_ID "
                + $"must be the client id of a managed identity assigned to this app; locally, sign in with `az login`. The token is asked for scope {_options.TokenScope}.",
            HttpStatusCode.Forbidden =>
                $"The identity is not allowed to {what}{detail}. Give it a role with Microsoft.App/jobs/start/action, "
                + "Microsoft.App/jobs/read, Microsoft.App/jobs/executions/read and Microsoft.App/jobs/executions/stop/action on the job (infra/app/rbac.bicep grants the "
                + "Function app's identity Contributor on the training job); role assignments can take a few minutes to apply.",
            HttpStatusCode.NotFound =>
                $"Not found when trying to {what}{detail}. Check TRAINING_JOB_RESOURCE_ID (azd env get-value TRAINING_JOB_RESOURCE_ID) "
                + "and that the job still exists.",
            _ when IsTransient(status) =>
                $"ARM kept failing to {what}: {(int)status} {status}{detail} after {attempts} attempts.",
            _ => $"ARM refused to {what}: {(int)status} {status}{detail}.",
        };
        return new ContainerAppsJobException(text, status, code);
    }

    // ARM errors look like {"error":{"code":"AuthorizationFailed","message":"..."}}; anything else is shown shortened.
    private static (string? Code, string? Message) ReadArmError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return (null, null);
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            if (error is not null)
                return ((string?)error["code"], (string?)error["message"]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not an ARM error body; show its start.
        }
        return (null, body.Length <= 300 ? body : body[..300] + "…");
    }
}
