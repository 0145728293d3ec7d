using System.Diagnostics;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Bench.Proposals;

/// <summary>
/// MB+ proposals with and without the dataset-level cluster vote on synthetic sets of both families (or a given
/// VOC-layout set): the vote's disagreement and decision, and the mean IoU of the written masks with the true foreground.
/// </summary>
internal static class VoteBench
{
    public static void Run(string[] sets)
    {
        Console.WriteLine($"{"set",-28} {"images",6} {"disagree",8} {"vote",5} {"MB+ IoU",8} {"voted IoU",9} {"fit s",6} {"write s",7}");
        if (sets.Length == 0)
        {
            foreach (var family in new[] { SyntheticFamily.Shapes, SyntheticFamily.Clutter })
                foreach (int seed in new[] { 21, 22 })
                {
                    var root = Path.Combine(Path.GetTempPath(), $"mc-vote-bench-{family}-{seed}");
                    if (!File.Exists(Path.Combine(root, "ImageSets", "Segmentation", "val.txt")))
                        SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: 0, ValCount: 150, Seed: seed, Family: family));
                    Report($"{family} seed {seed} val", new VocDataset(root, "val"));
                }
            return;
        }
        foreach (var root in sets)
            Report(root, new VocDataset(root, "val"));
    }

    static void Report(string title, VocDataset data)
    {
        var watch = Stopwatch.StartNew();
        ClusterVote vote;
        using (var grid = new ImageNetFeatureGrid())
            vote = ClusterVote.Fit(data, data.Ids, new MbPlusSaliency(), grid);
        double fit = watch.Elapsed.TotalSeconds;
        double plain = MeanIoU(data, new ProposalOptions(ProposalMethod.MbPlus));
        watch.Restart();
        double voted = MeanIoU(data, new ProposalOptions(Vote: vote with { UseVote = true }));
        Console.WriteLine($"{title,-28} {data.Ids.Count,6} {vote.Disagreement,8:F3} {(vote.UseVote ? "yes" : "no"),5} {plain,8:F3} {voted,9:F3} {fit,6:F1} {watch.Elapsed.TotalSeconds,7:F1}");
    }

    static double MeanIoU(VocDataset data, ProposalOptions options)
    {
        var folder = Directory.CreateTempSubdirectory("mc-vote-bench-").FullName;
        try
        {
            new ProposalGenerator(options).Run(data, folder);
            return data.Ids.Average(id =>
            {
                var truth = SaliencyEvaluation.GroundTruth(data, id)!;
                var path = Path.Combine(folder, id + ".png");
                if (!File.Exists(path)) return 0;
                return SaliencyMetrics.IoU(MaskFile.LoadBinary(path, truth.Width, truth.Height), truth);
            });
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
