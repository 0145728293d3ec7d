using System.Text.Json.Nodes;
using MaskContrast.Orchestration.Orchestrations;

namespace MaskContrast.Tests.Infra;

// Asserts on the ARM JSON compiled from infra/main.bicep: the security settings of issue 8 (no shared keys, identity
// everywhere, no secrets in app settings), the GPU job, the role assignments and the azd outputs.
public class InfraTemplateTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    // Built-in role definition ids (the same in every Azure tenant).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";

    private const string T4Profile = "Consumption-GPU-NC8as-T4";
    private const string A100Profile = "Consumption-GPU-NC24-A100";

    [Fact]
    public void Build_HasNoDiagnostics()
    {
        Assert.Equal(0, template.BuildExitCode);
        Assert.Equal("", template.BuildDiagnostics.Trim());
    }

    [Fact]
    public void Lint_AllBicepFiles_HaveNoDiagnostics()
    {
        var (exitCode, stdout, stderr) = template.RunBicep("lint", "--pattern", "infra/**/*.bicep");
        Assert.Equal(0, exitCode);
        Assert.Equal("", (stdout + stderr).Trim());
    }

    [Fact]
    public void BicepSources_UseNoRegistryModules()
    {
        // The public module registry is unreachable from CI; every resource is a plain declaration.
        var sources = Directory.GetFiles(Path.Combine(template.RepositoryRoot, "infra"), "*.bicep", SearchOption.AllDirectories);
        Assert.NotEmpty(sources);
        Assert.All(sources, f => Assert.DoesNotContain("br/public:", File.ReadAllText(f)));
        Assert.All(sources, f => Assert.DoesNotContain("br:", File.ReadAllText(f)));
    }

    [Fact]
    public void Main_IsSubscriptionScoped_AndCreatesTheResourceGroup()
    {
        Assert.Contains("subscriptionDeploymentTemplate", (string?)template.Root["$schema"]);
        var rg = template.Single("Microsoft.Resources/resourceGroups");
        Assert.Contains("'azd-env-name'", template.Root["variables"]!["tags"]!.ToJsonString().Replace('"', '\''));
        Assert.NotNull(rg["tags"]);
    }

    [Fact]
    public void StorageAccount_DisallowsSharedKeysAndOldTls()
    {
        var props = template.Single("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False((bool)props["allowSharedKeyAccess"]!);
        Assert.Equal("TLS1_2", (string?)props["minimumTlsVersion"]);
        Assert.False((bool)props["allowBlobPublicAccess"]!);
        Assert.True((bool)props["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)props["defaultToOAuthAuthentication"]!);
    }

    [Fact]
    public void StorageContainers_AreTheOnesThePipelineUses()
    {
        var names = template.Root["variables"]!["containers"]!.AsObject().Select(p => (string?)p.Value).Order();
        Assert.Equal(["deployment", "eventgrid-deadletter", "maskcontrast", "segment-input", "segment-output"], names);
        var container = template.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
    }

    [Fact]
    public void FunctionApp_HostStorage_IsIdentityBased()
    {
        var settings = AppSettings();
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        foreach (string key in new[] { "clientId", "blobServiceUri", "queueServiceUri", "tableServiceUri" })
            Assert.False(string.IsNullOrEmpty(settings.GetValueOrDefault($"AzureWebJobsStorage__{key}")), $"AzureWebJobsStorage__{key} missing");
        // The plain name holds a connection string; the identity form must be the only one.
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void FunctionApp_Settings_HoldNoSecrets()
    {
        string[] secretMarkers =
            ["AccountKey=", "SharedAccessSignature", "sig=", "DefaultEndpointsProtocol", "listKeys", "listSecrets",
             "listCredentials", "password", "secret", "UseDevelopmentStorage"];
        foreach (var (name, value) in AppSettings())
        {
            Assert.All(secretMarkers, m => Assert.DoesNotContain(m, value, StringComparison.OrdinalIgnoreCase));
            // The only connection string is Application Insights', whose key is not a credential once local auth is
            // off and the AAD authentication string is set (asserted below).
            if (name.Contains("CONNECTION_STRING", StringComparison.OrdinalIgnoreCase) || name.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase))
                Assert.Equal("APPLICATIONINSIGHTS_CONNECTION_STRING", name);
        }
    }

    [Fact]
    public void Template_NeverReadsKeys()
    {
        // No list*() call anywhere means no key or SAS is read during deployment, so none can leak into settings.
        string json = template.Root.ToJsonString();
        Assert.DoesNotContain("listKeys(", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listAccountSas(", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listCredentials(", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FunctionApp_TelemetryAndAppSettings_AreWhatTheAppReads()
    {
        var settings = AppSettings();
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Contains("ClientId=", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        foreach (string name in new[] { "TASKHUB_NAME", "AZURE_CLIENT_ID", "MASKCONTRAST_STORAGE_URL", "TRAINING_JOB_RESOURCE_ID", "TRAINING_JOB_CONTAINER_NAME",
                 EpochJobOptions.ReplicaTimeoutSetting })
            Assert.True(settings.ContainsKey(name), $"{name} missing");
        // Flex Consumption rejects these as app settings (they live in functionAppConfig.runtime).
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void FunctionApp_IsFlexConsumptionDotnetIsolated10_WithIdentityDeployment()
    {
        var plan = template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);

        var site = template.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Contains("'azd-service-name', 'api'", (string?)site["tags"]);
        var config = site["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);

        var publishing = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, publishing.Count);
        Assert.All(publishing, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public void Monitoring_DisablesLocalAuth()
    {
        var insights = template.Single("Microsoft.Insights/components")["properties"]!.AsObject();
        var disableLocalAuth = insights.Single(p => p.Key.Equals("disableLocalAuth", StringComparison.OrdinalIgnoreCase));
        Assert.True((bool)disableLocalAuth.Value!);
        var workspace = template.Single("Microsoft.OperationalInsights/workspaces");
        Assert.True((bool)workspace["properties"]!["features"]!["disableLocalAuth"]!);
    }

    [Fact]
    public void Registry_HasNoAdminUserOrAnonymousPull()
    {
        var props = template.Single("Microsoft.ContainerRegistry/registries")["properties"]!;
        Assert.False((bool)props["adminUserEnabled"]!);
        Assert.False((bool)props["anonymousPullEnabled"]!);
    }

    [Fact]
    public void ContainerAppsEnvironment_HasTheGpuWorkloadProfile_T4ByDefault_A100Allowed()
    {
        var profiles = template.Single("Microsoft.App/managedEnvironments")["properties"]!["workloadProfiles"]!.AsArray();
        Assert.Contains(profiles, p => (string?)p!["workloadProfileType"] == "Consumption");
        var gpu = Assert.Single(profiles, p => (string?)p!["workloadProfileType"] == "[parameters('gpuProfileType')]");

        foreach (var parameters in new[] { template.Root["parameters"]!, template.ModuleTemplate("training")["parameters"]! })
        {
            var gpuParameter = parameters["gpuProfileType"]!;
            Assert.Equal(T4Profile, (string?)gpuParameter["defaultValue"]);
            Assert.Equal([T4Profile, A100Profile], gpuParameter["allowedValues"]!.AsArray().Select(v => (string?)v));
        }

        // The job runs on that profile, with a manual trigger, its own identity for the registry, and limits.
        var job = template.Single("Microsoft.App/jobs");
        Assert.Equal((string?)gpu!["name"], (string?)job["properties"]!["workloadProfileName"]);
        var configuration = job["properties"]!["configuration"]!;
        Assert.Equal("Manual", (string?)configuration["triggerType"]);
        Assert.NotNull(configuration["replicaTimeout"]);
        Assert.Equal("UserAssigned", (string?)job["identity"]!["type"]);
        Assert.NotNull(Assert.Single(configuration["registries"]!.AsArray())!["identity"]);
        var env = Assert.Single(job["properties"]!["template"]!["containers"]!.AsArray())!["env"]!.AsArray();
        Assert.Equal(["AZURE_CLIENT_ID", "MASKCONTRAST_STORAGE_URL"], env.Select(e => (string?)e!["name"]).Order());
        Assert.All(env, e => Assert.Null(e!["secretRef"]));
    }

    [Fact]
    public void TrainingJob_RestartsNoReplica_AndTheAppsAttemptTimeoutIsTheJobsOwnReplicaTimeout()
    {
        var configuration = template.Single("Microsoft.App/jobs")["properties"]!["configuration"]!;
        // The orchestration owns retries: a platform restart would be a second GPU start per attempt, and would run a
        // trainer that refused its input (exit 2) again.
        Assert.Equal(0, (int)configuration["replicaRetryLimit"]!);
        Assert.Null(template.Root["parameters"]!["replicaRetryLimit"]);
        // One setting: main's replicaTimeoutSeconds → the job's replicaTimeout → the job module's output → the app
        // setting EpochJobOptions reads. Nothing in code or Bicep repeats the number.
        Assert.Equal("[parameters('replicaTimeoutSeconds')]", template.ModuleArgument("training", "replicaTimeoutSeconds"));
        Assert.Equal("[parameters('replicaTimeoutSeconds')]", (string?)configuration["replicaTimeout"]);
        Assert.EndsWith(".configuration.replicaTimeout]", (string?)template.ModuleTemplate("training")["outputs"]!["replicaTimeoutSeconds"]!["value"]);
        Assert.Equal("[reference('training').outputs.replicaTimeoutSeconds.value]", template.ModuleArgument("functions", "trainingJobReplicaTimeoutSeconds"));
        Assert.Equal("[string(parameters('trainingJobReplicaTimeoutSeconds'))]", AppSettings()[EpochJobOptions.ReplicaTimeoutSetting]);
    }

    [Fact]
    public void Storage_KeepsOldVersionsAndDeletedBlobsForTheRetentionPeriod_ThenDeletesOldVersions()
    {
        var blob = template.Single("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;
        Assert.True((bool)blob["isVersioningEnabled"]!);
        const string retention = "[parameters('retentionDays')]";
        Assert.Equal((true, retention), ((bool)blob["deleteRetentionPolicy"]!["enabled"]!, (string?)blob["deleteRetentionPolicy"]!["days"]));
        Assert.Equal(30, (int)template.ModuleTemplate("storage")["parameters"]!["retentionDays"]!["defaultValue"]!);
        var rule = Assert.Single(template.Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!["policy"]!["rules"]!.AsArray())!;
        Assert.True((bool)rule["enabled"]!);
        Assert.Equal(retention, (string?)rule["definition"]!["actions"]!["version"]!["delete"]!["daysAfterCreationGreaterThan"]);
    }

    [Fact]
    public void RoleAssignments_AreNamedByScopePrincipalAndRole()
    {
        // api storage loop + trainer's artifact container + user's containers loop + AcrPull + telemetry + job operator
        // + Event Grid's dead-letter container; guid(...) names make redeploys idempotent.
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();
        Assert.Equal(7, assignments.Count);
        // name = "[guid(<scope expression>, <principal>, <role>)]"
        Assert.All(assignments, a => Assert.StartsWith($"[guid({((string)a["scope"]!).Trim('[', ']')}, ", (string?)a["name"]));
    }

    [Fact]
    public void RoleAssignments_Storage_AccountWideOnlyForTheApp_TheTrainerReachesOnlyTheArtifactContainer()
    {
        var rbac = template.ModuleTemplate("rbac");
        var roles = rbac["variables"]!["roles"]!.AsObject();
        Assert.Equal(StorageBlobDataOwner, (string?)roles["storageBlobDataOwner"]);
        Assert.Equal(StorageBlobDataContributor, (string?)roles["storageBlobDataContributor"]);
        Assert.Equal(StorageQueueDataContributor, (string?)roles["storageQueueDataContributor"]);
        Assert.Equal(StorageTableDataContributor, (string?)roles["storageTableDataContributor"]);
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();

        // The Functions host and the Durable backend: blob, queue and table on the account, and nobody else there.
        var accountWide = Assert.Single(assignments, a => ((string?)a["scope"] ?? "").Contains("'Microsoft.Storage/storageAccounts',", StringComparison.Ordinal));
        Assert.Contains("variables('principalKeys').api", (string?)accountWide["name"]);
        Assert.Contains("variables('apiStorageRoles')[copyIndex()]", (string?)accountWide["properties"]!["roleDefinitionId"]);
        string apiRoles = rbac["variables"]!["apiStorageRoles"]!.ToJsonString();
        Assert.Equal(3, rbac["variables"]!["apiStorageRoles"]!.AsArray().Count);
        Assert.Contains("storageBlobDataOwner", apiRoles);
        Assert.Contains("storageQueueDataContributor", apiRoles);
        Assert.Contains("storageTableDataContributor", apiRoles);

        // The trainer: blob contributor on the artifact container, never the account (it parses untrusted content).
        var containerScoped = assignments.Where(a => ((string?)a["scope"] ?? "").Contains("blobServices/containers", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, containerScoped.Count);   // the third is Event Grid's dead-letter writer (EventGrid_ test below)
        var job = Assert.Single(containerScoped, a => ((string?)a["name"])!.Contains("variables('principalKeys').job", StringComparison.Ordinal));
        Assert.Contains("parameters('artifactContainerName')", (string?)job["scope"]);
        Assert.Contains("variables('roles').storageBlobDataContributor", (string?)job["properties"]!["roleDefinitionId"]);
        Assert.Equal("[variables('containers').artifacts]", template.ModuleArgument("rbac", "artifactContainerName"));

        // The deploying user: the artifact container and the drop folders, only when a principal id is given.
        var user = Assert.Single(containerScoped, a => ((string?)a["name"])!.Contains("variables('principalKeys').user", StringComparison.Ordinal));
        Assert.Contains("parameters('userContainerNames')[copyIndex()]", (string?)user["scope"]);
        Assert.Equal("[not(empty(parameters('userPrincipalId')))]", (string?)user["condition"]);
        var userContainers = template.ModuleDeployment("rbac")["properties"]!["parameters"]!["userContainerNames"]!["value"]!
            .AsArray().Select(c => (string)c!).ToArray();
        Assert.Equal(["[variables('containers').artifacts]", "[variables('containers').segmentInput]", "[variables('containers').segmentOutput]"], userContainers);
    }

    [Fact]
    public void RoleAssignments_TrainerPullsItsImage_AppPublishesTelemetryAndOperatesOnlyTheJob()
    {
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();

        // AcrPull sits with the registry, so that it exists before the job that pulls with it is created.
        Assert.Equal(AcrPull, (string?)template.ModuleTemplate("registry")["variables"]!["acrPullRoleId"]);
        Assert.Equal("[variables('names').jobIdentity]", template.ModuleArgument("registry", "pullIdentityName"));
        var pull = AssignmentOn(assignments, "Microsoft.ContainerRegistry/registries");
        Assert.Contains("parameters('pullIdentityName')", (string?)pull["name"]);
        Assert.Contains("variables('acrPullRoleId')", (string?)pull["properties"]!["roleDefinitionId"]);

        var roles = template.ModuleTemplate("rbac")["variables"]!["roles"]!;
        Assert.Equal(MonitoringMetricsPublisher, (string?)roles["monitoringMetricsPublisher"]);
        Assert.Equal(Contributor, (string?)roles["contributor"]);
        AssertApiAssignment(AssignmentOn(assignments, "Microsoft.Insights/components"), "monitoringMetricsPublisher");
        // Contributor, but scoped to the training job resource only.
        AssertApiAssignment(AssignmentOn(assignments, "Microsoft.App/jobs"), "contributor");
    }

    [Fact]
    public void EventGrid_SystemTopic_WatchesTheStorageAccount_AndItsIdentityMayWriteOnlyTheDeadLetterContainer()
    {
        var topic = template.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        // Shared keys are off, so undeliverable events are dead-lettered with the topic's own identity ...
        Assert.Equal("SystemAssigned", (string?)topic["identity"]!["type"]);
        Assert.Equal("[variables('containers').deadLetters]", template.ModuleArgument("eventGrid", "deadLetterContainerName"));
        Assert.Equal("eventgrid-deadletter", (string?)template.Root["variables"]!["containers"]!["deadLetters"]);
        // ... which may write blobs in that container and nowhere else.
        var writer = Assert.Single(template.OfType("Microsoft.Authorization/roleAssignments"),
            a => ((string?)a["properties"]!["principalId"] ?? "").Contains("Microsoft.EventGrid/systemTopics", StringComparison.Ordinal));
        Assert.Contains("blobServices/containers", (string?)writer["scope"]);
        Assert.Contains("parameters('deadLetterContainerName')", (string?)writer["scope"]);
        Assert.Contains(StorageBlobDataContributor, template.ModuleTemplate("eventGrid")["variables"]!["storageBlobDataContributor"]!.ToString());
        Assert.Contains("variables('storageBlobDataContributor')", (string?)writer["properties"]!["roleDefinitionId"]);
        Assert.NotNull(template.Root["outputs"]!["EVENTGRID_DEADLETTER_CONTAINER_ID"]);
    }

    [Fact]
    public void Budget_OnTheResourceGroup_Alerts80PercentActualAnd100PercentForecast_OnlyWhenSomeoneIsToldOfIt()
    {
        var budget = template.Single("Microsoft.Consumption/budgets");
        var props = budget["properties"]!;
        Assert.Equal(("Cost", "Monthly", "[parameters('amount')]"),
            ((string?)props["category"], (string?)props["timeGrain"], (string?)props["amount"]));
        var notifications = props["notifications"]!.AsObject().Select(n => n.Value!).ToList();
        Assert.Equal([("Actual", 80), ("Forecasted", 100)],
            notifications.Select(n => ((string)n["thresholdType"]!, (int)n["threshold"]!)).Order());
        Assert.All(notifications, n =>
        {
            Assert.True((bool)n["enabled"]!);
            Assert.Equal("GreaterThanOrEqualTo", (string?)n["operator"]);
            Assert.Equal("[parameters('contactEmails')]", (string?)n["contactEmails"]);
        });
        // No address, no budget; none is given by default.
        Assert.Equal("[not(empty(parameters('contactEmails')))]", (string?)budget["condition"]);
        Assert.Equal("", (string?)template.Root["parameters"]!["budgetContactEmails"]!["defaultValue"]);
        Assert.Equal("[variables('budgetEmails')]", template.ModuleArgument("budget", "contactEmails"));
        Assert.Equal("[int(parameters('budgetMonthlyAmount'))]", template.ModuleArgument("budget", "amount"));

        // Deployed into the run's resource group, so it counts that group's costs only.
        Assert.Equal((string?)template.Single("Microsoft.Resources/resourceGroups")["name"], (string?)template.ModuleDeployment("budget")["resourceGroup"]);

        // The start date must be the first of a month and cannot change later: a pinned date (BUDGET_START_DATE, which
        // azd keeps from the output) or else the first of the current month, computed where utcNow is allowed.
        Assert.Equal("[utcNow('yyyy-MM-01')]", (string?)template.Root["parameters"]!["budgetFirstMonth"]!["defaultValue"]);
        Assert.Equal("[if(not(empty(parameters('budgetStartDate'))), parameters('budgetStartDate'), parameters('budgetFirstMonth'))]",
            (string?)template.Root["variables"]!["budgetStart"]);
        Assert.Equal("[variables('budgetStart')]", template.ModuleArgument("budget", "startDate"));
        Assert.Equal("[if(empty(variables('budgetEmails')), '', variables('budgetStart'))]",
            (string?)template.Root["outputs"]!["BUDGET_START_DATE"]!["value"]);
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(template.RepositoryRoot, "infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${BUDGET_START_DATE=}", (string?)parameters["budgetStartDate"]!["value"]);
        Assert.Null(parameters["budgetFirstMonth"]);
    }

    [Fact]
    public void Outputs_AreUpperSnake_AndIncludeWhatTheHooksRead()
    {
        var outputs = template.Root["outputs"]!.AsObject().Select(p => p.Key).ToList();
        Assert.All(outputs, o => Assert.True(CompiledTemplate.IsUpperSnake(o), $"output '{o}' is not UPPER_SNAKE"));
        string[] required =
            ["AZURE_LOCATION", "AZURE_RESOURCE_GROUP", "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_NAME",
             "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_FUNCTION_APP_NAME", "TRAINING_JOB_NAME", "TRAINING_JOB_RESOURCE_ID",
             "EVENTGRID_SYSTEM_TOPIC_NAME", "EVENTGRID_DEADLETTER_CONTAINER_ID", "SEGMENT_INPUT_CONTAINER"];
        Assert.All(required, r => Assert.Contains(r, outputs));
        Assert.All(template.Root["outputs"]!.AsObject(), o => Assert.Equal("string", (string?)o.Value!["type"]));
    }

    private static JsonObject AssignmentOn(List<JsonObject> assignments, string scopeType) =>
        Assert.Single(assignments, a => ((string?)a["scope"] ?? "").Contains(scopeType, StringComparison.Ordinal));

    private static void AssertApiAssignment(JsonObject assignment, string role)
    {
        Assert.Contains($"variables('roles').{role}", (string?)assignment["name"]);
        Assert.Contains("variables('principalKeys').api", (string?)assignment["name"]);
        Assert.Contains($"variables('roles').{role}", (string?)assignment["properties"]!["roleDefinitionId"]);
    }

    private Dictionary<string, string> AppSettings() =>
        template.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string?)s!["value"] ?? "");
}
