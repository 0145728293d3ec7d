using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MaskContrast.Tests.Infra;

// The files azd and the registry build read, checked against each other and against the compiled template:
// a hook that needs an output Bicep does not produce, or a parameter main.bicep does not declare, fails here
// instead of halfway through `azd up`.
public partial class DeploymentFilesTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    private string Read(string relativePath) => File.ReadAllText(Path.Combine(template.RepositoryRoot, relativePath));

    [Fact]
    public void AzureYaml_DeploysTheFunctionProject_AsServiceApi()
    {
        string yaml = Read("azure.yaml");
        Assert.Matches(@"(?m)^  api:\s*$", yaml);
        Assert.Contains("project: ./functions/MaskContrast.Functions", yaml);
        Assert.Contains("language: dotnet", yaml);
        Assert.Contains("host: function", yaml);
        Assert.Matches(@"(?m)^  preprovision:\s*$", yaml);
        Assert.Matches(@"(?m)^  postprovision:\s*$", yaml);
        Assert.Matches(@"(?m)^  postdeploy:\s*$", yaml);
    }

    [Fact]
    public void Hooks_AreStrictBashScripts_ThatExist()
    {
        var hooks = HookPath().Matches(Read("azure.yaml")).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["infra/hooks/preprovision.sh", "infra/hooks/postprovision.sh", "infra/hooks/postdeploy.sh"], hooks);
        foreach (string hook in hooks)
        {
            string path = Path.Combine(template.RepositoryRoot, hook);
            string text = File.ReadAllText(path);
            Assert.StartsWith("#!/usr/bin/env bash\n", text);
            Assert.Contains("\nset -euo pipefail\n", text);
            if (!OperatingSystem.IsWindows())
                Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{hook} is not executable");
        }
    }

    [Fact]
    public void Hooks_RequireOnlyVariablesThatTheTemplateOutputs()
    {
        var outputs = template.Root["outputs"]!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (string hook in new[] { "infra/hooks/postprovision.sh", "infra/hooks/postdeploy.sh" })
        {
            // Each hook checks its prerequisites in one `for var in A B C; do` line.
            var required = RequiredVariables().Match(Read(hook));
            Assert.True(required.Success, $"{hook} has no prerequisite check");
            Assert.All(required.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                v => Assert.True(outputs.Contains(v), $"{hook} needs {v}, which main.bicep does not output"));
        }
    }

    [Fact]
    public void PostDeploy_DeadLettersBothSubscriptions_IntoTheTemplatesContainer_WithTheTopicsIdentity()
    {
        string hook = Read("infra/hooks/postdeploy.sh");

        // Set on create and update alike, in the one command that every subscription goes through.
        Assert.Contains("local deadletter=(--deadletter-identity systemassigned --deadletter-identity-endpoint \"$EVENTGRID_DEADLETTER_CONTAINER_ID\")", hook);
        Assert.Contains("\"${filters[@]}\" \"${deadletter[@]}\" --only-show-errors", hook);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(hook, "az eventgrid system-topic event-subscription \"\\$verb\""));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(hook, "(?m)^subscribe ").Count);
    }

    [Fact]
    public void Parameters_AreAzdSubstitutions_ForDeclaredParameters()
    {
        var declared = template.Root["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var file = JsonNode.Parse(Read("infra/main.parameters.json"))!["parameters"]!.AsObject();
        Assert.All(file, p =>
        {
            Assert.Contains(p.Key, declared);
            Assert.Matches(@"^\$\{[A-Z_]+(=[^}]*)?\}$", (string?)p.Value!["value"]);
        });
        // Parameters without a default must come from the azd environment.
        var mandatory = template.Root["parameters"]!.AsObject().Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(mandatory, m => Assert.True(file.ContainsKey(m), $"mandatory parameter {m} is not in main.parameters.json"));
    }

    [Fact]
    public void ApiAppRoles_AreTheRolesTheHandlersCheck_WithStableIds()
    {
        var roles = JsonNode.Parse(Read("infra/hooks/api-app-roles.json"))!.AsArray();
        Assert.Equal(MaskContrast.Functions.Api.ApiRoles.All.Order(), roles.Select(r => (string)r!["value"]!).Order());
        Assert.All(roles, r => Assert.True(Guid.TryParse((string?)r!["id"], out _)));
        Assert.Equal(roles.Count, roles.Select(r => (string?)r!["id"]).Distinct().Count());
        Assert.Contains("api-app-roles.json", Read("infra/hooks/preprovision.sh"));
        Assert.Contains("azd env set API_CLIENT_ID", Read("infra/hooks/preprovision.sh"));
    }

    [Fact]
    public void EntraMode_PutsAuthenticationInFrontOfTheApi_ButNotTheBlobWebhook_AndTellsTheHandlers()
    {
        var file = JsonNode.Parse(Read("infra/main.parameters.json"))!["parameters"]!;
        Assert.Equal("${API_AUTH=entra}", (string?)file["apiAuth"]!["value"]);
        Assert.Equal("${API_CLIENT_ID=}", (string?)file["apiClientId"]!["value"]);
        Assert.Equal("entra", (string?)template.Root["parameters"]!["apiAuth"]!["defaultValue"]);

        var auth = template.Single("Microsoft.Web/sites/config");
        Assert.Equal("[equals(parameters('apiAuth'), 'entra')]", (string?)auth["condition"]);
        var props = auth["properties"]!;
        Assert.True((bool)props["platform"]!["enabled"]!);
        Assert.True((bool)props["globalValidation"]!["requireAuthentication"]!);
        Assert.Equal("Return401", (string?)props["globalValidation"]!["unauthenticatedClientAction"]);
        Assert.Equal(["/runtime/webhooks/blobs"], props["globalValidation"]!["excludedPaths"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("[parameters('apiClientId')]", (string?)props["identityProviders"]!["azureActiveDirectory"]!["registration"]!["clientId"]);

        var settings = template.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray();
        var mode = Assert.Single(settings, s => (string?)s!["name"] == MaskContrast.Functions.Api.CallerAccess.Setting)!;
        Assert.Equal("[parameters('apiAuth')]", (string?)mode["value"]);
    }

    [Fact]
    public void SecurityModelTable_IsTheSameInInfraReadmeAndTheDeploymentDoc_AndNamesTheRolesTheHandlersCheck()
    {
        string table = WhoCanDoWhat(Read("infra/README.md"));

        Assert.Equal(table, WhoCanDoWhat(Read("docs/deployment.md")));
        Assert.Equal(MaskContrast.Functions.Api.ApiRoles.All.Order(), AppRoleName().Matches(table).Select(m => m.Groups[1].Value).Distinct().Order());
        Assert.Contains($"{MaskContrast.Functions.Api.CallerAccess.Setting}=keys", table);
        foreach (string who in new[] { "`id-api-*`", "`id-job-*`", "Event Grid system topic", "The deploying user", "The budget" })
            Assert.Contains(who, table);
    }

    [Fact]
    public void DeploymentDoc_StorageCommands_NameContainersTheTemplateDeclares()
    {
        var declared = template.Root["variables"]!["containers"]!.AsObject().Select(p => (string?)p.Value).ToHashSet();
        var named = AzStorageContainer().Matches(Read("docs/deployment.md")).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(named);
        Assert.All(named, c => Assert.Contains(c, declared));
    }

    // The table rows under the heading "## Who can do what".
    private static string WhoCanDoWhat(string markdown)
    {
        int start = markdown.IndexOf("\n## Who can do what\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "no section '## Who can do what'");
        var rows = markdown[(start + 1)..].Split('\n').Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith('|'));
        return string.Join('\n', rows);
    }

    [Fact]
    public void Dockerfile_PublishesTheCudaCli_OnANobleRuntime_AndRunsOneEpoch()
    {
        string dockerfile = Read("cli/Dockerfile");
        var stages = FromLine().Matches(dockerfile).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/runtime:10.0-noble"], stages);
        Assert.Contains("dotnet publish cli/MaskContrast.Cli.csproj -c Release -p:TorchDevice=cuda -o /app", dockerfile);
        Assert.Contains("ENTRYPOINT [\"/app/maskcontrast\", \"train-epoch\"]", dockerfile);
        Assert.Contains("USER $APP_UID", dockerfile);
        foreach (string variable in new[] { "MASKCONTRAST_RUN_ID", "MASKCONTRAST_EPOCH", "MASKCONTRAST_STORAGE_URL", "AZURE_CLIENT_ID" })
            Assert.Contains(variable, dockerfile);
    }

    [Fact]
    public void DockerIgnore_AdmitsOnlyWhatTheCliBuildNeeds()
    {
        var lines = Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", lines[0]);
        Assert.Contains("!cli/", lines);
        Assert.Contains("!core/", lines);
        Assert.Contains("!build/", lines);
        Assert.Contains("**/bin/", lines);
        Assert.Contains("**/obj/", lines);
        Assert.DoesNotContain("!tests/", lines);
    }

    [GeneratedRegex(@"run: \./(\S+)")]
    private static partial Regex HookPath();

    [GeneratedRegex(@"for var in ([A-Z_ ]+); do")]
    private static partial Regex RequiredVariables();

    [GeneratedRegex(@"`([A-Z][a-z]+\.[A-Z][a-z]+)`")]
    private static partial Regex AppRoleName();

    [GeneratedRegex(@"az storage blob [a-z]+ [^`\n]*? -c ([a-z0-9-]+)")]
    private static partial Regex AzStorageContainer();

    [GeneratedRegex(@"(?m)^FROM (\S+)")]
    private static partial Regex FromLine();
}
