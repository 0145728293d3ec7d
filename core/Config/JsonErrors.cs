using System.Text.Json;

namespace MaskContrast.Core.Config;

/// <summary>
/// What a <see cref="JsonException"/> means to the person who wrote the JSON: the field and the position, without the
/// serializer's .NET type names.
/// </summary>
public static class JsonErrors
{
    /// <summary>"schedule.epochs has a value of the wrong type or form", or "it is not well-formed JSON (line 1, byte 7)".</summary>
    public static string Describe(JsonException error)
    {
        string where = error.LineNumber is { } line ? $" (line {line + 1}, byte {error.BytePositionInLine + 1})" : "";
        return error.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? $"{EchoText.Shorten(path[2..])} has a value of the wrong type or form{where}"
            : $"it is not well-formed JSON{where}";
    }
}
