using MaskContrast.Functions.Models;
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
/// Answers <c>POST /api/runs</c>: chooses the model the run inherits cluster names from (<see cref="NamesSource"/>), hands
/// the body to <see cref="RunStarter"/>, the gate the CLI uses too, and maps its
/// outcome to a status code: 202 started or resumed, 400 invalid fields or over the limits (all of them at once), 404
/// dataset missing, 409 run id taken by other settings or already running, 429 as many runs going as the limits allow.
/// </summary>
/// <param name="store">The artifact store.</param>
/// <param name="epochJob">Set in job mode: epochs run as Container Apps job executions.</param>
/// <param name="limits">What an HTTP caller may spend; the host registers <see cref="RunLimits.FromSettings"/>.</param>
public sealed class StartRunHandler(IArtifactStore store, EpochJobOptions? epochJob = null, RunLimits? limits = null)
{
    private readonly NamesSource _namesSource = new(store);

    /// <summary>Starts the run, or returns the problem.</summary>
    public async Task<IActionResult> StartAsync(StartRunRequest body, DurableTaskClient client, HttpRequest request, DateTime nowUtc,
        CancellationToken cancellationToken)
    {
        var instance = ApiLinks.Instance(request);
        var (namesFrom, namesProblem) = await _namesSource.FindAsync(body.NamesFrom, body.Dataset, body.RunId, cancellationToken);
        if (namesProblem is not null)
            return Problems.BadRequest("namesFrom", namesProblem, instance);
        var start = await RunStarter.StartAsync(client, store, body.ToStartRequest(namesFrom), nowUtc, epochJob, limits,
            cancellationToken: cancellationToken);
        return start.Outcome switch
        {
            RunStartOutcome.Started or RunStartOutcome.Resumed => new AcceptedResult(ApiLinks.Run(request, start.RunId!),
                new StartRunResponse(start.RunId!, start.Outcome == RunStartOutcome.Resumed, start.Settings!, start.Estimate!,
                    ApiLinks.Run(request, start.RunId!), ApiLinks.Cancel(request, start.RunId!))),
            RunStartOutcome.Invalid => Problems.Validation(start.Problems, instance),
            RunStartOutcome.DatasetMissing => Problems.Status(StatusCodes.Status404NotFound, "The dataset does not exist.", start.Detail, instance),
            RunStartOutcome.SettingsConflict => Problems.Status(StatusCodes.Status409Conflict, "The run id is taken.", start.Detail, instance),
            RunStartOutcome.AlreadyRunning => Problems.Status(StatusCodes.Status409Conflict, "The run is already running.",
                $"{start.Detail} Wait for it, cancel it (POST {ApiLinks.Cancel(request, start.RunId!)}) or choose another run id.", instance),
            RunStartOutcome.TooManyRuns => Problems.Status(StatusCodes.Status429TooManyRequests, "Too many runs are going.", start.Detail, instance),
            _ => throw new InvalidOperationException($"unknown start outcome {start.Outcome}"),
        };
    }

    /// <summary>The GPU cost estimate and budget recorded when the run last started (null for a run started before
    /// estimates were recorded); <c>GET /api/runs/{id}</c> shows it.</summary>
    public Task<GpuCostEstimate?> EstimateAsync(string runId, CancellationToken cancellationToken)
        => store.ReadJsonAsync<GpuCostEstimate>(RunLayout.Estimate(runId), cancellationToken);

    /// <summary>The dataset files the run left out for their names (<see cref="RunLayout.SkippedFiles"/>); null before the
    /// run listed its images.</summary>
    public async Task<SkippedFilesView?> SkippedFilesAsync(string runId, CancellationToken cancellationToken)
        => SkippedFilesView.Of(runId, await store.ReadJsonAsync<List<string>>(RunLayout.SkippedFiles(runId), cancellationToken));
}

/// <summary>Body of the 202 answer to <c>POST /api/runs</c>.</summary>
/// <param name="RunId">The run id (= orchestration instance id).</param>
/// <param name="Resumed">True when the run id existed (same settings) and continues after its last checkpoint.</param>
/// <param name="Settings">The recorded settings.</param>
/// <param name="Estimate">What the run's training should cost in GPU minutes (an estimate on paper, see
/// <see cref="GpuCostEstimate"/>) and the budget it runs under (<c>budgetGpuMinutes</c>).</param>
/// <param name="StatusUri"><c>GET /api/runs/{id}</c>.</param>
/// <param name="CancelUri"><c>POST /api/runs/{id}/cancel</c>.</param>
/// <remarks>
/// Durable's own management links are deliberately absent: in Azure they carry the extension's system key, which
/// authorises status, raise-event, terminate and purge on every instance of the task hub, not only this run.
/// </remarks>
public sealed record StartRunResponse(string RunId, bool Resumed, RunSettings Settings, GpuCostEstimate Estimate, string StatusUri, string CancelUri);
