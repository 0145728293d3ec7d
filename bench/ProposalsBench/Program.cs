using MaskContrast.Bench.Proposals;

// Usage: ProposalsBench quality [<VOC-layout dir> [split]]   MB+ vs FT on the synthetic set (and the given set)
//        ProposalsBench throughput [images]                   end-to-end images/s on 500×375 JPEGs, 1 vs all cores
//        ProposalsBench stages                                ms per MB+ step on one 500×375 image
//        ProposalsBench sheet [file.png]                      image | truth | MB+ map | proposal, 8 synthetic images
//        ProposalsBench vote [<VOC-layout dir> ...]           MB+ with and without the cluster vote (both families, fresh seeds)
//        ProposalsBench vote-bound <VOC-layout dir>           what masks from frozen ImageNet cell features could reach (chosen with the truth)
var mode = args.Length > 0 ? args[0] : "all";
if (mode == "stages")
    StageProfile.Run();
if (mode == "sheet")
    ContactSheet.Run(args.Length > 1 ? args[1] : "proposals-sheet.png");
if (mode == "vote-bound")
    VoteBound.Run(args[1]);
if (mode == "vote")
    VoteBench.Run(args[1..]);
if (mode is "quality" or "all")
    QualityBench.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2] : null);
if (mode is "throughput" or "all")
    ThroughputBench.Run(args.Length > 1 && mode == "throughput" ? int.Parse(args[1]) : 400);
return 0;
