namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Where a run's artifacts live: datasets, mask proposals, checkpoints, evaluation results and the model bundle.
/// Paths are relative, '/'-separated and validated by <see cref="NameValidator.ValidatePath"/>; build them with
/// <see cref="RunLayout"/>.
/// </summary>
/// <remarks>
/// The API has no delete on purpose: a checkpoint is written under a new name and <c>latest</c> is swapped afterwards,
/// so a crash can never lose the previous state. A write is atomic: readers see the old content or the new content,
/// never a partial file. <see cref="WriteAsync"/> to the same path twice replaces it; <see cref="CreateAsync"/> never
/// replaces anything, for what must have one writer (checkpoints, epoch records, published bundles).
/// </remarks>
public interface IArtifactStore
{
    /// <summary>A human-readable description for logs (a folder or a container URI; never a secret).</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="content"/> (read to its end) to <paramref name="path"/>, atomically replacing any old content.</summary>
    Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> only if nothing is there (atomically: of two concurrent
    /// creators exactly one wins). When the path exists with the same bytes, nothing is written and false is returned, so
    /// a retried writer succeeds; with other bytes, <see cref="ArtifactConflictException"/> is thrown and the existing
    /// artifact is kept. <paramref name="content"/> must be seekable: it is read again to compare.
    /// </summary>
    /// <returns>True when this call wrote the artifact.</returns>
    Task<bool> CreateAsync(string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens <paramref name="path"/> for reading, or returns null when it does not exist. The caller disposes the stream.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="path"/> exists.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every path that starts with <paramref name="prefix"/> (e.g. <c>runs/r1/checkpoints/</c>), in ordinal order.
    /// An empty prefix lists the whole store.
    /// </summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
