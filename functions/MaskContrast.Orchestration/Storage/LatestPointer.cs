namespace MaskContrast.Orchestration.Storage;

/// <summary>The content of a <c>latest</c> pointer: which artifact is current, its SHA-256, its epoch and when it was set.</summary>
public sealed record LatestPointer(string Path, string Sha256, int Epoch, DateTime WrittenUtc);
