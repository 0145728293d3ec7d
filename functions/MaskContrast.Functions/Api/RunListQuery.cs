using System.Globalization;
using MaskContrast.Core.Config;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Functions.Api;

/// <summary>
/// The query of <c>GET /api/runs</c>: <c>top</c> (page size, 1–<see cref="MaxTop"/>, default <see cref="DefaultTop"/>),
/// <c>status</c> (comma-separated Durable statuses), <c>createdFrom</c> (ISO 8601) and <c>continuationToken</c> (from the
/// previous page). It becomes one query of the task hub that reads one page, never every instance ever created.
/// </summary>
public static class RunListQuery
{
    /// <summary>Runs per page unless <c>top</c> says otherwise.</summary>
    public const int DefaultTop = 20;

    /// <summary>Largest page: each run is read with its input, output and custom status.</summary>
    public const int MaxTop = 100;

    /// <summary>Longest continuation token accepted (the task hub's tokens are far shorter).</summary>
    public const int MaxTokenLength = 4096;

    private static readonly OrchestrationRuntimeStatus[] s_statuses =
    [
        OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Completed,
        OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Suspended,
    ];

    /// <summary>The task hub query the request asks for, or every problem of its parameters by name.</summary>
    public static (OrchestrationQuery? Query, IReadOnlyDictionary<string, string[]> Problems) Parse(IQueryCollection parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var problems = new Dictionary<string, string[]>();
        int top = DefaultTop;
        if (parameters.TryGetValue("top", out var rawTop)
            && (!int.TryParse(rawTop, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxTop))
            problems["top"] = [$"top ('{EchoText.Shorten(rawTop.ToString())}') must be a whole number between 1 and {MaxTop}."];
        var statuses = new List<OrchestrationRuntimeStatus>();
        if (parameters.TryGetValue("status", out var rawStatus))
            foreach (var name in rawStatus.ToString().Split(',', StringSplitOptions.TrimEntries))
            {
                var match = s_statuses.Where(s => string.Equals(s.ToString(), name, StringComparison.OrdinalIgnoreCase)).ToArray();
                if (match.Length == 1)
                    statuses.Add(match[0]);
                else
                    problems["status"] = [$"status ('{EchoText.Shorten(name)}') must be one or more of {string.Join(", ", s_statuses)}, separated by commas."];
            }
        DateTimeOffset? createdFrom = null;
        if (parameters.TryGetValue("createdFrom", out var rawFrom))
        {
            if (DateTimeOffset.TryParse(rawFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
                createdFrom = from;
            else
                problems["createdFrom"] = [$"createdFrom ('{EchoText.Shorten(rawFrom.ToString())}') must be a date and time such as 2026-12-01T00:00:00Z."];
        }
        string? token = parameters.TryGetValue("continuationToken", out var rawToken) ? rawToken.ToString() : null;
        if (token is not null && (token.Length is 0 or > MaxTokenLength || token.Any(char.IsControl)))
            problems["continuationToken"] = ["continuationToken must be the value a previous page returned; leave it out to start from the first page."];
        if (problems.Count > 0)
            return (null, problems);
        return (new OrchestrationQuery
        {
            PageSize = top,
            Statuses = statuses.Count > 0 ? statuses : null,
            CreatedFrom = createdFrom,
            // The custom status (phase, epoch, loss) travels with inputs and outputs.
            FetchInputsAndOutputs = true,
            ContinuationToken = token,
        }, problems);
    }
}
