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
/// <remarks>
/// Files whose names the store refuses and images whose ids are not valid (<see cref="DatasetFileNames"/>) are left out
/// and recorded in <see cref="RunLayout.SkippedFiles"/> (which <c>GET /api/runs/{id}</c> and the CLI show), so one odd
/// name never fails a run; only a dataset with no usable image does.
/// </remarks>
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
        var prefix = RunLayout.Dataset(NameValidator.ValidateDatasetName(input.Dataset));
        var refusedFiles = (await store.ListAsync(prefix)).Select(p => p[prefix.Length..])
            .Where(file => !DatasetFileNames.IsUsablePath(input.Dataset, file)).ToList();
        var listed = await engine.ListImagesAsync(input.Dataset);
        var ids = listed.Where(DatasetFileNames.IsUsableImageId).ToList();
        // On a local store an odd file is also listed as an image; it is reported once, by its file name.
        var skipped = refusedFiles.Concat(listed.Except(ids).Where(id => !refusedFiles.Any(f => IsFileOf(f, id)))).ToList();
        if (ids.Count == 0)
            throw new NonRetryablePipelineException(
                $"Dataset '{input.Dataset}' has no images under {prefix} with a usable name; add images and start again" +
                (skipped.Count > 0 ? $" ({DatasetFileNames.Summary(skipped)})" : "."));
        if (skipped.Count > 0)
            logger.LogWarning("Run {RunId}: {Skipped}", input.RunId, DatasetFileNames.Summary(skipped));
        // The skip record first: the image list is what marks the step done.
        await store.WriteJsonAsync(RunLayout.SkippedFiles(input.RunId), skipped);
        await store.WriteJsonAsync(recordPath, ids);
        logger.LogInformation("Run {RunId}: dataset {Dataset} has {Count} images", input.RunId, input.Dataset, ids.Count);
        return ids;
    }

    // Whether dataset file `file` (e.g. "JPEGImages/IMG 1.jpg") is the image with id `id` ("IMG 1"; ids drop the extension
    // and, in a VOC layout, the image folder).
    private static bool IsFileOf(string file, string id)
    {
        var withoutExtension = file[..^Path.GetExtension(file).Length];
        return withoutExtension == id || withoutExtension.EndsWith("/" + id, StringComparison.Ordinal);
    }
}
