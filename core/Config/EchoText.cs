namespace MaskContrast.Core.Config;

/// <summary>
/// User input quoted back in an error message: at most <see cref="MaxLength"/> characters and no control characters, so
/// that a 60 KB value cannot make a 60 KB answer or a forged log line.
/// </summary>
public static class EchoText
{
    /// <summary>Longest echo, "..." added beyond it.</summary>
    public const int MaxLength = 80;

    /// <summary>The first <see cref="MaxLength"/> characters of <paramref name="value"/>, control characters as '?'.</summary>
    public static string Shorten(string value)
    {
        var visible = new string(value.Take(MaxLength).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return value.Length > MaxLength ? visible + "..." : visible;
    }
}
