using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Orchestration.Launchers;

/// <summary>A started execution: ARM's <c>JobExecutionBase</c>.</summary>
/// <param name="Name">Execution name, e.g. <c>training-x1y2z3</c>; <see cref="ContainerAppsJobClient.GetExecutionStatusAsync"/> takes it.</param>
/// <param name="Id">Full resource id of the execution, when ARM returned it.</param>
public sealed record JobExecutionRef(string Name, string? Id);

/// <summary>
/// The three Container Apps job calls the training launcher needs, as plain ARM REST calls with a bearer token from an
/// Azure.Identity <see cref="TokenCredential"/> (the Container Apps management SDK is not available to this project):
/// start an execution with environment overrides, read an execution's status, and stop an execution.
/// </summary>
/// <remarks>
/// <para>Start (REST "Jobs - Start"): <c>POST {jobId}/start?api-version=…</c> with a <c>JobExecutionTemplate</c> body,
/// <c>{"containers":[{"name","image","env":[{"name","value"}],…}]}</c>. The body replaces the template's container for
/// this execution, so the client first reads the job (<c>GET {jobId}</c>) and sends its container back with the
/// overrides merged into its env: the image the deployment hook set, the resources and the settings that are not
/// overridden (storage URL, client id) stay as deployed. ARM answers 200 with <c>{"name","id"}</c>, or 202 with a
/// <c>Location</c> to poll for that body.</para>
/// <para>Status (REST "Job Execution - Get"): <c>GET {jobId}/executions/{name}?api-version=…</c> →
/// <c>properties.status</c>.</para>
/// <para>Every call is retried on 408, 429 and 5xx answers and on network errors, waiting for <c>Retry-After</c> when
/// the answer has one and with exponential backoff otherwise. 400/401/403/404 are not retried and raise a
/// <see cref="ContainerAppsJobException"/> that says what to check.</para>
/// </remarks>
public sealed partial class ContainerAppsJobClient
{
    // Polls of a 202's Location before giving up on learning the execution name.
    private const int MaxLocationPolls = 30;
    private static readonly TimeSpan s_tokenRefreshMargin = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http;
    private readonly TokenCredential _credential;
    private readonly ContainerAppsJobClientOptions _options;
    private readonly ILogger _logger;
    private readonly Uri _endpoint;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private AccessToken? _token;

    /// <summary>Creates the client. <paramref name="http"/> is not disposed by it.</summary>
    public ContainerAppsJobClient(HttpClient http, TokenCredential credential, ContainerAppsJobClientOptions? options = null,
        ILogger<ContainerAppsJobClient>? logger = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _options = options ?? new();
        var problems = _options.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid Container Apps job client options: " + string.Join("; ", problems), nameof(options));
        _endpoint = _options.ArmEndpoint.AbsoluteUri.EndsWith('/') ? _options.ArmEndpoint : new Uri(_options.ArmEndpoint.AbsoluteUri + "/");
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Starts an execution of job <paramref name="jobResourceId"/> whose container <paramref name="containerName"/> gets
    /// <paramref name="environment"/> on top of the job template's env.
    /// </summary>
    /// <exception cref="ContainerAppsJobException">ARM refused the call, or kept failing after the retries.</exception>
    public async Task<JobExecutionRef> StartExecutionAsync(string jobResourceId, string containerName,
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        ValidateJobResourceId(jobResourceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        ArgumentNullException.ThrowIfNull(environment);

        var job = await SendAsync(HttpMethod.Get, ResourceUri(jobResourceId), null, $"read job {jobResourceId}", cancellationToken);
        var body = BuildStartBody(ParseJson(job.Body, jobResourceId), jobResourceId, containerName, environment);
        var what = $"start an execution of job {jobResourceId}";
        var started = await SendAsync(HttpMethod.Post, ResourceUri(jobResourceId + "/start"), body, what, cancellationToken);
        // 202 Accepted: the name comes from the operation behind Location, polled until it answers with a body. Only
        // follow it to the ARM endpoint we trust with the token.
        var location = started.Location;
        JobExecutionRef? execution;
        for (var poll = 0; (execution = ReadExecutionRef(started.Body)) is null; poll++)
        {
            if (started.Status != HttpStatusCode.Accepted || location is null || poll >= MaxLocationPolls
                || !string.Equals(location.Authority, _endpoint.Authority, StringComparison.OrdinalIgnoreCase))
                throw new ContainerAppsJobException(
                    $"ARM accepted the request to {what} ({(int)started.Status}) but did not say which execution it started "
                    + $"(no name in the answer{(location is null ? " and no Location header" : $" after {poll} polls of {location}")}).",
                    started.Status);
            await Task.Delay(Clamp(started.RetryAfter ?? _options.FirstRetryDelay), cancellationToken);
            started = await SendAsync(HttpMethod.Get, location, null, what, cancellationToken);
            location = started.Location ?? location;
        }
        _logger.LogInformation("Started execution {Execution} of job {Job}", execution.Name, jobResourceId);
        return execution;
    }

    /// <summary>The status of execution <paramref name="executionName"/> of job <paramref name="jobResourceId"/>.</summary>
    /// <exception cref="ContainerAppsJobException">ARM refused the call, or kept failing after the retries.</exception>
    public async Task<JobExecutionStatus> GetExecutionStatusAsync(string jobResourceId, string executionName,
        CancellationToken cancellationToken = default)
    {
        ValidateJobResourceId(jobResourceId);
        ValidateExecutionName(executionName);
        var response = await SendAsync(HttpMethod.Get, ResourceUri($"{jobResourceId}/executions/{executionName}"), null,
            $"read execution {executionName} of job {jobResourceId}", cancellationToken);
        return ParseJson(response.Body, jobResourceId)["properties"]?["status"] is JsonValue status && status.TryGetValue<string>(out var text)
            ? JobExecutionStatuses.Parse(text)
            : JobExecutionStatus.Unknown;
    }

    /// <summary>
    /// Stops execution <paramref name="executionName"/> of job <paramref name="jobResourceId"/> (REST "Jobs - Stop
    /// Execution": <c>POST {jobId}/executions/{name}/stop</c>; 200, or 202 while the platform stops the replica).
    /// </summary>
    /// <exception cref="ContainerAppsJobException">ARM refused the call, or kept failing after the retries.</exception>
    public async Task StopExecutionAsync(string jobResourceId, string executionName, CancellationToken cancellationToken = default)
    {
        ValidateJobResourceId(jobResourceId);
        ValidateExecutionName(executionName);
        await SendAsync(HttpMethod.Post, ResourceUri($"{jobResourceId}/executions/{executionName}/stop"), null,
            $"stop execution {executionName} of job {jobResourceId}", cancellationToken);
        _logger.LogInformation("Stopped execution {Execution} of job {Job}", executionName, jobResourceId);
    }

    /// <summary>
    /// The start body: the template container <paramref name="containerName"/> of <paramref name="job"/> (the job's
    /// GET answer) with <paramref name="environment"/> replacing or adding env entries; init containers as deployed.
    /// </summary>
    internal static string BuildStartBody(JsonNode job, string jobResourceId, string containerName, IReadOnlyDictionary<string, string> environment)
    {
        var template = job["properties"]?["template"];
        var containers = template?["containers"] as JsonArray ?? [];
        var container = containers.OfType<JsonObject>()
            .FirstOrDefault(c => string.Equals((string?)c["name"], containerName, StringComparison.Ordinal))
            ?? throw new ContainerAppsJobException(
                $"Job {jobResourceId} has no container named '{containerName}' (it has: "
                + $"{string.Join(", ", containers.OfType<JsonObject>().Select(c => (string?)c["name"]))}). Check TRAINING_JOB_CONTAINER_NAME.",
                permanent: true);

        var overridden = ExecutionContainer(container);
        var env = new JsonArray();
        foreach (var entry in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
            if (entry["name"] is JsonValue name && !environment.ContainsKey((string)name!))
                env.Add(entry.DeepClone());
        foreach (var (name, value) in environment)
            env.Add(new JsonObject { ["name"] = name, ["value"] = value });
        overridden["env"] = env;

        var body = new JsonObject { ["containers"] = new JsonArray(overridden) };
        if (template?["initContainers"] is JsonArray { Count: > 0 } init)
            body["initContainers"] = new JsonArray(init.OfType<JsonObject>().Select(c => (JsonNode)ExecutionContainer(c)).ToArray());
        return body.ToJsonString();
    }

    // The fields a JobExecutionContainer has; the template's probes and volume mounts are not part of it.
    private static JsonObject ExecutionContainer(JsonObject container)
    {
        var result = new JsonObject();
        foreach (var field in (string[])["name", "image", "command", "args", "env", "resources"])
            if (container[field] is { } value)
                result[field] = value.DeepClone();
        return result;
    }

    private static JobExecutionRef? ReadExecutionRef(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return null;
        try
        {
            var node = JsonNode.Parse(body);
            return node?["name"] is JsonValue name && name.TryGetValue<string>(out var text) && !string.IsNullOrEmpty(text)
                ? new JobExecutionRef(text, node["id"] is JsonValue id && id.TryGetValue<string>(out var idText) ? idText : null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode ParseJson(string body, string jobResourceId)
    {
        try
        {
            return JsonNode.Parse(body) ?? throw new JsonException("empty body");
        }
        catch (JsonException e)
        {
            throw new ContainerAppsJobException($"ARM answered a call about {jobResourceId} with a body that is not JSON: {e.Message}");
        }
    }

    private Uri ResourceUri(string path) => new(_endpoint, $"{path.TrimStart('/')}?api-version={Uri.EscapeDataString(_options.ApiVersion)}");

    /// <summary>Whether <paramref name="value"/> has the shape of a Container Apps job's ARM id.</summary>
    public static bool IsJobResourceId(string? value) => !string.IsNullOrEmpty(value) && JobIdPattern().IsMatch(value);

    private static void ValidateJobResourceId(string jobResourceId)
    {
        if (!IsJobResourceId(jobResourceId))
            throw new ArgumentException(
                $"jobResourceId ('{jobResourceId}') must look like /subscriptions/{{id}}/resourceGroups/{{group}}/providers/Microsoft.App/jobs/{{name}} "
                + "(azd env get-value TRAINING_JOB_RESOURCE_ID).", nameof(jobResourceId));
    }

    private static void ValidateExecutionName(string executionName)
    {
        if (string.IsNullOrEmpty(executionName) || executionName.Length > 260 || !ArmNamePattern().IsMatch(executionName))
            throw new ArgumentException($"executionName ('{executionName}') must be 1-260 characters of letters, digits, '-', '_', '.', '(' and ')'.",
                nameof(executionName));
    }

    private TimeSpan Clamp(TimeSpan delay)
        => delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;

    [GeneratedRegex(@"^/subscriptions/[^/?#]+/resourceGroups/[^/?#]+/providers/Microsoft\.App/jobs/[-\w\.\(\)]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"^[-\w\.\(\)]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ArmNamePattern();
}
