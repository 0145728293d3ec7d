using System.Security.Cryptography;
using System.Text.Json;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Functions.Api;

/// <summary>
/// Starts a run from a <see cref="StartRunRequest"/>: validates every field at once (400), checks that the dataset exists
/// (404) and that the run id is neither running nor taken by other settings (409), then starts it through
/// <see cref="RunStarter"/>, as the CLI does (records <see cref="RunSettings"/> in <see cref="RunLayout.Config"/> and
/// schedules the pipeline with instance id = run id).
/// </summary>
/// <param name="store">The artifact store.</param>
/// <param name="epochJob">Set in job mode: epochs run as Container Apps job executions.</param>
public sealed class StartRunHandler(IArtifactStore store, EpochJobOptions? epochJob = null)
{
    /// <summary>Starts the run, or returns the problem.</summary>
    public async Task<IActionResult> StartAsync(StartRunRequest body, DurableTaskClient client, HttpRequest request, DateTime nowUtc,
        CancellationToken cancellationToken)
    {
        var instance = ApiLinks.Instance(request);
        var (settings, _, problems) = body.Validate();
        if (settings is null)
            return Problems.Validation(problems, instance);
        if ((await store.ListAsync(RunLayout.Dataset(settings.Dataset), cancellationToken)).Count == 0)
            return Problems.Status(StatusCodes.Status404NotFound, "The dataset does not exist.",
                $"Dataset '{settings.Dataset}' has no files under {RunLayout.Dataset(settings.Dataset)} in {store.Description}; upload its images first.",
                instance);

        var runId = body.RunId ?? NewRunId(nowUtc);
        var recorded = await store.ReadJsonAsync<RunSettings>(RunLayout.Config(runId), cancellationToken);
        if (recorded is not null && !SameSettings(recorded, settings))
            return Problems.Status(StatusCodes.Status409Conflict, "The run id is taken.",
                $"Run '{runId}' was started with other settings ({JsonSerializer.Serialize(recorded, ArtifactStoreExtensions.JsonOptions)}); " +
                "starting an existing run id resumes it with its own settings. Choose another run id.", instance);

        RunStart start;
        try
        {
            start = await RunStarter.StartAsync(client, store, runId, settings, body.ShardSize ?? 64, cancellationToken, epochJob);
        }
        catch (ArgumentException error)
        {
            return Problems.BadRequest("settings", RunSettings.MessageOf(error), instance);
        }
        catch (FileNotFoundException error)
        {
            return Problems.Status(StatusCodes.Status404NotFound, "The dataset does not exist.", error.Message, instance);
        }
        if (start == RunStart.AlreadyRunning)
            return Problems.Status(StatusCodes.Status409Conflict, "The run is already running.",
                $"Run '{runId}' is running; wait for it, cancel it (POST {ApiLinks.Cancel(request, runId)}) or choose another run id.", instance);
        return new AcceptedResult(ApiLinks.Run(request, runId), new StartRunResponse(runId, start == RunStart.Resumed, settings,
            ApiLinks.Run(request, runId), ApiLinks.Cancel(request, runId), ManagementLinks(client, runId, request)));
    }

    /// <summary><c>run-yyyyMMdd-HHmmss-xxxxxx</c>: sortable by start time, unique enough without coordination.</summary>
    public static string NewRunId(DateTime nowUtc)
        => $"run-{nowUtc:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    private static bool SameSettings(RunSettings a, RunSettings b)
        => a with { Overrides = [] } == b with { Overrides = [] } && a.Overrides.SequenceEqual(b.Overrides);

    // Durable's own check-status links (status, raise event, terminate, purge), with the system key, when the client came
    // from the Functions binding. A client created elsewhere (tests, the embedded host) knows no webhook base URL: then
    // the links point at the same webhook paths on this host, without a key.
    private static object ManagementLinks(DurableTaskClient client, string runId, HttpRequest request)
    {
        try
        {
            return client.CreateHttpManagementPayload(runId);
        }
        catch (InvalidOperationException)
        {
            var instanceUrl = $"{ApiLinks.Base(request)}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(runId)}";
            return new
            {
                id = runId,
                statusQueryGetUri = instanceUrl,
                sendEventPostUri = instanceUrl + "/raiseEvent/{eventName}",
                terminatePostUri = instanceUrl + "/terminate?reason={text}",
                purgeHistoryDeleteUri = instanceUrl,
            };
        }
    }
}

/// <summary>Body of the 202 answer to <c>POST /api/runs</c>.</summary>
/// <param name="RunId">The run id (= orchestration instance id).</param>
/// <param name="Resumed">True when the run id existed (same settings) and continues after its last checkpoint.</param>
/// <param name="Settings">The recorded settings.</param>
/// <param name="StatusUri"><c>GET /api/runs/{id}</c>.</param>
/// <param name="CancelUri"><c>POST /api/runs/{id}/cancel</c>.</param>
/// <param name="Management">Durable's check-status payload: <c>statusQueryGetUri</c>, <c>terminatePostUri</c>, <c>purgeHistoryDeleteUri</c>…</param>
public sealed record StartRunResponse(string RunId, bool Resumed, RunSettings Settings, string StatusUri, string CancelUri, object Management);
