using System.Text.RegularExpressions;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Functions.Api;

/// <summary>A run as <c>GET /api/runs/{id}</c> shows it.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="RuntimeStatus">Durable's status: Pending, Running, Completed, Failed, Terminated…</param>
/// <param name="CreatedUtc">When the run was started.</param>
/// <param name="LastUpdatedUtc">When its state last changed.</param>
/// <param name="Status">Phase, epoch, loss and ETA (the orchestration's custom status), when reported.</param>
/// <param name="Result">The outcome when the orchestration finished.</param>
/// <param name="Failure">What went wrong when it failed.</param>
/// <param name="Links">self, cancel; report and model (artifact paths) and activate when the model is published.</param>
public sealed record RunView(string RunId, string RuntimeStatus, DateTimeOffset CreatedUtc, DateTimeOffset LastUpdatedUtc,
    PipelineStatus? Status, PipelineResult? Result, string? Failure, IReadOnlyDictionary<string, string> Links)
{
    /// <summary>The GPU cost estimate and budget recorded when the run started (<c>GET /api/runs/{id}</c> only; the list
    /// leaves it out to read nothing per run).</summary>
    public GpuCostEstimate? Estimate { get; init; }

    /// <summary>The dataset files the run left out because the store refuses their names (<c>GET /api/runs/{id}</c> only;
    /// null when none were).</summary>
    public SkippedFilesView? SkippedFiles { get; init; }
}

/// <summary>Dataset files a run left out (<see cref="DatasetFileNames"/>).</summary>
/// <param name="Count">How many.</param>
/// <param name="Names">The first <see cref="DatasetFileNames.MaxQuoted"/>, each shortened, then "... and N more".</param>
/// <param name="Record">Artifact path of the record that lists all of them (<see cref="RunLayout.SkippedFiles"/>).</param>
public sealed record SkippedFilesView(int Count, IReadOnlyList<string> Names, string Record)
{
    /// <summary>The view of a run's record; null when it skipped nothing.</summary>
    public static SkippedFilesView? Of(string runId, IReadOnlyList<string>? skipped)
        => skipped is { Count: > 0 } ? new(skipped.Count, DatasetFileNames.Quoted(skipped), RunLayout.SkippedFiles(runId)) : null;
}

/// <summary>Builds <see cref="RunView"/>s and the run-specific problems.</summary>
public static partial class RunViews
{
    /// <summary>Longest failure message a caller sees; the whole one is in the task hub and the log.</summary>
    public const int MaxFailureLength = 1000;

    /// <summary>The view of one pipeline instance.</summary>
    public static RunView Describe(OrchestrationMetadata metadata, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var id = metadata.InstanceId;
        var status = metadata.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<PipelineStatus>();
        var result = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed && metadata.SerializedOutput is not null
            ? metadata.ReadOutputAs<PipelineResult>()
            : null;
        var links = new Dictionary<string, string> { ["self"] = ApiLinks.Run(request, id) };
        if (metadata.IsRunning)
            links["cancel"] = ApiLinks.Cancel(request, id);
        if (result?.Eval is { } eval)
            links["report"] = eval.ReportPath;
        if (result?.Model is { } model)
        {
            links["model"] = model.Path;
            links["activate"] = ApiLinks.Activate(request, id);
        }
        return new RunView(id, metadata.RuntimeStatus.ToString(), metadata.CreatedAt, metadata.LastUpdatedAt, status, result,
            CallerText(metadata.FailureDetails?.ErrorMessage), links);
    }

    /// <summary>
    /// A failure message as a caller may see it: storage locations (an activity's message can quote the container URL,
    /// which names the account) replaced by "(storage)", and at most <see cref="MaxFailureLength"/> characters.
    /// </summary>
    public static string? CallerText(string? message)
    {
        if (message is null)
            return null;
        var text = UrlPattern().Replace(message, "(storage)");
        return text.Length > MaxFailureLength ? text[..MaxFailureLength] + "..." : text;
    }

    /// <summary>400 when <paramref name="runId"/> is not a valid run id (e.g. contains <c>../</c>), else null.</summary>
    public static ObjectResult? InvalidRunId(string? runId, HttpRequest request)
    {
        try
        {
            NameValidator.ValidateRunId(runId, "id");
            return null;
        }
        catch (ArgumentException error)
        {
            return Problems.BadRequest("id", RunSettings.MessageOf(error), ApiLinks.Instance(request));
        }
    }

    /// <summary>404 for an unknown run.</summary>
    public static ObjectResult NotFound(string runId, HttpRequest request) => Problems.Status(StatusCodes.Status404NotFound,
        "The run does not exist.", $"No run has the id '{runId}'; GET /api/runs lists the recent ones.", ApiLinks.Instance(request));

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'""]+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
