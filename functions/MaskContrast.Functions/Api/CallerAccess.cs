using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MaskContrast.Functions.Api;

/// <summary>The app roles of the API's Entra app registration (<c>infra/hooks/api-app-roles.json</c> declares them).</summary>
public static class ApiRoles
{
    /// <summary>May start (or resume) training runs: they spend GPU time.</summary>
    public const string RunsStart = "Runs.Start";

    /// <summary>May cancel any run.</summary>
    public const string RunsCancel = "Runs.Cancel";

    /// <summary>May choose the model that segments everyone's dropped images.</summary>
    public const string ModelsActivate = "Models.Activate";

    /// <summary>Every role, as the app registration declares them.</summary>
    public static readonly string[] All = [RunsStart, RunsCancel, ModelsActivate];
}

/// <summary>How callers of the HTTP API prove who they are (app setting <see cref="Setting"/>).</summary>
public enum ApiAuthMode
{
    /// <summary>
    /// App Service Authentication with Entra ID in front of the app (infra's default): the platform validates the token
    /// and passes the caller's claims in <c>X-MS-CLIENT-PRINCIPAL</c>; the handlers check app roles. Function keys are
    /// still required as a second factor.
    /// </summary>
    Entra,

    /// <summary>Function keys alone, the fallback a deployment opts into (no caller identity, no roles).</summary>
    Keys,
}

/// <summary>
/// Checks that the caller of a state-changing endpoint holds the app role it needs. Reads only the claims that App Service
/// Authentication puts in <c>X-MS-CLIENT-PRINCIPAL</c> (the platform removes that header from incoming requests, so a
/// caller cannot forge it when authentication is on).
/// </summary>
public sealed class CallerAccess(ApiAuthMode mode)
{
    /// <summary>The app setting that selects the mode: <c>entra</c> or <c>keys</c> (absent: keys, as when run locally).</summary>
    public const string Setting = "MASKCONTRAST_API_AUTH";

    /// <summary>The header App Service Authentication fills with the caller's claims (base64 JSON).</summary>
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>Function keys only.</summary>
    public static readonly CallerAccess KeysOnly = new(ApiAuthMode.Keys);

    /// <summary>The mode in use.</summary>
    public ApiAuthMode Mode { get; } = mode;

    /// <summary>Reads <see cref="Setting"/>; an unknown value is an error, never a silent fallback to keys.</summary>
    public static CallerAccess FromSetting(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "keys" => KeysOnly,
        "entra" => new CallerAccess(ApiAuthMode.Entra),
        _ => throw new InvalidOperationException($"{Setting} is '{value}'; it must be 'entra' or 'keys'."),
    };

    /// <summary>Null when the caller may go on; otherwise the 401 or 403 problem to return.</summary>
    public ObjectResult? Require(HttpRequest request, string role)
    {
        if (Mode == ApiAuthMode.Keys)
            return null;
        var instance = ApiLinks.Instance(request);
        var roles = RolesOf(request.Headers[PrincipalHeader].ToString());
        if (roles is null)
            return Problems.Status(StatusCodes.Status401Unauthorized, "No caller identity.",
                "Send an Entra ID access token for the API (Authorization: Bearer …) together with the function key (x-functions-key).", instance);
        return roles.Contains(role)
            ? null
            : Problems.Status(StatusCodes.Status403Forbidden, "The caller lacks an app role.",
                $"This operation needs the app role '{role}' of the API's app registration; ask its owner to assign it to you.", instance);
    }

    /// <summary>The role claims of an <c>X-MS-CLIENT-PRINCIPAL</c> value; null when it is absent or not a principal.</summary>
    public static HashSet<string>? RolesOf(string header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
                return null;
            // role_typ names the claim type that carries roles; Entra access tokens use "roles".
            string roleType = root.TryGetProperty("role_typ", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "roles";
            var roles = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in claims.EnumerateArray())
                if (claim.ValueKind == JsonValueKind.Object
                    && claim.TryGetProperty("typ", out var typ) && typ.ValueKind == JsonValueKind.String
                    && (typ.GetString() == roleType || typ.GetString() == "roles")
                    && claim.TryGetProperty("val", out var val) && val.ValueKind == JsonValueKind.String)
                    roles.Add(val.GetString()!);
            return roles;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
