using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// The object clusters a run asks for (<see cref="RunSettings.Clusters"/>): a number, or <c>auto</c> (null), which lets the
/// evaluation's K sweep choose (<see cref="Core.Evaluation.ClusterSweep"/>). Written to JSON as a number or "auto".
/// </summary>
public static class ClusterCount
{
    /// <summary>The word for "let the K sweep choose".</summary>
    public const string Auto = "auto";

    /// <summary>Clusters when nothing is asked for.</summary>
    public const int Default = 20;

    /// <summary>"auto" → null, a whole number → that number (range checked by <see cref="RunSettings.Resolve"/>).</summary>
    /// <exception cref="ArgumentException">Neither.</exception>
    public static int? Parse(string text, string field) =>
        string.Equals(text.Trim(), Auto, StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
        : throw new ArgumentException($"{field} ('{text}') must be a number of clusters (1–254) or \"{Auto}\"", field);

    /// <summary>"auto" or the number.</summary>
    public static string Describe(int? clusters) => clusters?.ToString(CultureInfo.InvariantCulture) ?? Auto;
}

/// <summary>Reads a number or "auto" (→ null) and writes null as "auto"; JSON null is refused, so it cannot mean auto by accident.</summary>
public sealed class ClusterCountJsonConverter : JsonConverter<int?>
{
    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt32(out int n) => n,
        JsonTokenType.String when string.Equals(reader.GetString(), ClusterCount.Auto, StringComparison.OrdinalIgnoreCase) => null,
        _ => throw new JsonException($"clusters must be a whole number of clusters (1–254) or \"{ClusterCount.Auto}\""),
    };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } n) writer.WriteNumberValue(n);
        else writer.WriteStringValue(ClusterCount.Auto);
    }
}
