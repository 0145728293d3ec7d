using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MaskContrast.Tests.Infra;

/// <summary>
/// infra/main.bicep compiled once per test class with the Bicep CLI that infra/build.sh fetched from NuGet
/// (linked at .tools/bicep/bicep), plus helpers to find resources in the ARM JSON, nested module templates included.
/// A missing CLI is a failure, never a skip: CI runs infra/build.sh before the tests (test.sh).
/// </summary>
public sealed partial class CompiledTemplate
{
    private static readonly TimeSpan s_bicepTimeout = TimeSpan.FromMinutes(2);

    public CompiledTemplate()
    {
        RepositoryRoot = FindRepositoryRoot();
        BicepPath = Path.Combine(RepositoryRoot, ".tools", "bicep", "bicep");
        if (!File.Exists(BicepPath))
        {
            throw new InvalidOperationException(
                $"Bicep CLI not found at {BicepPath}. Run infra/build.sh once (./test.sh does) to fetch it from NuGet.");
        }

        var build = RunBicep("build", "infra/main.bicep", "--stdout");
        BuildDiagnostics = build.StdErr;
        BuildExitCode = build.ExitCode;
        Root = JsonNode.Parse(build.StdOut)?.AsObject()
            ?? throw new InvalidDataException("bicep build --stdout printed no JSON");
        Resources = [.. Descendants(Root).Where(IsDeployedResource).Cast<JsonObject>()];
    }

    public string RepositoryRoot { get; }
    public string BicepPath { get; }
    public int BuildExitCode { get; }
    public string BuildDiagnostics { get; }

    /// <summary>The compiled main template (subscription scope).</summary>
    public JsonObject Root { get; }

    /// <summary>Every resource the deployment creates, in any module; <c>existing</c> references are left out.</summary>
    public IReadOnlyList<JsonObject> Resources { get; }

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one {type}, found {matches.Count}");
        return matches[0];
    }

    /// <summary>The deployment of module <paramref name="module"/> (its symbolic name in main.bicep).</summary>
    public JsonObject ModuleDeployment(string module) =>
        OfType("Microsoft.Resources/deployments")
            .Single(d => ((string?)d["name"] ?? "").StartsWith($"[format('{module}-", StringComparison.Ordinal));

    /// <summary>The compiled template of module <paramref name="module"/>.</summary>
    public JsonObject ModuleTemplate(string module) => ModuleDeployment(module)["properties"]!["template"]!.AsObject();

    /// <summary>The value (usually an ARM expression) that main.bicep passes to a module parameter.</summary>
    public string? ModuleArgument(string module, string parameter) =>
        (string?)ModuleDeployment(module)["properties"]!["parameters"]![parameter]!["value"];

    public (int ExitCode, string StdOut, string StdErr) RunBicep(params string[] args)
    {
        var start = new ProcessStartInfo(BicepPath)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {BicepPath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_bicepTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} took longer than {s_bicepTimeout}");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Names of the form 'AZURE_LOCATION': what azd turns into environment variables for the hooks.</summary>
    public static bool IsUpperSnake(string name) => UpperSnake().IsMatch(name);

    public static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is null)
                continue;
            foreach (var d in Descendants(child))
                yield return d;
        }
    }

    private static bool IsDeployedResource(JsonNode node) =>
        node is JsonObject o
        && o["type"] is JsonValue type && type.TryGetValue(out string? t) && ResourceType().IsMatch(t)
        && o["apiVersion"] is not null
        && !(o["existing"] is JsonValue e && e.TryGetValue(out bool existing) && existing);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MaskContrast.Cloud.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no MaskContrast.Cloud.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^Microsoft\.[A-Za-z]+/[A-Za-z/]+$")]
    private static partial Regex ResourceType();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();
}
