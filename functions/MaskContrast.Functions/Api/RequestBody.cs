using System.Text.Json;
using System.Text.Json.Serialization;
using MaskContrast.Core.Config;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MaskContrast.Functions.Api;

/// <summary>A request body that was too large (413) or not valid JSON (400).</summary>
public sealed class RequestBodyException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int Status { get; } = status;

    /// <summary>The problem details response.</summary>
    public ObjectResult ToProblem(HttpRequest request) => Status == StatusCodes.Status413PayloadTooLarge
        ? Problems.Status(Status, "The request body is too large.", Message, ApiLinks.Instance(request))
        : Problems.BadRequest("body", Message, ApiLinks.Instance(request));
}

/// <summary>Reads request bodies with a size limit, so a huge upload is refused before it is buffered.</summary>
public static class RequestBody
{
    /// <summary>camelCase, case-insensitive; an unknown field is an error, so a typo such as "epoch" is reported, and so is
    /// a field given twice (which one counts would otherwise depend on the parser, not on what the caller meant).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The body, at most <paramref name="maxBytes"/> long.</summary>
    /// <exception cref="RequestBodyException">413 when longer.</exception>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
            throw TooLarge(request.ContentLength.Value, maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(buffer.Length + read, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The body parsed as <typeparamref name="T"/>; null for an empty body or the JSON literal null.</summary>
    /// <exception cref="RequestBodyException">413 when too long, 400 when not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken) where T : class
    {
        var bytes = await ReadBytesAsync(request, maxBytes, cancellationToken);
        if (bytes.Length == 0)
            return null;
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonOptions);
        }
        catch (JsonException error)
        {
            throw new RequestBodyException(StatusCodes.Status400BadRequest, $"The body is not valid JSON for this request: {JsonErrors.Describe(error)}.");
        }
    }

    private static RequestBodyException TooLarge(long length, int maxBytes) => new(StatusCodes.Status413PayloadTooLarge,
        $"The body has {length:N0} bytes or more; at most {maxBytes:N0} are accepted.");
}
