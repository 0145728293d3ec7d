using System.Globalization;
using System.Text.Json.Serialization;

namespace MaskContrast.Core.Evaluation;

/// <summary>One cluster of the new model matched to the previous model's clusters.</summary>
/// <param name="Label">The cluster's label in the new model (1..K').</param>
/// <param name="PreviousLabel">The previous model's cluster it was assigned to; null when there were fewer previous clusters.</param>
/// <param name="Agreement">Intersection over union of the two clusters on the reference images (<see cref="ClusterOverlap.Agreement"/>), 0–1.</param>
/// <param name="PreviousName">The name of <see cref="PreviousLabel"/> in the previous model, if it had one.</param>
/// <param name="Name">The name this cluster inherited: <see cref="PreviousName"/> unless the match is <see cref="Flagged"/>.</param>
/// <param name="Flagged">Agreement under <see cref="NameCarry.MinAgreement"/>: no good match, the cluster keeps its number.</param>
public sealed record ClusterMatch(int Label, int? PreviousLabel, double Agreement, string? PreviousName, string? Name, bool Flagged);

/// <summary>
/// How a new model's clusters inherited the names of a previous model's (issue 19): both models segment the same
/// reference images, the new clusters are assigned one to one to the previous ones by Hungarian assignment on their
/// agreement, and a cluster inherits the name of the cluster it was assigned to when they agree at least
/// <see cref="MinAgreement"/>. <see cref="Problem"/> says why nothing was carried (an unreadable previous bundle, no names).
/// </summary>
/// <param name="Source">The previous bundle (artifact path or file).</param>
/// <param name="ReferenceImages">Images both models segmented.</param>
/// <param name="MinAgreement">The agreement a match needs to pass a name on.</param>
/// <param name="Clusters">Every cluster of the new model, in label order; empty with a <see cref="Problem"/>.</param>
/// <param name="NotCarried">Names of the previous model that no new cluster inherited (previous label → name).</param>
/// <param name="Problem">Why no names could be carried; null when the matching ran.</param>
public sealed record NameCarry(string Source, int ReferenceImages, double MinAgreement, IReadOnlyList<ClusterMatch> Clusters,
    IReadOnlyDictionary<int, string> NotCarried, string? Problem = null)
{
    /// <summary>
    /// Intersection over union a match needs to pass a name on. Above one half, the two clusters share more pixels than
    /// either shares with any other cluster, so no other assignment could claim the name; below it, the new cluster is
    /// as much something else as the old one, and a user would be misled by the old name.
    /// </summary>
    public const double DefaultMinAgreement = 0.5;

    /// <summary>The run's evaluation file that holds the carry (<c>runs/{id}/eval/cluster-names.json</c>).</summary>
    public const string FileName = "cluster-names.json";

    /// <summary>The inherited names, label → name (what goes into the new bundle).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<int, string> Names => Clusters.Where(c => c.Name is not null).ToDictionary(c => c.Label, c => c.Name!);

    /// <summary>A carry that could not run, saying why.</summary>
    public static NameCarry Failed(string source, string problem) => new(source, 0, DefaultMinAgreement, [], new Dictionary<int, string>(), problem);

    /// <summary>
    /// Assigns the new clusters to the previous ones (Hungarian assignment maximising the total agreement) and passes each
    /// previous name on where the pair agrees at least <paramref name="minAgreement"/>.
    /// </summary>
    public static NameCarry Match(ClusterOverlap overlap, IReadOnlyDictionary<int, string> previousNames, string source, double minAgreement = DefaultMinAgreement)
    {
        var agreement = overlap.Agreement();                        // [K', K]
        int[] assigned = HungarianAssignment.Maximize(agreement);   // [K'] previous cluster index or −1
        var clusters = new List<ClusterMatch>();
        for (int c = 0; c < assigned.Length; c++)
        {
            int? previous = assigned[c] < 0 ? null : assigned[c] + 1;
            double score = previous is { } p ? agreement[c, p - 1] : 0;
            string? previousName = previous is { } q ? previousNames.GetValueOrDefault(q) : null;
            bool flagged = score < minAgreement;
            clusters.Add(new ClusterMatch(c + 1, previous, score, previousName, flagged ? null : previousName, flagged));
        }
        var inherited = clusters.Where(c => c.Name is not null).Select(c => c.PreviousLabel!.Value).ToHashSet();
        var notCarried = previousNames.Where(n => !inherited.Contains(n.Key)).OrderBy(n => n.Key).ToDictionary(n => n.Key, n => n.Value);
        return new NameCarry(source, overlap.Images, minAgreement, clusters, notCarried);
    }

    /// <summary>The carry as lines for a console: one per cluster, with its agreement and a flag where it keeps its number.</summary>
    public IEnumerable<string> Describe()
    {
        if (Problem is not null)
        {
            yield return $"cluster names from {Source}: none carried: {Problem}";
            yield break;
        }
        yield return string.Create(CultureInfo.InvariantCulture,
            $"cluster names from {Source} ({ReferenceImages} reference images; a name passes on at agreement (IoU) >= {MinAgreement:0.00}):");
        foreach (var c in Clusters)
        {
            string was = c.PreviousLabel is { } p ? $"previous {p}" + (c.PreviousName is { } n ? $" '{n}'" : " (no name)") : "no previous cluster";
            string outcome = c.Flagged ? "FLAGGED, no good match: keeps its number" : c.Name is { } name ? $"named '{name}'" : "matched, no name to inherit";
            yield return string.Create(CultureInfo.InvariantCulture, $"  cluster {c.Label} <- {was}, agreement {c.Agreement:0.00}: {outcome}");
        }
        if (NotCarried.Count > 0)
            yield return $"  names not carried: {string.Join(", ", NotCarried.Select(n => $"{n.Key} '{n.Value}'"))}";
    }
}
