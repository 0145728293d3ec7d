using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Orchestration.Runs;

/// <summary>What asks <see cref="RunStarter"/> for a run: the settings, and optionally the run id and the proposal shard size.</summary>
/// <param name="Settings">What to train.</param>
/// <param name="RunId">The run id; null = a new one (<see cref="RunIds.New"/>). An existing id with the same settings resumes.</param>
/// <param name="ShardSize">Images per proposal shard; null = <see cref="PipelineInput.DefaultShardSize"/>.</param>
public sealed record RunStartRequest(RunSettings Settings, string? RunId = null, int? ShardSize = null);

/// <summary>How a start request ended; HTTP maps it to a status code, the CLI to an exit code.</summary>
public enum RunStartOutcome
{
    /// <summary>A new run was scheduled.</summary>
    Started,
    /// <summary>The run id existed with the same settings and was not running: it was scheduled again and resumes after its last checkpoint.</summary>
    Resumed,
    /// <summary>The run is already running or pending, or another request holds its <see cref="RunStartClaim"/>; nothing was scheduled.</summary>
    AlreadyRunning,
    /// <summary>Some field is invalid (<see cref="RunStartResult.Problems"/>); nothing was written.</summary>
    Invalid,
    /// <summary>The dataset has no files in the store; nothing was written.</summary>
    DatasetMissing,
    /// <summary>The run id exists with other settings; nothing was written.</summary>
    SettingsConflict,
    /// <summary>Every <see cref="RunSlot"/> of <see cref="RunLimits.MaxConcurrentRuns"/> is held; nothing was scheduled and
    /// the start claim was released.</summary>
    TooManyRuns,
}

/// <summary>The answer of <see cref="RunStarter"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="RunId">The run id (null only when the given one is invalid).</param>
/// <param name="Settings">The settings as recorded (epochs filled in), when the request was valid.</param>
/// <param name="Problems">Invalid fields and their messages, keyed by JSON field name; empty unless <see cref="RunStartOutcome.Invalid"/>.</param>
/// <param name="Detail">One sentence for the user on why nothing started; empty when started or resumed.</param>
public sealed record RunStartResult(RunStartOutcome Outcome, string? RunId, RunSettings? Settings,
    IReadOnlyDictionary<string, string[]> Problems, string Detail)
{
    /// <summary>The GPU cost estimate recorded with the run (<see cref="RunLayout.Estimate"/>), when it was scheduled.</summary>
    public GpuCostEstimate? Estimate { get; init; }

    /// <summary>True when the pipeline was scheduled (started or resumed).</summary>
    public bool Scheduled => Outcome is RunStartOutcome.Started or RunStartOutcome.Resumed;
}
