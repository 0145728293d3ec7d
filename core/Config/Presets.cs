using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MaskContrast.Core.Config;

/// <summary>
/// Loads the presets (Config/Presets/*.json, embedded) and applies field-by-field overrides such as
/// <c>optimizer.learningRate=0.01</c>. A preset may name a <c>base</c> preset that it overrides.
/// </summary>
public static class Presets
{
    public static readonly string[] Names = ["imagenet-resnet18", "paper", "paper-supervised", "small", "tiny"];

    /// <summary>What `run`, the demo and <c>POST /api/runs</c> train unless told otherwise: starts from the ImageNet weights that come with the build.</summary>
    public const string Default = "imagenet-resnet18";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static TrainingConfig Load(string name, IEnumerable<string>? overrides = null)
    {
        var node = LoadNode(name);
        foreach (var o in overrides ?? [])
            ApplyOverride(node, o);
        return Parse(node);
    }

    /// <summary>Parses a full configuration from JSON (e.g. stored in a checkpoint) and validates it.</summary>
    public static TrainingConfig FromJson(string json) => Parse(JsonNode.Parse(json)!.AsObject());

    public static string ToJson(TrainingConfig config) => JsonSerializer.Serialize(config, Json);

    static JsonObject LoadNode(string name)
    {
        if (!Names.Contains(name))
            throw new ArgumentException($"preset '{EchoText.Shorten(name)}' does not exist; choose one of {string.Join(", ", Names)}", nameof(name));
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"MaskContrast.Core.Config.Presets.{name}.json")
            ?? throw new InvalidOperationException($"preset resource {name}.json is missing from the build");
        var node = JsonNode.Parse(stream)!.AsObject();
        node.Remove("_source");
        if (node["base"]?.GetValue<string>() is { } baseName)
        {
            node.Remove("base");
            var merged = LoadNode(baseName);
            Merge(merged, node);
            return merged;
        }
        return node;
    }

    static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing) Merge(existing, child);
            else target[key] = value?.DeepClone();
        }
    }

    /// <summary>Applies <c>section.field=value</c>; the value is parsed as JSON when it can be (numbers, booleans, arrays), else as a string.</summary>
    public static void ApplyOverride(JsonObject root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        string echo = EchoText.Shorten(assignment);
        if (eq <= 0) throw new ArgumentException($"override '{echo}' must look like section.field=value, e.g. optimizer.learningRate=0.01");
        string[] path = assignment[..eq].Trim().Split('.');
        string raw = assignment[(eq + 1)..].Trim();
        if (path.Length != 2) throw new ArgumentException($"override '{echo}': the key must be section.field, e.g. schedule.epochs");
        var section = FindKey(root, path[0]) is { } s && root[s] is JsonObject obj ? obj
            : throw new ArgumentException($"override '{echo}': unknown section '{EchoText.Shorten(path[0])}'; sections are {string.Join(", ", root.Select(p => p.Key))}");
        string field = FindKey(section, path[1])
            ?? throw new ArgumentException($"override '{echo}': unknown field '{EchoText.Shorten(path[1])}' in {path[0]}; fields are {string.Join(", ", section.Select(p => p.Key))}");
        JsonNode? value;
        try { value = JsonNode.Parse(raw); }
        catch (JsonException) { value = JsonValue.Create(raw); }
        section[field] = value;
    }

    static string? FindKey(JsonObject obj, string name) =>
        obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    // Reads and validates the configuration, reporting every problem at once: a name that no option value has (e.g.
    // model.backbone=resnet9) is reported like a number out of range, and the other fields are still checked.
    static TrainingConfig Parse(JsonObject node)
    {
        var choices = ChoiceProblems(node);
        var config = FromNode(node);
        var problems = choices.Select(c => c.Problem)
            .Concat(ConfigValidator.Problems(config).Where(p => !choices.Any(c => p.Contains(c.Field, StringComparison.Ordinal))))
            .ToList();
        return problems.Count == 0 ? config : throw new ConfigException(problems);
    }

    // Every enum option whose value names no member, with its message; the value is removed from the node so that the
    // rest can be read (cross-field checks that mention the field are then left out: they would judge the default).
    static List<(string Field, string Problem)> ChoiceProblems(JsonObject node)
    {
        var problems = new List<(string, string)>();
        foreach (var section in typeof(TrainingConfig).GetProperties())
        {
            if (node[Json.PropertyNamingPolicy!.ConvertName(section.Name)] is not JsonObject values) continue;
            foreach (var option in section.PropertyType.GetProperties().Where(p => p.PropertyType.IsEnum))
            {
                string key = Json.PropertyNamingPolicy.ConvertName(option.Name), field = $"{Json.PropertyNamingPolicy.ConvertName(section.Name)}.{key}";
                if (values[key] is not { } value) continue;
                try { value.Deserialize(option.PropertyType, Json); continue; }
                catch (JsonException) { }
                var given = EchoText.Shorten(value is JsonValue v && v.TryGetValue<string>(out var text) ? $"'{text}'" : value.ToJsonString());
                problems.Add((field, $"{field} ({given}) must be one of {string.Join(", ", ConfigNames.All(option.PropertyType))}"));
                values.Remove(key);
            }
        }
        return problems;
    }

    static TrainingConfig FromNode(JsonObject node)
    {
        try
        {
            return node.Deserialize<TrainingConfig>(Json) ?? throw new ArgumentException("configuration is empty");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"configuration is not valid: {JsonErrors.Describe(e)}", e);
        }
    }
}
