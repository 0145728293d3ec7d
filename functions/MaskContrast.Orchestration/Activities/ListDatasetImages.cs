using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Orchestration.Activities;

/// <summary>Input of <see cref="ListDatasetImages"/>.</summary>
public sealed record ListDatasetImagesInput(string RunId, string Dataset);

/// <summary>
/// Lists the dataset's image ids and freezes them in <see cref="RunLayout.ImageList"/>, so a resumed run uses the same
/// images even if the dataset folder changed meanwhile. Idempotent: a recorded list is returned as it is.
/// </summary>
public sealed class ListDatasetImages(IPipelineEngine engine, IArtifactStore store, ILogger<ListDatasetImages> logger)
    : TaskActivity<ListDatasetImagesInput, IReadOnlyList<string>>
{
    /// <inheritdoc/>
    public override async Task<IReadOnlyList<string>> RunAsync(TaskActivityContext context, ListDatasetImagesInput input)
    {
        var recordPath = RunLayout.ImageList(input.RunId);
        if (await store.ReadJsonAsync<List<string>>(recordPath) is { } recorded)
        {
            logger.LogInformation("Run {RunId}: reusing the recorded list of {Count} images", input.RunId, recorded.Count);
            return recorded;
        }
        var ids = await engine.ListImagesAsync(NameValidator.ValidateDatasetName(input.Dataset));
        if (ids.Count == 0)
            throw new NonRetryablePipelineException(
                $"Dataset '{input.Dataset}' has no images under {RunLayout.Dataset(input.Dataset)}; add images and start again.");
        foreach (var id in ids)
            NameValidator.ValidateImageId(id, "image id");
        await store.WriteJsonAsync(recordPath, ids);
        logger.LogInformation("Run {RunId}: dataset {Dataset} has {Count} images", input.RunId, input.Dataset, ids.Count);
        return ids;
    }
}
