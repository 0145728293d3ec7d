using MaskContrast.Core.Config;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Functions;

/// <summary><c>POST /api/models/{id}/activate</c> and <c>GET /api/models/active</c>: which model segments images;
/// <c>GET /api/models/{id}</c>: where a model comes from; <c>PUT /api/models/{id}/clusters</c>: names for its clusters.</summary>
public sealed class ModelsFunctions(ActiveModelStore activeModels, ClusterNaming naming, CallerAccess access, TimeProvider clock, IArtifactStore store,
    ILogger<ModelsFunctions> logger)
{
    private const int MaxNamesBodyBytes = 16 * 1024;

    /// <summary>
    /// Names run <paramref name="id"/>'s clusters: body <c>{"3": "car", "5": "road"}</c> (an empty name removes one). Answers the
    /// new bundle version (<see cref="ClusterNaming"/>); 400 for a bad label or name, 404 without a model, 503 when the
    /// bundle cannot be read. Needs the role that activates models: names change what segmentations say.
    /// </summary>
    [Function(nameof(NameClusters))]
    public async Task<IActionResult> NameClusters(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "models/{id}/clusters")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (access.Require(request, ApiRoles.ModelsActivate) is { } denied)
            return denied;
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        Dictionary<string, string>? body;
        try { body = await RequestBody.ReadJsonAsync<Dictionary<string, string>>(request, MaxNamesBodyBytes, cancellationToken); }
        catch (RequestBodyException error) { return error.ToProblem(request); }
        if (body is not { Count: > 0 })
            return Problems.BadRequest("body", "Give at least one name, e.g. {\"3\": \"car\"}.", ApiLinks.Instance(request));
        var names = new Dictionary<int, string>();
        foreach (var (key, name) in body)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int label))
                return Problems.BadRequest(EchoText.Shorten(key), $"'{EchoText.Shorten(key)}' is not a cluster label (1, 2, …).", ApiLinks.Instance(request));
            names[label] = name ?? "";
        }
        try
        {
            return await naming.NameAsync(id, names, clock.GetUtcNow().UtcDateTime, cancellationToken) is { } named
                ? new OkObjectResult(named)
                : NoModel(id, request);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest("body", e.Message, ApiLinks.Instance(request));
        }
        catch (InvalidDataException e)
        {
            return UnreadableModel(id, request, e);
        }
    }

    /// <summary>Makes run <paramref name="id"/>'s published model the active one; 404 when the run has no model.</summary>
    [Function(nameof(ActivateModel))]
    public async Task<IActionResult> ActivateModel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{id}/activate")] HttpRequest request,
        string id, CancellationToken cancellationToken)
    {
        if (access.Require(request, ApiRoles.ModelsActivate) is { } denied)
            return denied;
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        var active = await activeModels.ActivateAsync(id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return active is null
            ? Problems.Status(StatusCodes.Status404NotFound, "The run has no model.",
                $"Run '{id}' has no published model ({RunLayout.ModelRecord(id)} is missing); wait until the run completes.", ApiLinks.Instance(request))
            : new OkObjectResult(active);
    }

    /// <summary>The lineage of run <paramref name="id"/>'s published model (<see cref="ModelLineage"/>); 404 when it has none,
    /// 503 when its bundle cannot be read.</summary>
    [Function(nameof(GetModel))]
    public async Task<IActionResult> GetModel(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (RunViews.InvalidRunId(id, request) is { } invalid)
            return invalid;
        try
        {
            return await ModelLineage.ReadAsync(store, id, cancellationToken) is { } lineage
                ? new OkObjectResult(lineage)
                : NoModel(id, request);
        }
        catch (InvalidDataException e)
        {
            return UnreadableModel(id, request, e);
        }
    }

    private static ObjectResult NoModel(string id, HttpRequest request) => Problems.Status(StatusCodes.Status404NotFound, "The run has no model.",
        $"Run '{id}' has no published model; wait until the run completes.", ApiLinks.Instance(request));

    // Details (which file, what is wrong with it) go to the log only.
    private ObjectResult UnreadableModel(string id, HttpRequest request, InvalidDataException error)
    {
        logger.LogError(error, "The model of run {RunId} cannot be read", id);
        return Problems.Status(StatusCodes.Status503ServiceUnavailable, "The model cannot be read.",
            $"The published bundle of run '{id}' is missing or damaged; the details are in the log.", ApiLinks.Instance(request));
    }

    /// <summary>The active model; 404 when none was activated.</summary>
    [Function(nameof(GetActiveModel))]
    public async Task<IActionResult> GetActiveModel(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/active")] HttpRequest request, CancellationToken cancellationToken)
        => await activeModels.GetAsync(cancellationToken) is { } active
            ? new OkObjectResult(active)
            : Problems.Status(StatusCodes.Status404NotFound, "No model is active.",
                "Activate a trained model with POST /api/models/{runId}/activate.", ApiLinks.Instance(request));
}
