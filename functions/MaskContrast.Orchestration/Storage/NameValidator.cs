using System.Text.RegularExpressions;
using MaskContrast.Core.Config;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Validates every name that comes from a user before it becomes part of a storage path: run ids, dataset names,
/// image ids and whole artifact paths. Names are checked against an allow-list (letters, digits and a few
/// punctuation characters) rather than a deny-list, so nothing can form a traversal (<c>..</c>), an absolute path,
/// a Windows path (<c>\</c>, <c>C:</c>) or a URL, whichever store the name ends up in.
/// </summary>
/// <remarks>Every failure throws <see cref="ArgumentException"/> whose message names the field, the value and the rule.</remarks>
public static partial class NameValidator
{
    /// <summary>Longest run id; run ids are also orchestration instance ids and blob path segments.</summary>
    public const int MaxRunIdLength = 64;

    /// <summary>Longest dataset name.</summary>
    public const int MaxDatasetNameLength = 64;

    /// <summary>Longest image id (a file name without its extension).</summary>
    public const int MaxImageIdLength = 128;

    /// <summary>Longest artifact path; Azure blob names allow 1024 characters.</summary>
    public const int MaxPathLength = 1024;

    /// <summary>Checks a run id: 1–64 letters, digits, '-' or '_', starting with a letter or digit.</summary>
    /// <returns>The value, for fluent use.</returns>
    public static string ValidateRunId(string? value, string field = "runId")
    {
        Require(value, field, MaxRunIdLength, RunIdPattern(), "letters, digits, '-' and '_', starting with a letter or digit",
            "run-2026-11-27");
        return value!;
    }

    /// <summary>Checks a dataset name: 1–64 letters, digits, '-', '_' or '.', starting with a letter or digit, no "..".</summary>
    /// <returns>The value, for fluent use.</returns>
    public static string ValidateDatasetName(string? value, string field = "dataset")
    {
        Require(value, field, MaxDatasetNameLength, SegmentPattern(), "letters, digits, '-', '_' and '.', starting with a letter or digit",
            "voc-2012");
        return value!;
    }

    /// <summary>Checks an image id: 1–128 letters, digits, '-', '_' or '.', starting with a letter or digit, no "..".</summary>
    /// <returns>The value, for fluent use.</returns>
    public static string ValidateImageId(string? value, string field = "imageId")
    {
        Require(value, field, MaxImageIdLength, SegmentPattern(), "letters, digits, '-', '_' and '.', starting with a letter or digit",
            "2007_000032");
        return value!;
    }

    /// <summary>
    /// Checks a relative artifact path such as <c>runs/r1/eval/report.json</c>: segments separated by '/', each one
    /// a valid segment (see <see cref="ValidateImageId"/>), at most 1024 characters in all. A trailing '/' is allowed
    /// when <paramref name="allowTrailingSlash"/> is set (list prefixes).
    /// </summary>
    /// <returns>The value, for fluent use.</returns>
    public static string ValidatePath(string? value, string field = "path", bool allowTrailingSlash = false)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"{field} must not be empty; give a relative path such as 'runs/run-1/eval/result.json'.", field);
        if (value.Length > MaxPathLength)
            throw new ArgumentException($"{field} is {value.Length} characters long; at most {MaxPathLength} are allowed.", field);
        if (value.Contains('\\'))
            throw new ArgumentException($"{field} ('{EchoText.Shorten(value)}') must not contain '\\'; separate folders with '/'.", field);
        if (value.StartsWith('/'))
            throw new ArgumentException($"{field} ('{EchoText.Shorten(value)}') must be relative: remove the leading '/'.", field);
        var body = allowTrailingSlash && value.EndsWith('/') ? value[..^1] : value;
        foreach (var segment in body.Split('/'))
        {
            if (segment.Length == 0)
                throw new ArgumentException($"{field} ('{EchoText.Shorten(value)}') has an empty folder name ('//' or a trailing '/').", field);
            if (segment.Contains(".."))
                throw new ArgumentException($"{field} ('{EchoText.Shorten(value)}') must not contain '..'.", field);
            if (!SegmentPattern().IsMatch(segment))
                throw new ArgumentException(
                    $"{field} ('{EchoText.Shorten(value)}') has the part '{EchoText.Shorten(segment)}' with characters outside letters, digits, '-', '_' and '.' " +
                    "(or one that starts with '.', '-' or '_').", field);
        }
        return value;
    }

    private static void Require(string? value, string field, int maxLength, Regex pattern, string allowed, string example)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"{field} must not be empty; use {allowed} (1-{maxLength} characters), e.g. '{example}'.", field);
        if (value.Length > maxLength)
            throw new ArgumentException($"{field} is {value.Length} characters long; at most {maxLength} are allowed.", field);
        if (value.Contains(".."))
            throw new ArgumentException($"{field} ('{EchoText.Shorten(value)}') must not contain '..'; use {allowed}, e.g. '{example}'.", field);
        if (!pattern.IsMatch(value))
            throw new ArgumentException(
                $"{field} ('{EchoText.Shorten(value)}') may only use {allowed} (1-{maxLength} characters), e.g. '{example}'.", field);
    }

    // Echo at most 80 characters of a hostile value, with control characters made visible, so messages stay readable.
    // \z, not $: $ also matches before a final newline, which would let "run\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();
}
