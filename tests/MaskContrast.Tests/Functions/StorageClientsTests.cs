using MaskContrast.Functions.Hosting;
using MaskContrast.Orchestration.Storage;
using Microsoft.Extensions.Configuration;

namespace MaskContrast.Tests.Functions;

/// <summary>Every Azure client of the app comes from configuration: a connection string locally, identity in Azure.</summary>
public sealed class StorageClientsTests
{
    [Fact]
    public void BlobService_ConnectionString_UsesItsEndpoint()
    {
        var client = StorageClients.BlobService(Config(("AzureWebJobsStorage", FunctionsTestKit.AzuriteConnection)), "AzureWebJobsStorage");

        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.True(client.CanGenerateAccountSasUri);   // shared key: only the emulator's well-known key
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage__serviceUri")]
    public void BlobService_ServiceUriWithManagedIdentity_HasNoAccountKey(string setting)
    {
        var client = StorageClients.BlobService(Config(
            (setting.Replace("__", ":"), "https://stmc.blob.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")), "AzureWebJobsStorage");

        Assert.Equal(new Uri("https://stmc.blob.core.windows.net"), client.Uri);
        Assert.False(client.CanGenerateAccountSasUri);  // token credential, no key
    }

    [Fact]
    public void BlobService_NothingConfigured_ThrowsNamingTheSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageClients.BlobService(Config(), "AzureWebJobsStorage"));

        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message);
        Assert.Contains("AzureWebJobsStorage__credential=managedidentity", error.Message);
    }

    [Fact]
    public void OpenArtifactStore_StorageUrlFromInfra_UsesThatAccountAndTheDefaultContainer()
    {
        var store = FunctionsServices.OpenArtifactStore(Config(
            ("MASKCONTRAST_STORAGE_URL", "https://stmc.blob.core.windows.net/"), ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"),
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal($"container https://stmc.blob.core.windows.net/{ArtifactStoreLocator.DefaultContainer}", store.Description);
    }

    [Fact]
    public void OpenArtifactStore_LocalSettings_UseTheMaskContrastConnection()
    {
        var store = FunctionsServices.OpenArtifactStore(Config(
            ("MASKCONTRAST_STORAGE", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.2"),
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal($"container http://127.0.0.2:10000/devstoreaccount1/{ArtifactStoreLocator.DefaultContainer}", store.Description);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
