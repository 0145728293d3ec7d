using System.Text.Json;
using MaskContrast.Functions.Api;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Functions;

/// <summary>
/// <c>POST /api/runs</c>, <c>GET /api/runs</c>, <c>GET /api/runs/{id}</c>, <c>POST /api/runs/{id}/cancel</c>: thin
/// wrappers; the decisions are in <see cref="StartRunRequest"/>, <see cref="StartRunHandler"/> and <see cref="RunViews"/>.
/// </summary>
public sealed class RunsFunctions(StartRunHandler starter, CallerAccess access, TimeProvider clock, ILogger<RunsFunctions> logger)
{
    /// <summary>Largest accepted body of <c>POST /api/runs</c>.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Validates the body, records the run's settings and starts the pipeline; 202 with the status links.</summary>
    [Function(nameof(StartRun))]
    public async Task<IActionResult> StartRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
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
    }

    /// <summary>The run's status: phase, epoch, loss, ETA, the GPU estimate and budget, and the report and model when done.</summary>
    [Function(nameof(GetRun))]
    public async Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null || metadata.Name != nameof(TrainingPipelineOrchestrator))
            return RunViews.NotFound(id, request);
        return new OkObjectResult(RunViews.Describe(metadata, request) with { Estimate = await starter.EstimateAsync(id, cancellationToken) });
    }

    /// <summary>The most recent runs (query <c>top</c>, 1–100, default 20), newest first.</summary>
    [Function(nameof(ListRuns))]
    public async Task<IActionResult> ListRuns(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var top = 20;
        if (request.Query.TryGetValue("top", out var raw) && (!int.TryParse(raw, out top) || top is < 1 or > 100))
            return Problems.BadRequest("top", $"top ('{raw}') must be a whole number between 1 and 100.", ApiLinks.Instance(request));
        var runs = new List<RunView>();
        // Inputs and outputs are fetched because the custom status (phase, epoch, loss) travels with them.
        var query = new OrchestrationQuery { PageSize = 100, FetchInputsAndOutputs = true };
        await foreach (var metadata in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
            if (metadata.Name == nameof(TrainingPipelineOrchestrator))
                runs.Add(RunViews.Describe(metadata, request));
        return new OkObjectResult(new { runs = runs.OrderByDescending(r => r.CreatedUtc).Take(top).ToList() });
    }

    /// <summary>Asks a running run to stop after its current step (the checkpoint is kept); 202.</summary>
    [Function(nameof(CancelRun))]
    public async Task<IActionResult> CancelRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id, CancellationToken cancellationToken)
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
    }
}
