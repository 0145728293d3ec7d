namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// A create-only write (<see cref="IArtifactStore.CreateAsync"/>) found the path already holding different bytes: another
/// writer (e.g. a second execution of the same epoch) got there first, and its artifact is kept. An I/O failure, so the
/// caller's retry runs and finds the winner's result.
/// </summary>
public sealed class ArtifactConflictException(string message) : IOException(message);
