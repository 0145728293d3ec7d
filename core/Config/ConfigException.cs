namespace MaskContrast.Core.Config;

/// <summary>A configuration was rejected; <see cref="Problems"/> lists every problem, each naming the field, value and allowed range.</summary>
public sealed class ConfigException(IReadOnlyList<string> problems)
    : ArgumentException("invalid configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
