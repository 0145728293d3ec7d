namespace MaskContrast.Orchestration.Runs;

/// <summary>What <see cref="RunStartClaim.TakeAsync"/> found: this request's claim, or the one that holds the run off.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Generation">The claim's generation (<see cref="RunStartClaim.GenerationOf"/>).</param>
/// <param name="Attempt">The claim's attempt within the generation (from 1).</param>
/// <param name="Claim">The claim.</param>
/// <param name="Ours">True when this request created it: it must schedule the run or release the claim.</param>
public sealed record RunStartClaimResult(string RunId, string Generation, int Attempt, RunStartClaim Claim, bool Ours);
