using System.Text;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// App roles in Entra mode, through the handlers with a real Durable client and Azurite: a caller without the role gets
/// 401/403 and nothing starts, changes or is recorded; a caller with it goes through.
/// </summary>
public sealed class CallerAccessTests() : ToyPipelineTests("roles", imageCount: 3)
{
    private RunsFunctions _runs = null!;
    private ModelsFunctions _models = null!;
    private const string StartBody = """{"dataset":"toy","preset":"tiny","epochs":1,"runId":"run-roles"}""";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var entra = CallerAccess.FromSetting("entra");
        _runs = FunctionsTestKit.Runs(Store, entra);
        _models = FunctionsTestKit.Models(Store, entra);
    }

    // What App Service Authentication puts in X-MS-CLIENT-PRINCIPAL for an Entra access token with these roles.
    private static string Principal(params string[] roles)
    {
        var claims = roles.Select(r => $$"""{"typ":"roles","val":"{{r}}"}""")
            .Append("""{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"00000000-0000-0000-0000-000000000001"}""");
        string json = $$"""{"auth_typ":"aad","claims":[{{string.Join(",", claims)}}],"name_typ":"name","role_typ":"roles"}""";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static HttpRequest As(HttpRequest request, string? principal)
    {
        if (principal is not null)
            request.Headers[CallerAccess.PrincipalHeader] = principal;
        return request;
    }

    [Fact]
    public async Task StartRun_WithoutIdentity401_WithoutTheRole403_AndNothingIsRecordedOrStarted()
    {
        var anonymous = await _runs.StartRun(As(FunctionsTestKit.Request("POST", "/api/runs", StartBody), null), Host.Client, Deadline.Token);
        RunsApiTests.AssertProblem(anonymous, StatusCodes.Status401Unauthorized);

        var wrongRole = await _runs.StartRun(As(FunctionsTestKit.Request("POST", "/api/runs", StartBody), Principal(ApiRoles.ModelsActivate)),
            Host.Client, Deadline.Token);
        var problem = RunsApiTests.AssertProblem(wrongRole, StatusCodes.Status403Forbidden);
        Assert.Contains(ApiRoles.RunsStart, problem.Detail);

        Assert.Null(await Store.ReadBytesAsync(RunLayout.Settings("run-roles")));
        Assert.Null(await Host.Client.GetInstanceAsync("run-roles", Deadline.Token));
    }

    [Fact]
    public async Task StartRun_WithRunsStart_Starts_ButCancelNeedsRunsCancel()
    {
        var started = await _runs.StartRun(As(FunctionsTestKit.Request("POST", "/api/runs", StartBody), Principal(ApiRoles.RunsStart)),
            Host.Client, Deadline.Token);
        Assert.IsType<AcceptedResult>(started);

        var cancel = await _runs.CancelRun(As(FunctionsTestKit.Request("POST", "/api/runs/run-roles/cancel"), Principal(ApiRoles.RunsStart)),
            Host.Client, "run-roles", Deadline.Token);
        Assert.Contains(ApiRoles.RunsCancel, RunsApiTests.AssertProblem(cancel, StatusCodes.Status403Forbidden).Detail);

        var done = await Host.Client.WaitForInstanceCompletionAsync("run-roles", Deadline.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);   // the refused cancel reached nothing
    }

    [Fact]
    public async Task ActivateModel_NeedsModelsActivate_AndARefusalLeavesTheActiveModelAlone()
    {
        await FunctionsTestKit.PublishModelAsync(Store, "run-model", FunctionsTestKit.TinyBundle());

        var refused = await _models.ActivateModel(As(FunctionsTestKit.Request("POST", "/api/models/run-model/activate"), Principal(ApiRoles.RunsStart, ApiRoles.RunsCancel)),
            "run-model", Deadline.Token);
        RunsApiTests.AssertProblem(refused, StatusCodes.Status403Forbidden);
        Assert.IsType<ObjectResult>(await _models.GetActiveModel(FunctionsTestKit.Request("GET", "/api/models/active"), Deadline.Token));   // 404 problem

        var activated = await _models.ActivateModel(As(FunctionsTestKit.Request("POST", "/api/models/run-model/activate"), Principal(ApiRoles.ModelsActivate)),
            "run-model", Deadline.Token);
        Assert.IsType<OkObjectResult>(activated);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("bnVsbA==")]          // "null"
    [InlineData("eyJjbGFpbXMiOjF9")]  // {"claims":1}
    public void RolesOf_AnythingButAPrincipal_IsNoIdentity(string header) => Assert.Null(CallerAccess.RolesOf(header));

    [Fact]
    public void RolesOf_ReadsTheRoleClaimsOnly() =>
        Assert.Equal([ApiRoles.ModelsActivate, ApiRoles.RunsStart], CallerAccess.RolesOf(Principal(ApiRoles.RunsStart, ApiRoles.ModelsActivate))!.Order());

    [Fact]
    public void FromSetting_KeysByDefault_EntraOnRequest_AndAnUnknownValueIsAnError()
    {
        Assert.Equal(ApiAuthMode.Keys, CallerAccess.FromSetting(null).Mode);
        Assert.Equal(ApiAuthMode.Entra, CallerAccess.FromSetting(" Entra ").Mode);
        Assert.Contains("entra", Assert.Throws<InvalidOperationException>(() => CallerAccess.FromSetting("off")).Message);
    }

    [Fact]
    public void InKeysMode_NoRoleIsChecked() =>
        Assert.Null(CallerAccess.KeysOnly.Require(FunctionsTestKit.Request("POST", "/api/runs"), ApiRoles.RunsStart));
}
