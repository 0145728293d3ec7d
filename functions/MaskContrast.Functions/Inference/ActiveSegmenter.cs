using MaskContrast.Core.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration.Storage;
using Microsoft.Extensions.Logging;

namespace MaskContrast.Functions.Inference;

/// <summary>
/// Segments images with the active model through <see cref="SegmentationWriter"/> (the same three outputs as the CLI's
/// <c>segment</c> command). The bundle is loaded once per instance and reused; it is reloaded when <c>models/active.json</c>
/// names another bundle (path or hash). One image at a time: the model is not shared between threads, and on a small
/// instance parallel forwards would only compete for the same cores.
/// </summary>
public sealed class ActiveSegmenter(IArtifactStore store, ActiveModelStore activeModels, ILogger<ActiveSegmenter> logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ModelBundle? _bundle;
    private ActiveModel? _loaded;

    /// <summary>How many times a bundle was loaded (tests check that it is reused).</summary>
    public int Loads { get; private set; }

    /// <summary>The active model, or null when none is active.</summary>
    public Task<ActiveModel?> GetActiveAsync(CancellationToken cancellationToken = default) => activeModels.GetAsync(cancellationToken);

    /// <summary>
    /// The output files of <paramref name="encoded"/> (named <paramref name="name"/>) segmented with <paramref name="model"/>;
    /// for an undecodable image or one over <paramref name="maxPixels"/>, only the error record (Succeeded false).
    /// </summary>
    /// <exception cref="InvalidDataException">The model bundle is missing, unreadable or not the bytes that were activated.</exception>
    public async Task<(IReadOnlyDictionary<string, byte[]> Files, bool Succeeded)> ProcessAsync(ActiveModel model, string name, byte[] encoded,
        long maxPixels, string? fingerprint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_bundle is null || _loaded is null || _loaded.Path != model.Path || _loaded.Sha256 != model.Sha256)
                await LoadAsync(model, cancellationToken);
            return new SegmentationWriter(_bundle!, model.Sha256, maxPixels, model.Identity()).Process(name, encoded, fingerprint);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task LoadAsync(ActiveModel model, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadBytesAsync(model.Path, cancellationToken)
            ?? throw new InvalidDataException($"The active model {model.Path} (run {model.RunId}) is missing; activate another model.");
        // The bytes must be the ones that were activated: a bundle replaced or damaged since then is refused, never
        // served under the old identity.
        string sha256 = ArtifactStoreExtensions.Sha256Of(bytes);
        if (!string.Equals(sha256, model.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"The active model {model.Path} (run {model.RunId}) has SHA-256 {sha256}, not {model.Sha256} as activated; activate the model again.");
        using var buffer = new MemoryStream(bytes, writable: false);
        var bundle = ModelBundle.Load(buffer, model.Path);
        _bundle?.Dispose();
        _bundle = bundle;
        _loaded = model;
        Loads++;
        logger.LogInformation("Loaded model {Path} of run {RunId} ({Clusters} clusters)", model.Path, model.RunId, bundle.Clusters);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _bundle?.Dispose();
        _lock.Dispose();
    }
}
