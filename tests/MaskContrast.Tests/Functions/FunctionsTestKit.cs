using System.Text;
using Azure.Storage.Blobs;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Evaluation;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Functions;

/// <summary>Azurite containers, HTTP requests and a model bundle for the Functions tests.</summary>
internal static class FunctionsTestKit
{
    /// <summary>Every wait of these tests is bounded by this.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Azurite's blob endpoint (test.sh exports AZURITE_BLOB_CONNECTION; the default ports otherwise).</summary>
    public static string AzuriteConnection
        => Environment.GetEnvironmentVariable("AZURITE_BLOB_CONNECTION") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";

    /// <summary>A fresh, uniquely named container on Azurite (created).</summary>
    public static async Task<BlobContainerClient> NewContainerAsync(string prefix)
    {
        var container = new BlobServiceClient(AzuriteConnection).GetBlobContainerClient($"{prefix}-{Guid.NewGuid():N}");
        await container.CreateIfNotExistsAsync();
        return container;
    }

    /// <summary>
    /// The pipeline behind the API tests: a fresh Azurite container holding the one-file dataset "toy", the fake engine
    /// on it (reporting <paramref name="imageCount"/> images) and the in-process Durable host running the orchestrations.
    /// </summary>
    public static async Task<(IArtifactStore Store, FakePipelineEngine Engine, DurableTaskTestHost Host)> StartToyPipelineAsync(
        string containerPrefix, int imageCount)
    {
        var store = new BlobArtifactStore(await NewContainerAsync(containerPrefix));
        var (engine, host) = await StartToyPipelineAsync(store, imageCount);
        return (store, engine, host);
    }

    /// <summary>The same pipeline on a store the caller chose (e.g. a local folder).</summary>
    public static async Task<(FakePipelineEngine Engine, DurableTaskTestHost Host)> StartToyPipelineAsync(IArtifactStore store, int imageCount)
    {
        await store.WriteBytesAsync(RunLayout.DatasetFile("toy", "images/img_000.png"), Png(8, 8));
        var engine = new FakePipelineEngine(store, imageCount);
        var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register,
            new DurableTaskTestHostOptions { Port = LoopbackPort.Free(), ConfigureServices = services => services.AddPipelineServices(store, engine) });
        return (engine, host);
    }

    /// <summary><c>/api/runs</c> on <paramref name="store"/>: function keys unless <paramref name="access"/> is given, the
    /// handler's own limits unless <paramref name="limits"/> is.</summary>
    public static RunsFunctions Runs(IArtifactStore store, CallerAccess? access = null, RunLimits? limits = null) =>
        new(new StartRunHandler(store, limits: limits), access ?? CallerAccess.KeysOnly, TimeProvider.System, NullLogger<RunsFunctions>.Instance);

    /// <summary><c>/api/models</c> on <paramref name="store"/>: function keys unless <paramref name="access"/> is given.</summary>
    public static ModelsFunctions Models(IArtifactStore store, CallerAccess? access = null)
    {
        var active = new ActiveModelStore(store);
        return new(active, new ClusterNaming(store, active), access ?? CallerAccess.KeysOnly, TimeProvider.System, store,
            NullLogger<ModelsFunctions>.Instance);
    }

    /// <summary>A request as the Functions ASP.NET Core integration hands it to a function.</summary>
    public static HttpRequest Request(string method, string path, string? json = null, byte[]? bytes = null, string? query = null)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        request.Scheme = "https";
        request.Host = new HostString("mc.example.net");
        request.Path = path;
        if (query is not null)
            request.QueryString = new QueryString(query);
        var body = bytes ?? (json is null ? [] : Encoding.UTF8.GetBytes(json));
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;
        request.ContentType = json is null ? "application/octet-stream" : "application/json";
        return request;
    }

    /// <summary>
    /// An untrained <c>tiny</c> model bundled with clusters fitted by the real K-means protocol on synthetic prototypes
    /// (4 object clusters): honest about shapes and formats, meaningless as a segmenter. Its images are all background
    /// unless <paramref name="salient"/>, which makes (nearly) every pixel an object, so that a cluster shows.
    /// </summary>
    public static byte[] TinyBundle(int seed = 1, bool salient = false)
    {
        var config = Presets.Load("tiny");
        manual_seed(seed);
        using var model = new SegmentationModel(config.Model);
        if (salient)
            using (no_grad()) model.SaliencyHead.weight!.fill_(1);   // ReLU features ≥ 0: logits > 0 wherever a feature is on
        using var split = SyntheticSplit.Create(images: 20, objectClasses: 4, dim: config.Model.EmbeddingDim, seed: seed);
        using var prototypes = PrototypeFromEmbedding.Compute(split.Embeddings, split.Logits);
        var clusters = KMeansProtocol.Evaluate(prototypes, split.Masks, split.GroundTruth,
            new ClusteringProtocolOptions(NumClasses: 5, Seeds: [seed], Restarts: 1));
        using var bundle = ModelBundle.Create(model, config, evalSize: 64, clusters, classNames: null, sourceRun: "test", epoch: 0);
        using var buffer = new MemoryStream();
        bundle.Save(buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="bundle"/> as run <paramref name="runId"/>'s published model (bundle + model record).</summary>
    public static async Task<ModelLocation> PublishModelAsync(IArtifactStore store, string runId, byte[] bundle)
    {
        var path = RunLayout.ModelFile(runId, ModelBundle.FileName);
        await store.WriteBytesAsync(path, bundle);
        var location = new ModelLocation(path, (await store.ComputeSha256Async(path))!);
        await store.WriteJsonAsync(RunLayout.ModelRecord(runId), location);
        return location;
    }

    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/> with a bright square on a dark background.</summary>
    public static byte[] Png(int width, int height, int seed = 0)
    {
        var rgb = new byte[width * height * 3];
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inside = x > width / 4 && x < 3 * width / 4 && y > height / 4 && y < 3 * height / 4;
                int i = 3 * (y * width + x);
                rgb[i] = (byte)(inside ? 220 : random.Next(0, 40));
                rgb[i + 1] = (byte)(inside ? 60 + seed % 100 : random.Next(0, 40));
                rgb[i + 2] = (byte)(inside ? 40 : random.Next(0, 40));
            }
        return ImageCodec.EncodePng(new RgbImage(width, height, rgb));
    }
}
