namespace MaskContrast.Orchestration.Storage;

/// <summary>Copies a local dataset folder into the store under <c>datasets/{name}/</c>, keeping its relative layout.</summary>
public static class DatasetImport
{
    /// <returns>The number of files copied (files already in the store are skipped: datasets are immutable once uploaded).</returns>
    public static async Task<int> ImportFolderAsync(IArtifactStore store, string name, string folder, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        NameValidator.ValidateDatasetName(name);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"dataset folder '{folder}' is empty");
        var present = (await store.ListAsync(RunLayout.Dataset(name), cancellationToken)).ToHashSet(StringComparer.Ordinal);
        int copied = 0, done = 0;
        foreach (var file in files)
        {
            string relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            string target = RunLayout.DatasetFile(name, relative);
            if (!present.Contains(target))
            {
                await using var source = File.OpenRead(file);
                await store.WriteAsync(target, source, cancellationToken);
                copied++;
            }
            progress?.Report(++done);
        }
        return copied;
    }
}
