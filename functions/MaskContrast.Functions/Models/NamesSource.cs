using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Models;

/// <summary>
/// Which model a run started over HTTP inherits cluster names from (<see cref="RunSettings.NamesFrom"/>): the published
/// model of the run the body names in <c>namesFrom</c>; else, for a run id that exists, what it was started with (a
/// resume keeps its settings); else the active model, when it was trained on the same dataset: the model whose names
/// segmentations carry today is the one a retrained model should take over from. The bundle is pinned by its
/// hash-named path at the start, so names given to the old model later do not change what the run inherits.
/// </summary>
public sealed class NamesSource(IArtifactStore store)
{
    private readonly ActiveModelStore _activeModels = new(store);

    /// <summary>The bundle path the run inherits names from (null = none), or the problem with <paramref name="namesFrom"/>.</summary>
    public async Task<(string? Path, string? Problem)> FindAsync(string? namesFrom, string? dataset, string? runId, CancellationToken cancellationToken = default)
    {
        if (namesFrom is not null)
        {
            if (InvalidRunId(namesFrom, "namesFrom") is { } invalid)
                return (null, invalid);
            return await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord(namesFrom), cancellationToken) is { } model
                ? (model.Path, null)
                : (null, $"Run '{namesFrom}' has no published model to take cluster names from.");
        }
        if (runId is not null && InvalidRunId(runId, "runId") is null
            && await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(runId), cancellationToken) is { } recorded)
            return (recorded.NamesFrom, null);
        if (dataset is null || await _activeModels.GetAsync(cancellationToken) is not { } active)
            return (null, null);
        var trainedOn = await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(active.RunId), cancellationToken);
        return (trainedOn?.Dataset == dataset ? active.Path : null, null);
    }

    private static string? InvalidRunId(string value, string field)
    {
        try { NameValidator.ValidateRunId(value, field); return null; }
        catch (ArgumentException error) { return RunSettings.MessageOf(error); }
    }
}
