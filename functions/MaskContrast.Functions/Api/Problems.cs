using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MaskContrast.Functions.Api;

/// <summary>RFC 7807 problem details responses (<c>application/problem+json</c>) for every error the API returns.</summary>
public static class Problems
{
    /// <summary>The problem media type.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>400 with every validation problem, grouped by field (<c>errors</c>), and all of them in <c>detail</c>.</summary>
    public static ObjectResult Validation(IReadOnlyDictionary<string, string[]> errors, string instance)
    {
        var details = new ValidationProblemDetails(errors.ToDictionary())
        {
            Title = "The request is not valid.",
            Status = StatusCodes.Status400BadRequest,
            Detail = string.Join(" ", errors.SelectMany(e => e.Value)),
            Instance = instance,
            Type = "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.1",
        };
        return Result(details);
    }

    /// <summary>400 for a single problem with <paramref name="field"/>.</summary>
    public static ObjectResult BadRequest(string field, string message, string instance)
        => Validation(new Dictionary<string, string[]> { [field] = [message] }, instance);

    /// <summary>Any status with a title and a detail saying what was wrong and what to do.</summary>
    public static ObjectResult Status(int status, string title, string detail, string instance)
        => Result(new ProblemDetails
        {
            Title = title,
            Status = status,
            Detail = detail,
            Instance = instance,
            Type = status switch
            {
                StatusCodes.Status401Unauthorized => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.2",
                StatusCodes.Status403Forbidden => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.4",
                StatusCodes.Status404NotFound => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.5",
                StatusCodes.Status409Conflict => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.10",
                StatusCodes.Status413PayloadTooLarge => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.14",
                StatusCodes.Status429TooManyRequests => "https://datatracker.ietf.org/doc/html/rfc6585#section-4",
                StatusCodes.Status503ServiceUnavailable => "https://datatracker.ietf.org/doc/html/rfc9110#section-15.6.4",
                _ => "about:blank",
            },
        });

    private static ObjectResult Result(ProblemDetails details)
    {
        var result = new ObjectResult(details) { StatusCode = details.Status };
        result.ContentTypes.Add(ContentType);
        return result;
    }
}
