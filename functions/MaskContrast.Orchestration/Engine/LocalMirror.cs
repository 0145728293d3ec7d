using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// Gives the ML code (which reads files) a local folder for a prefix of the artifact store: the store's own folder when
/// it is a <see cref="LocalFolderArtifactStore"/>, otherwise a cache folder filled by downloading what is missing.
/// </summary>
/// <remarks>A listed name the store refuses (e.g. <c>IMG 0001.png</c> uploaded by hand; <see cref="DatasetFileNames"/>) is
/// left out before anything touches the file system; <see cref="Activities.ListDatasetImages"/> reports it.</remarks>
public sealed class LocalMirror(IArtifactStore store, string cacheRoot)
{
    /// <summary>The local folder holding every artifact under <paramref name="prefix"/> (a path ending in '/').</summary>
    public async Task<string> FolderAsync(string prefix, CancellationToken cancellationToken)
    {
        if (store is LocalFolderArtifactStore local)
            return Path.Combine(local.RootFolder, prefix.TrimEnd('/'));
        string folder = Path.Combine(cacheRoot, prefix.TrimEnd('/'));
        foreach (var path in (await store.ListAsync(prefix, cancellationToken)).Where(DatasetFileNames.IsUsableArtifactPath))
        {
            string target = Path.Combine(cacheRoot, path);
            if (File.Exists(target)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var source = await store.OpenReadAsync(path, cancellationToken)
                ?? throw new FileNotFoundException($"{path} disappeared from {store.Description} while it was being copied");
            string tmp = target + ".part";
            await using (var file = File.Create(tmp)) await source.CopyToAsync(file, cancellationToken);
            File.Move(tmp, target, overwrite: true);
        }
        Directory.CreateDirectory(folder);
        return folder;
    }
}
