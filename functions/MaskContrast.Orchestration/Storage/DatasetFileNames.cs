using MaskContrast.Core.Config;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// The one rule for the names of a dataset's files, applied alike by the CLI's import (<see cref="DatasetImport"/>), the
/// image listing (<see cref="Activities.ListDatasetImages"/>): a file whose path the store refuses
/// (<see cref="NameValidator.ValidatePath"/>: a space, a non-ASCII letter, "..", a leading '.') or whose name without its
/// extension is not a valid image id (<see cref="NameValidator.ValidateImageId"/>: e.g. over 128 characters) is skipped
/// and reported, so one odd name never fails a run. The blob mirror (<see cref="Engine.LocalMirror"/>) leaves out what the
/// store refuses, before it touches the file system.
/// </summary>
public static class DatasetFileNames
{
    /// <summary>How many skipped names a report quotes; the run's <see cref="RunLayout.SkippedFiles"/> record has all of them.</summary>
    public const int MaxQuoted = 20;

    /// <summary>Whether dataset file <paramref name="relativePath"/> (a path under <c>datasets/{dataset}/</c>) has a name the
    /// store accepts and, without its extension, a valid image id.</summary>
    public static bool IsUsablePath(string dataset, string relativePath)
        => Accepts(() => NameValidator.ValidatePath(RunLayout.Dataset(dataset) + relativePath))
           && IsUsableImageId(Path.GetFileNameWithoutExtension(relativePath));

    /// <summary>Whether <paramref name="path"/> (a whole artifact path, as a store lists it) is a name the store accepts.</summary>
    public static bool IsUsableArtifactPath(string path) => Accepts(() => NameValidator.ValidatePath(path));

    /// <summary>Whether <paramref name="id"/> may name an image's proposal and outputs.</summary>
    public static bool IsUsableImageId(string id) => Accepts(() => NameValidator.ValidateImageId(id));

    /// <summary>
    /// The names a report quotes: at most <see cref="MaxQuoted"/>, each shortened (<see cref="EchoText.Shorten"/>), then
    /// "… and N more" when there are more.
    /// </summary>
    public static IReadOnlyList<string> Quoted(IReadOnlyList<string> skipped)
    {
        var quoted = skipped.Take(MaxQuoted).Select(EchoText.Shorten).ToList();
        if (skipped.Count > MaxQuoted)
            quoted.Add($"... and {skipped.Count - MaxQuoted} more");
        return quoted;
    }

    /// <summary>One line for a log or the CLI: how many files were skipped, which (quoted), and the rule they broke.</summary>
    public static string Summary(IReadOnlyList<string> skipped) =>
        $"skipped {skipped.Count} dataset file(s) whose names the store refuses: {string.Join(", ", Quoted(skipped).Select(n => $"'{n}'"))}. " +
        "Names may use letters, digits, '-', '_' and '.' (image ids at most 128 characters, no '..', no leading '.'); rename them to include them.";

    private static bool Accepts(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
