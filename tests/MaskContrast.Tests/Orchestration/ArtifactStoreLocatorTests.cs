using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Tests.Orchestration;

public sealed class ArtifactStoreLocatorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_FolderPath_GivesALocalStoreThere()
        => Assert.Equal(_folder.Path, Assert.IsType<LocalFolderArtifactStore>(ArtifactStoreLocator.Open(_folder.Path)).RootFolder);

    [Theory]
    [InlineData("UseDevelopmentStorage=true", "http://127.0.0.1:10000/devstoreaccount1/runs")]
    [InlineData("https://acct.blob.core.windows.net", "https://acct.blob.core.windows.net/runs")]
    public void Open_BlobForms_GiveABlobStoreOnTheNamedContainer(string store, string containerUri)
        => Assert.Equal($"container {containerUri}", Assert.IsType<BlobArtifactStore>(ArtifactStoreLocator.Open(store, "runs")).Description);

    [Fact]
    public void Open_EnvForm_ReadsTheVariable()
    {
        var name = "MC_TEST_STORE_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, _folder.Path);
        try
        {
            Assert.IsType<LocalFolderArtifactStore>(ArtifactStoreLocator.Open("env:" + name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Open_EnvFormWithTheVariableUnset_NamesTheVariable()
        => Assert.Contains("MC_TEST_UNSET_VARIABLE", Assert.Throws<ArgumentException>(() => ArtifactStoreLocator.Open("env:MC_TEST_UNSET_VARIABLE")).Message);
}
