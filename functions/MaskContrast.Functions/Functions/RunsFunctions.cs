using MaskContrast.Functions.Api;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Functions;

/// <summary>
/// <c>POST /api/runs</c>, <c>GET /api/runs</c>, <c>GET /api/runs/{id}</c>, <c>POST /api/runs/{id}/cancel</c>: thin
/// wrappers; the decisions are in <see cref="StartRunRequest"/>, <see cref="StartRunHandler"/>, <see cref="RunListQuery"/>
/// and <see cref="RunViews"/>. Storage and task hub faults are answered 503 (<see cref="ServiceFaults"/>).
/// </summary>
public sealed class RunsFunctions(StartRunHandler starter, CallerAccess access, TimeProvider clock, ILogger<RunsFunctions> logger)
{
    /// <summary>Largest accepted body of <c>POST /api/runs</c>.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Validates the body, records the run's settings and starts the pipeline; 202 with the status links.</summary>
    [Function(nameof(StartRun))]
    public Task<IActionResult> StartRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) => ServiceFaults.GuardAsync(request, logger, async () =>
    {
        if (access.Require(request, ApiRoles.RunsStart) is { } denied)
            return denied;
        StartRunRequest? body;
        try
        {
            body = await RequestBody.ReadJsonAsync<StartRunRequest>(request, MaxBodyBytes, cancellationToken);
        }
        catch (RequestBodyException error)
        {
            return error.ToProblem(request);
        }
        if (body is null)
            return Problems.BadRequest("body", "The body must be a JSON object such as {\"dataset\":\"voc\",\"preset\":\"imagenet-resnet18\",\"epochs\":10}.", ApiLinks.Instance(request));
        var result = await starter.StartAsync(body, client, request, clock.GetUtcNow().UtcDateTime, cancellationToken);
        logger.LogInformation("POST /api/runs: {Status}", (result as IStatusCodeActionResult)?.StatusCode);
        return result;
    });

    /// <summary>The run's status: phase, epoch, loss, ETA, the GPU estimate and budget, skipped dataset files, and the
    /// report and model when done.</summary>
    [Function(nameof(GetRun))]
    public Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id, CancellationToken cancellationToken) => ServiceFaults.GuardAsync(request, logger, async () =>
    {
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null || metadata.Name != nameof(TrainingPipelineOrchestrator))
            return RunViews.NotFound(id, request);
        return new OkObjectResult(RunViews.Describe(metadata, request) with
        {
            Estimate = await starter.EstimateAsync(id, cancellationToken),
            SkippedFiles = await starter.SkippedFilesAsync(id, cancellationToken),
        });
    });

    /// <summary>One page of runs (<see cref="RunListQuery"/>: <c>top</c>, <c>status</c>, <c>createdFrom</c>,
    /// <c>continuationToken</c>), newest first within the page, with the token and link of the next page.</summary>
    [Function(nameof(ListRuns))]
    public Task<IActionResult> ListRuns(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) => ServiceFaults.GuardAsync(request, logger, async () =>
    {
        var (query, problems) = RunListQuery.Parse(request.Query);
        if (query is null)
            return Problems.Validation(problems, ApiLinks.Instance(request));
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(query.ContinuationToken, query.PageSize).WithCancellation(cancellationToken))
        {
            var runs = page.Values.Where(m => m.Name == nameof(TrainingPipelineOrchestrator))
                .Select(m => RunViews.Describe(m, request)).OrderByDescending(r => r.CreatedUtc).ToList();
            return new OkObjectResult(new RunPage(runs, page.ContinuationToken, ApiLinks.NextPage(request, page.ContinuationToken)));
        }
        return new OkObjectResult(new RunPage([], null, null));
    });

    /// <summary>Asks a running run to stop after its current step (the checkpoint is kept); 202.</summary>
    [Function(nameof(CancelRun))]
    public Task<IActionResult> CancelRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id, CancellationToken cancellationToken) => ServiceFaults.GuardAsync(request, logger, async () =>
    {
        if (access.Require(request, ApiRoles.RunsCancel) is { } denied)
            return denied;
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (metadata is null || metadata.Name != nameof(TrainingPipelineOrchestrator))
            return RunViews.NotFound(id, request);
        if (!metadata.IsRunning && metadata.RuntimeStatus != OrchestrationRuntimeStatus.Pending)
            return Problems.Status(StatusCodes.Status409Conflict, "The run is not running.",
                $"Run '{id}' is {metadata.RuntimeStatus}; only a running run can be cancelled.", ApiLinks.Instance(request));
        await client.CancelPipelineAsync(id, cancellationToken);
        return new AcceptedResult(ApiLinks.Run(request, id), new { runId = id, statusQueryGetUri = ApiLinks.Run(request, id) });
    });
}

/// <summary>Body of <c>GET /api/runs</c>.</summary>
/// <param name="Runs">This page's runs, newest first.</param>
/// <param name="ContinuationToken">Pass it as <c>continuationToken</c> for the next page; null on the last one.</param>
/// <param name="Next">The next page's link (the same query with the token); null on the last one.</param>
public sealed record RunPage(IReadOnlyList<RunView> Runs, string? ContinuationToken, string? Next);
