using Azure.Storage.Blobs;
using MaskContrast.Functions.Hosting;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MaskContrast.Functions.Functions;

/// <summary>
/// The orchestrator and activities of MaskContrast.Orchestration as Functions, under the same <c>nameof</c> names that
/// <c>PipelineTasks.Register</c> uses for the embedded host. Written by hand because the Durable source generator
/// package is not available; each wrapper only creates the class (activities from DI) and runs it.
/// </summary>
public static class PipelineFunctions
{
    /// <summary><see cref="TrainingPipelineOrchestrator"/>.</summary>
    [Function(nameof(TrainingPipelineOrchestrator))]
    public static Task<PipelineResult> RunPipeline([OrchestrationTrigger] TaskOrchestrationContext context)
        => new TrainingPipelineOrchestrator().RunAsync(context, context.GetInput<PipelineInput>()!);

    /// <summary><see cref="ListDatasetImages"/>.</summary>
    [Function(nameof(ListDatasetImages))]
    public static Task<IReadOnlyList<string>> ListImages([ActivityTrigger] ListDatasetImagesInput input, string instanceId, FunctionContext function)
        => Run<ListDatasetImages, ListDatasetImagesInput, IReadOnlyList<string>>(input, instanceId, function);

    /// <summary><see cref="CheckProposals"/>.</summary>
    [Function(nameof(CheckProposals))]
    public static Task<ProposalCheck?> CheckProposals([ActivityTrigger] string runId, string instanceId, FunctionContext function)
        => Run<CheckProposals, string, ProposalCheck?>(runId, instanceId, function);

    /// <summary><see cref="GenerateProposalShard"/>.</summary>
    [Function(nameof(GenerateProposalShard))]
    public static Task<ProposalShardSummary> GenerateShard([ActivityTrigger] GenerateProposalShardInput input, string instanceId, FunctionContext function)
        => Run<GenerateProposalShard, GenerateProposalShardInput, ProposalShardSummary>(input, instanceId, function);

    /// <summary><see cref="FindCompletedEpochs"/>.</summary>
    [Function(nameof(FindCompletedEpochs))]
    public static Task<IReadOnlyList<EpochResult>> FindEpochs([ActivityTrigger] string runId, string instanceId, FunctionContext function)
        => Run<FindCompletedEpochs, string, IReadOnlyList<EpochResult>>(runId, instanceId, function);

    /// <summary><see cref="RunTrainingEpoch"/>.</summary>
    [Function(nameof(RunTrainingEpoch))]
    public static Task<EpochResult> TrainEpoch([ActivityTrigger] RunTrainingEpochInput input, string instanceId, FunctionContext function)
        => Run<RunTrainingEpoch, RunTrainingEpochInput, EpochResult>(input, instanceId, function);

    /// <summary><see cref="StartEpochJob"/> (job mode: an epoch as a Container Apps job execution).</summary>
    [Function(nameof(StartEpochJob))]
    public static Task<EpochJobStarted> StartJob([ActivityTrigger] StartEpochJobInput input, string instanceId, FunctionContext function)
        => Run<StartEpochJob, StartEpochJobInput, EpochJobStarted>(input, instanceId, function);

    /// <summary><see cref="GetEpochJobStatus"/> (job mode).</summary>
    [Function(nameof(GetEpochJobStatus))]
    public static Task<EpochJobStatus> GetJobStatus([ActivityTrigger] GetEpochJobStatusInput input, string instanceId, FunctionContext function)
        => Run<GetEpochJobStatus, GetEpochJobStatusInput, EpochJobStatus>(input, instanceId, function);

    /// <summary><see cref="CountEpochJobAttempts"/> (job mode).</summary>
    [Function(nameof(CountEpochJobAttempts))]
    public static Task<int> CountJobAttempts([ActivityTrigger] CountEpochJobAttemptsInput input, string instanceId, FunctionContext function)
        => Run<CountEpochJobAttempts, CountEpochJobAttemptsInput, int>(input, instanceId, function);

    /// <summary><see cref="StopEpochJob"/> (job mode: a cancelled run or a timed-out attempt).</summary>
    [Function(nameof(StopEpochJob))]
    public static Task<bool> StopJob([ActivityTrigger] StopEpochJobInput input, string instanceId, FunctionContext function)
        => Run<StopEpochJob, StopEpochJobInput, bool>(input, instanceId, function);

    /// <summary>
    /// Job mode's wake-up: a blob written under <c>runs/</c> in the artifact store that is an epoch record
    /// (<c>runs/{id}/checkpoints/epoch-NNNN.json</c>) raises the run's <c>EpochCompleted-{epoch}</c> event; any other blob
    /// is ignored. Without the Event Grid subscription the orchestrator still finds the record by polling.
    /// </summary>
    [Function(nameof(EpochRecordWritten))]
    public static Task EpochRecordWritten(
        [BlobTrigger(ArtifactStoreLocator.DefaultContainer + "/runs/{path}", Source = BlobTriggerSource.EventGrid,
            Connection = FunctionsSettings.HostStorage)] BlobClient blob,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
        => client.RaiseEpochCompletedForArtifactAsync(blob.Name, cancellationToken);

    /// <summary><see cref="EvaluateRun"/>.</summary>
    [Function(nameof(EvaluateRun))]
    public static Task<EvalResult> Evaluate([ActivityTrigger] string runId, string instanceId, FunctionContext function)
        => Run<EvaluateRun, string, EvalResult>(runId, instanceId, function);

    /// <summary><see cref="PublishModel"/>.</summary>
    [Function(nameof(PublishModel))]
    public static Task<ModelLocation> Publish([ActivityTrigger] string runId, string instanceId, FunctionContext function)
        => Run<PublishModel, string, ModelLocation>(runId, instanceId, function);

    private static Task<TOut> Run<TActivity, TIn, TOut>(TIn input, string instanceId, FunctionContext function)
        where TActivity : TaskActivity<TIn, TOut>
        => ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(function.InstanceServices)
            .RunAsync(new FunctionActivityContext(typeof(TActivity).Name, instanceId), input);

    private sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => instanceId;
    }
}
