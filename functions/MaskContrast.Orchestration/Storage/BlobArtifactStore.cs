using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// An <see cref="IArtifactStore"/> over one Azure Blob Storage container (Azurite locally). Artifact paths are blob
/// names inside the container, so a validated path can never address another container or account.
/// </summary>
/// <remarks>
/// A block-blob upload is atomic: the service commits the new content in one step and readers see either version.
/// The container is created on first use.
/// </remarks>
public sealed class BlobArtifactStore : IArtifactStore
{
    private readonly BlobContainerClient _container;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    /// <summary>Wraps an existing container client (any credential).</summary>
    public BlobArtifactStore(BlobContainerClient container)
        => _container = container ?? throw new ArgumentNullException(nameof(container));

    /// <summary>Connects with a connection string, e.g. Azurite's <c>UseDevelopmentStorage=true</c>.</summary>
    public static BlobArtifactStore FromConnectionString(string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new BlobArtifactStore(new BlobContainerClient(connectionString, ValidateContainerName(containerName)));
    }

    /// <summary>
    /// Connects to <paramref name="accountUrl"/> (e.g. <c>https://acct.blob.core.windows.net</c>) with
    /// <paramref name="credential"/>, or <see cref="DefaultAzureCredential"/> (managed identity in Azure, developer
    /// sign-in locally) when none is given. No account key is needed.
    /// </summary>
    public static BlobArtifactStore FromAccountUrl(Uri accountUrl, string containerName, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(accountUrl);
        var service = new BlobServiceClient(accountUrl, credential ?? new DefaultAzureCredential());
        return new BlobArtifactStore(service.GetBlobContainerClient(ValidateContainerName(containerName)));
    }

    /// <inheritdoc/>
    public string Description => $"container {_container.Uri}";

    /// <inheritdoc/>
    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = Blob(path);
        await EnsureContainerAsync(cancellationToken);
        await blob.UploadAsync(content, overwrite: true, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> CreateAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = Blob(path);
        await EnsureContainerAsync(cancellationToken);
        try
        {
            // If-None-Match: * makes the service refuse the commit when the blob exists, so of two writers one wins.
            await blob.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return await this.ExistingMustMatchAsync(path, content, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        try
        {
            return (await blob.ExistsAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
            NameValidator.ValidatePath(prefix, "prefix", allowTrailingSlash: true);
        var names = new List<string>();
        try
        {
            await foreach (var item in _container.GetBlobsAsync(
                new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken))
                names.Add(item.Name);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private BlobClient Blob(string path) => _container.GetBlobClient(NameValidator.ValidatePath(path));

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_created)
            return;
        await _createLock.WaitAsync(cancellationToken);
        try
        {
            if (!_created)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _created = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }

    // Azure's container rule: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
    private static string ValidateContainerName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || name.Contains("--") || name.StartsWith('-') || name.EndsWith('-')
            || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            throw new ArgumentException(
                $"container ('{name}') must be 3-63 lowercase letters, digits and single hyphens, e.g. 'maskcontrast'.", "container");
        return name;
    }
}
