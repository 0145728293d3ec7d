using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.DurableTask.Testing;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The lifetime the API tests over the toy pipeline share: an Azurite container named after
/// <paramref name="containerPrefix"/> holding the toy dataset, the fake engine reporting <paramref name="imageCount"/>
/// images, the in-process Durable host, and a deadline bounding every wait. The members are <c>private protected</c>
/// because the fake engine is internal to the tests.
/// </summary>
public abstract class ToyPipelineTests(string containerPrefix, int imageCount) : IAsyncLifetime
{
    private protected IArtifactStore Store { get; private set; } = null!;
    private protected FakePipelineEngine Engine { get; private set; } = null!;
    private protected DurableTaskTestHost Host { get; private set; } = null!;
    private protected CancellationTokenSource Deadline { get; } = new(FunctionsTestKit.Timeout);

    public virtual async Task InitializeAsync() =>
        (Store, Engine, Host) = await FunctionsTestKit.StartToyPipelineAsync(containerPrefix, imageCount);

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Deadline.Dispose();
    }
}
