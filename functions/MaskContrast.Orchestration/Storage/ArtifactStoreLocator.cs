namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Opens an <see cref="IArtifactStore"/> from one string, as the CLI's <c>--store</c> option and the child-process epoch
/// launcher pass it:
/// <list type="bullet">
/// <item><c>env:NAME</c>: the value of environment variable NAME, read as one of the forms below (keeps secrets off
/// command lines);</item>
/// <item><c>https://account.blob.core.windows.net</c> (or any http(s) URL): that account with DefaultAzureCredential;</item>
/// <item>a connection string (<c>UseDevelopmentStorage=true</c>, or one with <c>AccountName=</c>/<c>BlobEndpoint=</c>);</item>
/// <item>anything else: a local folder path.</item>
/// </list>
/// Blob forms use the container given to <see cref="Open"/> (default <see cref="DefaultContainer"/>).
/// </summary>
public static class ArtifactStoreLocator
{
    /// <summary>The container used when none is named.</summary>
    public const string DefaultContainer = "maskcontrast";

    /// <summary>Opens the store <paramref name="store"/> names.</summary>
    /// <exception cref="ArgumentException">Empty, or <c>env:NAME</c> with the variable unset.</exception>
    public static IArtifactStore Open(string store, string container = DefaultContainer)
    {
        store = Expand(store);
        if (IsAccountUrl(store, out var uri))
            return BlobArtifactStore.FromAccountUrl(uri, container);
        if (IsConnectionString(store))
            return BlobArtifactStore.FromConnectionString(store, container);
        return new LocalFolderArtifactStore(store);
    }

    /// <summary>The store string with an <c>env:NAME</c> form replaced by the variable's value.</summary>
    /// <exception cref="ArgumentException">Empty, or <c>env:NAME</c> with the variable unset.</exception>
    public static string Expand(string store)
    {
        if (string.IsNullOrWhiteSpace(store))
            throw new ArgumentException("store must not be empty; give a folder, a connection string, an account URL or env:NAME.", nameof(store));
        if (!store.StartsWith("env:", StringComparison.Ordinal))
            return store;
        var name = store["env:".Length..];
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value) || value.StartsWith("env:", StringComparison.Ordinal))
            throw new ArgumentException($"store ('{store}') names environment variable {name}, which is not set (or points at another variable).",
                nameof(store));
        return value;
    }

    /// <summary>True when the (expanded) store names Blob storage rather than a local folder.</summary>
    public static bool IsBlob(string store) => IsConnectionString(store) || IsAccountUrl(store, out _);

    static bool IsAccountUrl(string store, out Uri uri)
        => Uri.TryCreate(store, UriKind.Absolute, out uri!) && uri.Scheme is "https" or "http";

    /// <summary>True for an Azure Storage connection string (<c>UseDevelopmentStorage=true</c>, or one with
    /// <c>AccountName=</c>/<c>BlobEndpoint=</c>).</summary>
    public static bool IsConnectionString(string store)
        => store.Contains("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
           || store.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
           || store.Contains("BlobEndpoint=", StringComparison.OrdinalIgnoreCase);
}
