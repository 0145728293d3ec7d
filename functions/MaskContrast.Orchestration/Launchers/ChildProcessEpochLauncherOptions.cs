namespace MaskContrast.Orchestration.Launchers;

/// <summary>How <see cref="ChildProcessEpochLauncher"/> starts <c>maskcontrast train-epoch</c>.</summary>
public sealed record ChildProcessEpochLauncherOptions
{
    /// <summary>The program to start: the <c>maskcontrast</c> executable, or <c>dotnet</c> with the dll in <see cref="LeadingArguments"/>.</summary>
    public required string FileName { get; init; }

    /// <summary>Arguments placed before <c>train-epoch ...</c> (e.g. the path of <c>maskcontrast.dll</c>).</summary>
    public IReadOnlyList<string> LeadingArguments { get; init; } = [];

    /// <summary>
    /// The artifact store the child opens, passed as <c>--store</c>: a folder path, or <c>env:NAME</c> to make the
    /// child read a connection string from its environment variable NAME (so secrets never show in the process list).
    /// </summary>
    public required string Store { get; init; }

    /// <summary>The blob container of a blob store, passed as <c>--container</c>.</summary>
    public string Container { get; init; } = Storage.ArtifactStoreLocator.DefaultContainer;

    /// <summary>Extra environment variables for the child (e.g. the connection string named by <c>env:NAME</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The longest an epoch may run before the child is killed and the attempt counts as a transient failure.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(6);
}
