using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Cli;

/// <summary>Where a CLI command keeps runs and datasets: the one <c>--store</c> option (and <c>--container</c>) of every command.</summary>
/// <param name="Location">A local folder, an Azure Storage connection string (e.g. Azurite's), an account URL or <c>env:NAME</c>
/// (see <see cref="ArtifactStoreLocator"/>).</param>
/// <param name="Container">The blob container, for the blob forms.</param>
public sealed record StoreChoice(string Location, string Container = ArtifactStoreLocator.DefaultContainer)
{
    /// <summary>The folder used when no store is given.</summary>
    public const string DefaultFolder = "maskcontrast-runs";

    /// <summary>The artifact store.</summary>
    public IArtifactStore Open() => ArtifactStoreLocator.Open(Folder ?? Location, Container);

    /// <summary>The local folder (full path) of a folder store; null for a blob store.</summary>
    public string? Folder => ArtifactStoreLocator.Expand(Location) is var store && !ArtifactStoreLocator.IsBlob(store) ? Path.GetFullPath(store) : null;

    /// <summary>The connection string the embedded durable host keeps its state with, so that orchestration survives a
    /// crash; null otherwise (durable state in memory).</summary>
    public string? DurableConnectionString
        => ArtifactStoreLocator.Expand(Location) is var store && ArtifactStoreLocator.IsConnectionString(store) ? store : null;
}
