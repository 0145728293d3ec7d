using System.Collections.Concurrent;
using System.Text;
using MaskContrast.Core;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Saliency;
using MaskContrast.Core.Training;
using MaskContrast.Orchestration.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// The ML steps of the pipeline on core/ (TorchSharp): proposals with MB+ checked against the dataset's ImageNet
/// feature clusters (or plain MB+, FT, or the dataset's masks), one training epoch
/// from the previous checkpoint, the K-means evaluation with its report, and the model bundle. Everything is read from
/// and written to the artifact store; local folders are only a cache (<see cref="LocalMirror"/>).
/// </summary>
public sealed class CorePipelineEngine(IArtifactStore store, string? cacheFolder = null, ILogger<CorePipelineEngine>? logger = null)
    : IPipelineEngine, IDisposable
{
    private readonly LocalMirror _mirror = new(store, cacheFolder ?? Path.Combine(Path.GetTempPath(), "maskcontrast-cache"));
    private readonly ILogger _log = logger ?? NullLogger<CorePipelineEngine>.Instance;
    // Each run's decoded training images (up to the streaming cache budget) stay in memory between its epochs in this process.
    private readonly ConcurrentDictionary<string, TrainingSet> _trainingSets = new();
    // One ImageNet network (64 MB file) for every proposal check and shard in this process, loaded when first needed:
    // one per shard made the proposal stage of a VOC-sized run load it 112 times (bench/README.md, "Training input and memory").
    private readonly Lazy<ImageNetFeatureGrid> _grid = new(() => new ImageNetFeatureGrid());

    /// <summary>How training images stream: <see cref="StreamingOptions.FromEnvironment"/> unless told.</summary>
    public StreamingOptions Streaming { get; init; } = StreamingOptions.FromEnvironment();

    /// <summary>The device epochs train on (CUDA when available).</summary>
    public torch.Device Device { get; init; } = MaskContrast.Core.TorchRuntime.DefaultDevice;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListImagesAsync(string dataset, CancellationToken cancellationToken = default)
    {
        var ids = (await OpenDatasetAsync(dataset, cancellationToken)).Ids;
        if (ids.Count == 0) throw new NonRetryablePipelineException($"dataset '{dataset}' has no images under {RunLayout.Dataset(dataset)}");
        return ids;
    }

    /// <inheritdoc/>
    public async Task<ProposalCheck?> CheckProposalsAsync(string runId, CancellationToken cancellationToken = default)
    {
        var (settings, _) = await RecordedRunAsync(runId, cancellationToken);
        if (settings.Proposals != ProposalSource.MbPlusClusters) return null;
        var vote = await store.ReadJsonAsync<ClusterVote>(RunLayout.ProposalClusterVote(runId), cancellationToken);
        if (vote is null)
        {
            var (data, ids) = await RunImagesAsync(runId, settings, cancellationToken);
            vote = await Task.Run(() => ClusterVote.Fit(data, ids, new MbPlusSaliency(), _grid.Value, cancellationToken: cancellationToken), cancellationToken);
            await store.WriteJsonAsync(RunLayout.ProposalClusterVote(runId), vote, cancellationToken);
        }
        _log.LogInformation("Run {RunId}: {Check}", runId, vote.Summary);
        return new ProposalCheck(vote.UseVote, vote.Disagreement, vote.Summary.ToString());
    }

    /// <inheritdoc/>
    public async Task<ProposalShardSummary> GenerateProposalsShardAsync(string runId, ProposalShard shard, CancellationToken cancellationToken = default)
    {
        var (settings, _) = await RecordedRunAsync(runId, cancellationToken);
        var shardData = new SubsetDataset(await OpenDatasetAsync(settings.Dataset, cancellationToken), shard.ImageIds);
        var skipped = new List<string>();
        int written = 0;
        if (settings.Proposals == ProposalSource.Dataset)
        {
            foreach (var id in shard.ImageIds)
            {
                var mask = shardData.LoadMask(id);
                if (mask is null) { skipped.Add(id); continue; }
                await store.WriteBytesAsync(RunLayout.ProposalMask(runId, id), ImageCodec.EncodeGrayPng(MaskFile.To255(mask)), cancellationToken);
                written++;
            }
            return new ProposalShardSummary(shard.Index, shard.ImageIds.Count, written, skipped);
        }
        string temp = Directory.CreateTempSubdirectory("mc-proposals-").FullName;
        try
        {
            var options = await ProposalOptionsAsync(runId, settings.Proposals, cancellationToken);
            // Loaded only when the shard uses it: a vote that keeps MB+ (most datasets) needs no network at all.
            var grid = options.NeedsImageNetFeatures ? _grid.Value : null;
            var summary = new ProposalGenerator(options, grid).Run(shardData, temp, cancellationToken: cancellationToken);
            foreach (var id in summary.Kept)
            {
                await store.WriteBytesAsync(RunLayout.ProposalMask(runId, id), await File.ReadAllBytesAsync(Path.Combine(temp, id + ".png"), cancellationToken), cancellationToken);
                written++;
            }
            skipped.AddRange(summary.Dropped.Select(d => d.Id));
        }
        finally { Directory.Delete(temp, recursive: true); }
        _log.LogInformation("Run {RunId} proposal shard {Shard}: {Written} masks, {Skipped} skipped", runId, shard.Index, written, skipped.Count);
        return new ProposalShardSummary(shard.Index, shard.ImageIds.Count, written, skipped);
    }

    /// <inheritdoc/>
    public async Task<EpochResult> TrainEpochAsync(string runId, int epoch, CancellationToken cancellationToken = default)
    {
        if (await UnrecordedCheckpointAsync(runId, epoch, cancellationToken) is { } adopted)
            return adopted;
        var (settings, config) = await RecordedRunAsync(runId, cancellationToken);
        using var trainer = epoch == 1
            ? new Trainer(config, Device, settings.Weights is null ? null : await LocalFileAsync(settings.Weights, cancellationToken))
            : await LoadCheckpointAsync(runId, epoch - 1, config, cancellationToken);
        if (trainer.CompletedEpochs != epoch - 1)
            throw new NonRetryablePipelineException($"checkpoint of epoch {epoch - 1} of run {runId} says it finished epoch {trainer.CompletedEpochs}");
        var set = await TrainingSetAsync(runId, settings, cancellationToken);
        var metrics = await Task.Run(() => trainer.TrainEpoch(set, cancellationToken: cancellationToken), cancellationToken);
        await using (var buffer = TemporaryFile.Create())
        {
            Checkpoint.Save(trainer, buffer);
            buffer.Position = 0;
            // Create-only: when another execution of this epoch wrote its checkpoint first, that one is kept and this
            // attempt fails (ArtifactConflictException, transient); the retry adopts or finds the winner's epoch.
            await store.CreateAsync(RunLayout.Checkpoint(runId, epoch), buffer, cancellationToken);
        }
        _log.LogInformation("Run {RunId} epoch {Epoch}: loss {Loss:F4} contrastive {Contrastive:F4} saliency {Saliency:F4} in {Seconds:F0} s",
            runId, epoch, metrics.Loss, metrics.Contrastive, metrics.Saliency, metrics.Seconds);
        return new EpochResult(epoch, metrics.Loss, metrics.Contrastive, metrics.Saliency, metrics.Seconds);
    }

    /// <inheritdoc/>
    public async Task<EvalResult> EvaluateAsync(string runId, CancellationToken cancellationToken = default)
    {
        var (settings, config) = await RecordedRunAsync(runId, cancellationToken);
        var epochs = await EpochRecords.ListAsync(store, runId, cancellationToken);
        if (epochs.Count == 0) throw new NonRetryablePipelineException($"run {runId} has no finished epoch to evaluate");
        int epoch = epochs[^1].Epoch;
        // The run's training is over: its decoded images (up to the streaming cache's budget) are not kept through the evaluation.
        _trainingSets.TryRemove(runId, out _);
        using var trainer = await LoadCheckpointAsync(runId, epoch, config, cancellationToken);
        string root = await _mirror.FolderAsync(RunLayout.Dataset(settings.Dataset), cancellationToken);
        bool labelled = DatasetFolder.HasLabelledSplit(root, "val");
        var split = labelled ? DatasetFolder.Open(root, "val") : DatasetFolder.Open(root, "train");
        int size = settings.InferenceSizeFor(config);
        var options = new EvaluationOptions(Size: size, NumClasses: labelled ? null : settings.Clusters + 1, AutoClusters: !labelled && settings.Clusters is null);
        // Embedded once: the K-means protocol and the retrieval queries read the same outputs.
        using var outputs = await Task.Run(() => ModelEvaluation.Embed(trainer.Model.Query, split, options, cancellationToken: cancellationToken), cancellationToken);
        var (report, bundle, samples) = await Task.Run(() => ModelEvaluation.Evaluate(outputs, trainer.Model.Query, config, split, options,
            sourceRun: runId, epoch: epoch, cancellationToken: cancellationToken), cancellationToken);
        string[]? classNames = labelled ? DatasetFolder.ClassNames(root, report.NumClasses) : null;
        if (classNames is not null) bundle = bundle.WithClassNames(classNames);
        bundle = bundle.WithDataset(settings.Dataset, await TrainingImagesFingerprintAsync(runId, settings, cancellationToken));
        ExtraProtocolScores? extras = null;
        if (labelled && (settings.LinearProbeEpochs > 0 || settings.Retrieval))
            extras = await Task.Run(() => ExtraProtocols.Run(trainer.Model.Query, DatasetFolder.Open(root, "train"), split, outputs,
                size, report.NumClasses, settings.LinearProbeEpochs, settings.Retrieval, cancellationToken), cancellationToken);
        using (bundle)
        {
            var carry = settings.NamesFrom is { } namesFrom
                ? await CarryNamesAsync(runId, namesFrom, bundle, split, cancellationToken)
                : null;
            string note = labelled
                ? $"Run {runId}, epoch {epoch}, evaluated on the val split of '{settings.Dataset}'."
                : $"Run {runId}, epoch {epoch}: '{settings.Dataset}' has no labelled val split, so clusters were fitted on its images and no mIoU is meaningful.";
            string temp = Directory.CreateTempSubdirectory("mc-eval-").FullName;
            try
            {
                var doc = new EvaluationDocument(report, [.. trainer.History], classNames, note, extras, Names: carry);
                var files = ReportWriter.Write(temp, doc, samples.Images, samples.Truth, samples.Prediction, samples.Sheets);
                bundle.SaveFile(Path.Combine(temp, ModelBundle.FileName));
                foreach (var file in files.Append(ModelBundle.FileName))
                    await store.WriteBytesAsync(RunLayout.EvalFile(runId, file), await File.ReadAllBytesAsync(Path.Combine(temp, file), cancellationToken), cancellationToken);
                if (carry is not null)
                {
                    await store.WriteJsonAsync(RunLayout.EvalFile(runId, NameCarry.FileName), carry, cancellationToken);
                    if (carry.Names.Count > 0)
                    {
                        using var named = bundle.WithClusterNames(carry.Names);
                        await store.WriteBytesAsync(RunLayout.NamedEvalBundle(runId), named.ToBytes(), cancellationToken);
                    }
                }
            }
            finally { Directory.Delete(temp, recursive: true); }
        }
        string choice = ClusterChoice(report, labelled);
        _log.LogInformation("Run {RunId}: {ClusterChoice}", runId, choice);
        return labelled
            ? new EvalResult(report.Headline.MeanIoU, report.NumClasses, RunLayout.EvalFile(runId, "report.html"), report.Chance.MeanIoU, report.PerImageCeiling, choice)
            : new EvalResult(0, report.NumClasses, RunLayout.EvalFile(runId, "report.html"), ClusterChoice: choice);
    }

    // Where K came from, with the sweep's reason: what `run` prints and the pipeline result carries.
    private static string ClusterChoice(ClusteringReport report, bool labelled)
    {
        int k = report.NumClasses - 1;
        var sweep = report.Sweep!;
        string pick = sweep.Chosen is { } chosen ? $"the K sweep picks {chosen} ({sweep.Reason})" : $"the K sweep could not pick: {sweep.Reason}";
        return report.AutoClusters ? $"K = {k} chosen by the K sweep: {sweep.Reason}"
            : labelled ? $"K = {k} (the labels' classes − 1); label-free, {pick}"
            : $"K = {k} as asked; {pick}";
    }

    /// <inheritdoc/>
    public async Task<ModelLocation> PublishModelAsync(string runId, CancellationToken cancellationToken = default)
    {
        var bytes = await store.ReadBytesAsync(RunLayout.EvalFile(runId, ModelBundle.FileName), cancellationToken)
            ?? throw new NonRetryablePipelineException($"run {runId} has no evaluated model bundle to publish; the evaluation step must run first");
        // Named by its hash and written once: a re-publish of the same (byte-stable) bundle is a no-op, and a published
        // path never changes content under the receipts that name it. The run's model record (model.json) points at it.
        var published = await PublishBundleAsync(runId, bytes, cancellationToken);
        // With inherited cluster names, the named version (as `name` would write it) becomes the run's model; the unnamed
        // one stays beside it.
        return await store.ReadBytesAsync(RunLayout.NamedEvalBundle(runId), cancellationToken) is { } named
            ? await PublishBundleAsync(runId, named, cancellationToken)
            : published;
    }

    private async Task<ModelLocation> PublishBundleAsync(string runId, byte[] bytes, CancellationToken cancellationToken)
    {
        string sha256 = ArtifactStoreExtensions.Sha256Of(bytes);
        string path = RunLayout.PublishedBundle(runId, sha256);
        await store.CreateBytesAsync(path, bytes, cancellationToken);
        return new ModelLocation(path, sha256);
    }

    // The new model's clusters matched to those of the bundle at `source` on reference images of the evaluation split. A
    // missing or unreadable bundle does not fail the run: the carry says why no names were passed on, and the model is
    // published without them.
    private async Task<NameCarry> CarryNamesAsync(string runId, string source, ModelBundle current, IImageDataset split, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadBytesAsync(source, cancellationToken);
        if (bytes is null)
            return Unreadable($"{source} does not exist");
        ModelBundle previous;
        try { previous = ModelBundle.Load(new MemoryStream(bytes, writable: false), source); }
        catch (Exception e) when (e is not OperationCanceledException) { return Unreadable($"{source} is not a readable model bundle ({e.Message})"); }
        using (previous)
        {
            var carry = await Task.Run(() => NameCarrier.Carry(previous, source, current, split, NameCarrier.ReferenceIds(split.Ids), cancellationToken), cancellationToken);
            _log.LogInformation("Run {RunId}: {Carried} cluster names carried from {Source}, {Flagged} clusters flagged", runId,
                carry.Names.Count, source, carry.Clusters.Count(c => c.Flagged));
            return carry;
        }

        NameCarry Unreadable(string problem)
        {
            _log.LogWarning("Run {RunId}: no cluster names carried: {Problem}", runId, problem);
            return NameCarry.Failed(source, problem);
        }
    }

    // The run's dataset and the image ids frozen at its start (ListDatasetImages), or all of them before that list exists.
    private async Task<(IImageDataset Data, IReadOnlyList<string> Ids)> RunImagesAsync(string runId, RunSettings settings, CancellationToken cancellationToken)
    {
        var data = await OpenDatasetAsync(settings.Dataset, cancellationToken);
        return (data, await store.ReadJsonAsync<List<string>>(RunLayout.ImageList(runId), cancellationToken) ?? [.. data.Ids]);
    }

    // The fingerprint of the images the run trained on (its frozen image list), recorded in the model bundle.
    private async Task<string> TrainingImagesFingerprintAsync(string runId, RunSettings settings, CancellationToken cancellationToken)
    {
        var (data, ids) = await RunImagesAsync(runId, settings, cancellationToken);
        return data is IImageFiles files
            ? await Task.Run(() => DatasetFingerprint.Of(files, ids), cancellationToken)
            : throw new NonRetryablePipelineException($"dataset '{settings.Dataset}' is not made of image files; its fingerprint cannot be taken");
    }

    // The generator's settings for a shard; mbplus-clusters shards all use the check fitted on the whole dataset.
    private async Task<ProposalOptions> ProposalOptionsAsync(string runId, ProposalSource source, CancellationToken cancellationToken) => source switch
    {
        ProposalSource.Ft => new ProposalOptions(ProposalMethod.Ft),
        ProposalSource.MbPlus => new ProposalOptions(ProposalMethod.MbPlus),
        ProposalSource.MbPlusClusters => new ProposalOptions(ProposalMethod.MbPlusClusters, Vote: await store.ReadJsonAsync<ClusterVote>(RunLayout.ProposalClusterVote(runId), cancellationToken)
            ?? throw new NonRetryablePipelineException($"run {runId} has no {RunLayout.ProposalClusterVote(runId)}; the proposal check must run before the shards")),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "no generator for these proposals"),
    };

    // What RunStarter recorded: the settings and the training configuration resolved from them when the run started.
    private async Task<(RunSettings Settings, TrainingConfig Config)> RecordedRunAsync(string runId, CancellationToken cancellationToken)
    {
        var settings = await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(runId), cancellationToken);
        var json = await store.ReadBytesAsync(RunLayout.Config(runId), cancellationToken);
        if (settings is null || json is null)
            throw new NonRetryablePipelineException($"run {runId} has no {RunLayout.Settings(runId)} and {RunLayout.Config(runId)}; start runs with `maskcontrast run` or POST /api/runs");
        try { return (settings, Presets.FromJson(Encoding.UTF8.GetString(json))); }
        catch (ArgumentException e) { throw new NonRetryablePipelineException($"run {runId} has an invalid {RunLayout.Config(runId)}: {e.Message}", e); }
    }

    private async Task<IImageDataset> OpenDatasetAsync(string dataset, CancellationToken cancellationToken)
    {
        string root = await _mirror.FolderAsync(RunLayout.Dataset(dataset), cancellationToken);
        try { return DatasetFolder.Open(root, "train"); }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidDataException)
        {
            throw new NonRetryablePipelineException($"dataset '{dataset}': {e.Message}", e);
        }
    }

    private async Task<TrainingSet> TrainingSetAsync(string runId, RunSettings settings, CancellationToken cancellationToken)
    {
        if (_trainingSets.TryGetValue(runId, out var cached)) return cached;
        var images = await OpenDatasetAsync(settings.Dataset, cancellationToken);
        string masks = await _mirror.FolderAsync(RunLayout.ProposalMasks(runId), cancellationToken);
        TrainingSet set;
        try { set = new TrainingSet(new ProposalMaskDataset(images, masks), streaming: Streaming); }
        catch (InvalidDataException e) { throw new NonRetryablePipelineException($"run {runId}: {e.Message}", e); }   // no usable image: a retry cannot help
        return _trainingSets.GetOrAdd(runId, set);
    }

    // Loads only the bytes the epoch record (and latest) hashed: a checkpoint replaced afterwards is refused.
    private async Task<Trainer> LoadCheckpointAsync(string runId, int epoch, TrainingConfig config, CancellationToken cancellationToken)
    {
        string path = RunLayout.Checkpoint(runId, epoch);
        await using var verified = await EpochRecords.ReadVerifiedCheckpointAsync(store, runId, epoch, cancellationToken)
            ?? throw new NonRetryablePipelineException($"checkpoint {path} is missing; train epoch {epoch} again");
        try { return Checkpoint.Load(verified, path, config, Device); }
        catch (InvalidDataException e) { throw new NonRetryablePipelineException(e.Message, e); }
    }

    // A checkpoint of this epoch without a record: an execution crashed (or lost a race) between writing it and recording
    // the epoch. Checkpoints are create-only, so training again could never replace it; its own metrics are returned
    // instead, once its trailer hash has been checked.
    private async Task<EpochResult?> UnrecordedCheckpointAsync(string runId, int epoch, CancellationToken cancellationToken)
    {
        string path = RunLayout.Checkpoint(runId, epoch);
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        if (stream is null) return null;
        CheckpointHeader header;
        try { header = Checkpoint.ReadHeader(stream, path); }
        catch (InvalidDataException e) { throw new NonRetryablePipelineException($"{e.Message} (left by an earlier attempt of epoch {epoch})", e); }
        if (header.Epoch != epoch || header.History.Length == 0)
            throw new NonRetryablePipelineException($"checkpoint {path} says it finished epoch {header.Epoch}, not {epoch}");
        var metrics = header.History[^1];
        _log.LogInformation("Run {RunId} epoch {Epoch}: its checkpoint exists without a record; recording it instead of training again", runId, epoch);
        return new EpochResult(epoch, metrics.Loss, metrics.Contrastive, metrics.Saliency, metrics.Seconds);
    }

    private async Task<string> LocalFileAsync(string artifactPath, CancellationToken cancellationToken)
    {
        string folder = await _mirror.FolderAsync(Path.GetDirectoryName(artifactPath)!.Replace('\\', '/') + "/", cancellationToken);
        return Path.Combine(folder, Path.GetFileName(artifactPath));
    }

    /// <summary>Frees the cached training images and the proposals' ImageNet network.</summary>
    public void Dispose()
    {
        _trainingSets.Clear();
        if (_grid.IsValueCreated) _grid.Value.Dispose();
    }
}
