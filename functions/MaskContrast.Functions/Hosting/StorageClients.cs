using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace MaskContrast.Functions.Hosting;

/// <summary>
/// Builds blob clients from configuration the way the Functions host reads a connection named <c>NAME</c>:
/// <list type="bullet">
/// <item><c>NAME</c> (or <c>ConnectionStrings:NAME</c>) holds a connection string: Azurite locally;</item>
/// <item>otherwise <c>NAME__blobServiceUri</c> (or <c>NAME__serviceUri</c>, or <c>NAME__accountName</c>) with
/// <c>NAME__credential=managedidentity</c> and optionally <c>NAME__clientId</c> (a user-assigned identity): Azure, no keys.
/// Without <c>__credential</c>, <see cref="DefaultAzureCredential"/> is used (it reads <c>AZURE_CLIENT_ID</c>).</item>
/// </list>
/// </summary>
public static class StorageClients
{
    /// <summary>True when <paramref name="name"/> is configured in either form.</summary>
    public static bool IsConfigured(IConfiguration configuration, string name)
        => !string.IsNullOrWhiteSpace(ConnectionString(configuration, name)) || ServiceUri(configuration.GetSection(name)) is not null;

    /// <summary>The blob service of connection <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither form is configured; the message names the settings.</exception>
    public static BlobServiceClient BlobService(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (ConnectionString(configuration, name) is { Length: > 0 } connectionString)
            return new BlobServiceClient(connectionString);
        var section = configuration.GetSection(name);
        var uri = ServiceUri(section) ?? throw new InvalidOperationException(
            $"Storage connection '{name}' is not configured: set {name} to a connection string (e.g. UseDevelopmentStorage=true for " +
            $"Azurite), or {name}__blobServiceUri with {name}__credential=managedidentity and {name}__clientId.");
        return new BlobServiceClient(uri, Credential(section["credential"], section["clientId"]));
    }

    /// <summary>
    /// The credential for <paramref name="credential"/> = <c>managedidentity</c> (a <see cref="ManagedIdentityCredential"/>,
    /// user-assigned when <paramref name="clientId"/> is given) or anything else (<see cref="DefaultAzureCredential"/>).
    /// </summary>
    public static TokenCredential Credential(string? credential, string? clientId)
    {
        if (string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        return string.IsNullOrWhiteSpace(clientId)
            ? new DefaultAzureCredential()
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static string? ConnectionString(IConfiguration configuration, string name)
        => configuration.GetConnectionString(name) is { Length: > 0 } named ? named : configuration.GetSection(name).Value;

    private static Uri? ServiceUri(IConfigurationSection section)
    {
        if ((section["blobServiceUri"] ?? section["serviceUri"]) is { Length: > 0 } uri)
            return new Uri(uri);
        return section["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.blob.core.windows.net") : null;
    }
}
