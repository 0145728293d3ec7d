namespace MaskContrast.Orchestration.Launchers;

/// <summary>Where and how <see cref="ContainerAppsJobClient"/> talks to Azure Resource Manager.</summary>
public sealed record ContainerAppsJobClientOptions
{
    /// <summary>The public-cloud ARM endpoint.</summary>
    public static readonly Uri PublicCloudEndpoint = new("https://management.azure.com/");

    /// <summary>The ARM endpoint; tests point it at a local server, sovereign clouds at theirs.</summary>
    public Uri ArmEndpoint { get; init; } = PublicCloudEndpoint;

    /// <summary>The token scope asked of the credential (the ARM audience plus <c>/.default</c>).</summary>
    public string TokenScope { get; init; } = "https://management.azure.com/.default";

    /// <summary>
    /// The <c>Microsoft.App</c> API version of every call. 2024-03-01 is the first GA version with the job start body
    /// (<c>JobExecutionTemplate</c>) and the execution GET used here.
    /// </summary>
    public string ApiVersion { get; init; } = "2024-03-01";

    /// <summary>Retries after a 408, 429 or 5xx answer or a network error (0 = none).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Delay before the first retry when the answer carries no <c>Retry-After</c>; doubled each retry.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between two attempts, also the cap on a <c>Retry-After</c> the server asks for.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Every problem with the options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ArmEndpoint is null || !ArmEndpoint.IsAbsoluteUri || ArmEndpoint.Scheme is not ("https" or "http"))
            problems.Add($"armEndpoint ({ArmEndpoint}) must be an absolute http(s) URI, e.g. {PublicCloudEndpoint}.");
        if (string.IsNullOrWhiteSpace(TokenScope))
            problems.Add("tokenScope must not be empty (e.g. https://management.azure.com/.default).");
        if (string.IsNullOrWhiteSpace(ApiVersion))
            problems.Add("apiVersion must not be empty (e.g. 2024-03-01).");
        if (MaxRetries is < 0 or > 20)
            problems.Add($"maxRetries ({MaxRetries}) must be between 0 and 20.");
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
            problems.Add($"firstRetryDelay ({FirstRetryDelay}) must be positive and at most maxRetryDelay ({MaxRetryDelay}).");
        if (RequestTimeout <= TimeSpan.Zero)
            problems.Add($"requestTimeout ({RequestTimeout}) must be positive.");
        return problems;
    }
}
