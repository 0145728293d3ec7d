namespace MaskContrast.Orchestration.Storage;

/// <summary>What <see cref="DatasetImport.ImportFolderAsync"/> did.</summary>
/// <param name="Copied">Files copied (files already in the store are not copied again: datasets are immutable once uploaded).</param>
/// <param name="Skipped">Relative paths of the files left out because the store refuses their names (<see cref="DatasetFileNames"/>).</param>
public sealed record DatasetImportResult(int Copied, IReadOnlyList<string> Skipped);

/// <summary>Copies a local dataset folder into the store under <c>datasets/{name}/</c>, keeping its relative layout.</summary>
public static class DatasetImport
{
    /// <summary>Copies every file whose name the store accepts; the others are skipped and returned, so one odd name
    /// (<c>IMG 0001.jpg</c>, <c>café.png</c>) never stops an import.</summary>
    /// <exception cref="InvalidDataException">The folder is empty, or no file in it has a name the store accepts.</exception>
    public static async Task<DatasetImportResult> ImportFolderAsync(IArtifactStore store, string name, string folder, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        NameValidator.ValidateDatasetName(name);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(folder, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"dataset folder '{folder}' is empty");
        var skipped = files.Where(relative => !DatasetFileNames.IsUsablePath(name, relative)).ToList();
        if (skipped.Count == files.Count)
            throw new InvalidDataException($"dataset folder '{folder}': no file has a name the store accepts; {DatasetFileNames.Summary(skipped)}");
        var present = (await store.ListAsync(RunLayout.Dataset(name), cancellationToken)).ToHashSet(StringComparer.Ordinal);
        int copied = 0, done = 0;
        foreach (var relative in files.Except(skipped))
        {
            string target = RunLayout.DatasetFile(name, relative);
            if (!present.Contains(target))
            {
                await using var source = File.OpenRead(Path.Combine(folder, relative));
                await store.WriteAsync(target, source, cancellationToken);
                copied++;
            }
            progress?.Report(++done);
        }
        return new DatasetImportResult(copied, skipped);
    }
}
