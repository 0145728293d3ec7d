namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// An <see cref="IArtifactStore"/> over a local folder (the embedded default). Writes go to a temporary file in the
/// target folder and are renamed over the target, which POSIX and NTFS perform atomically on one volume.
/// </summary>
/// <remarks>
/// Every path is validated and then resolved and checked to stay under the root, so even a name that slipped past
/// validation cannot reach outside it. Symbolic links placed inside the root by someone else are not guarded against.
/// </remarks>
public sealed class LocalFolderArtifactStore : IArtifactStore
{
    // Temporary files start with '.', which NameValidator never accepts, so they can never collide with or be listed
    // as artifacts.
    private const string TempPrefix = ".tmp-";
    private readonly string _root;

    /// <summary>Creates the store over <paramref name="rootFolder"/>, creating the folder if needed.</summary>
    public LocalFolderArtifactStore(string rootFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootFolder);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFolder));
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute root folder.</summary>
    public string RootFolder => _root;

    /// <inheritdoc/>
    public string Description => $"folder {_root}";

    /// <inheritdoc/>
    public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
        => WriteAsync(path, content, overwrite: true, cancellationToken);

    /// <inheritdoc/>
    public async Task<bool> CreateAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        try
        {
            await WriteAsync(path, content, overwrite: false, cancellationToken);
            return true;
        }
        catch (IOException) when (File.Exists(Resolve(path)))
        {
            return await this.ExistingMustMatchAsync(path, content, cancellationToken);
        }
    }

    // The content goes to a temporary file that is then moved to the target: a rename (replacing) or, create-only, a move
    // that fails when the target exists (a hard link on Unix), both atomic on one volume.
    private async Task WriteAsync(string path, Stream content, bool overwrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = Resolve(path);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $"{TempPrefix}{Path.GetFileName(target)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
                // Flush to disk before the rename, or a power loss could leave a renamed but empty file.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <inheritdoc/>
    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var target = Resolve(path);
        try
        {
            Stream stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
        => Task.FromResult(File.Exists(Resolve(path)));

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Enumerate the deepest folder the prefix names, then filter by the full prefix (which may end mid-name).
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
            NameValidator.ValidatePath(prefix, "prefix", allowTrailingSlash: true);
        var folderPart = prefix.Contains('/') ? prefix[..prefix.LastIndexOf('/')] : "";
        var folder = folderPart.Length == 0 ? _root : Resolve(folderPart, "prefix");
        if (!Directory.Exists(folder))
            return Task.FromResult<IReadOnlyList<string>>([]);
        var paths = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(TempPrefix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(paths);
    }

    private string Resolve(string path, string field = "path")
    {
        NameValidator.ValidatePath(path, field);
        var full = Path.GetFullPath(Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar)));
        // Defence in depth: validation already rules out traversal; this catches anything it might miss.
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"{field} ('{path}') resolves outside the artifact folder {_root}.", field);
        return full;
    }
}
