using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>What the network says about every image of a split at the evaluation size S.</summary>
/// <param name="Ids">Image ids in order.</param>
/// <param name="Prototypes">[N, D] float32 image prototypes (<see cref="PrototypeFromEmbedding"/>).</param>
/// <param name="PredictedMasks">Saliency logit &gt; 0.5, S×S, 0/1 (made from <paramref name="Objects"/> on each access).</param>
/// <param name="TrueMasks">Ground-truth foreground (class ∉ {0, 255}), S×S, 0/1 (made from the class map on each access).</param>
/// <param name="GroundTruth">Class maps resized with nearest neighbour to S×S (the official "online" variant); all 255 for unlabelled images.</param>
/// <param name="Colours">The resized RGB images (for the raw-colour baseline), read from the dataset again on each access.</param>
/// <param name="Embeddings">Per image [D, S, S] pixel embeddings, kept only for the pixel-clustering variant (else empty).</param>
/// <param name="TrueForegroundPrototypes">[N, D] normalised mean embedding over the true foreground: the representation
/// judged without the saliency head (zero for unlabelled images).</param>
/// <param name="Saliency">The saliency logits against the true foreground, for the foreground IoU at other thresholds.</param>
/// <param name="Objects">Per image the objects of its predicted mask (<see cref="ObjectSegments"/>).</param>
/// <param name="ObjectPrototypes">[M, D] one prototype per object, image by image.</param>
public sealed record SplitOutputs(IReadOnlyList<string> Ids, Tensor Prototypes, IReadOnlyList<ByteRaster> PredictedMasks,
    IReadOnlyList<ByteRaster> TrueMasks, IReadOnlyList<ByteRaster> GroundTruth, IReadOnlyList<RgbImage> Colours,
    IReadOnlyList<Tensor> Embeddings, Tensor TrueForegroundPrototypes, SaliencyCalibration Saliency,
    IReadOnlyList<ObjectSegments> Objects, Tensor ObjectPrototypes) : IDisposable
{
    /// <summary>Throws unless these outputs cover <paramref name="split"/> at <paramref name="size"/>² (embeddings kept when asked).</summary>
    public void RequireComputedOn(IImageDataset split, int size, bool withEmbeddings = false)
    {
        if (Ids.Count != split.Ids.Count || GroundTruth[0].Width != size || (withEmbeddings && Embeddings.Count == 0))
            throw new ArgumentException($"the outputs were not computed on this split at {size}×{size}" +
                (withEmbeddings ? " with embeddings kept" : "") + "; compute them with ModelEvaluation.Embed");
    }

    public void Dispose()
    {
        Prototypes.Dispose();
        TrueForegroundPrototypes.Dispose();
        ObjectPrototypes.Dispose();
        foreach (var e in Embeddings) e.Dispose();
    }
}

/// <summary>Runs a model over a labelled split in evaluation mode, one batch at a time under its own dispose scope.</summary>
public static class SplitInference
{
    /// <param name="keepEmbeddings">Keep every image's [D, S, S] embedding (pixel clustering; D·S² floats per image).</param>
    /// <param name="sameSplit">Another network's outputs on this split at this size: their ground truth, true masks and
    /// colours are shared, not read and kept a second time (the untrained baseline; at VOC scale they are most of the memory).</param>
    public static SplitOutputs Run(SegmentationModel model, IImageDataset dataset, int size, int batchSize = 8,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default, bool keepEmbeddings = false,
        SplitOutputs? sameSplit = null)
    {
        var ids = dataset.Ids;
        if (ids.Count == 0) throw new InvalidDataException("the evaluation split is empty");
        sameSplit?.RequireComputedOn(dataset, size);
        var device = model.parameters().First().device;
        model.eval();
        var prototypes = new List<Tensor>();
        var truePrototypes = new List<Tensor>();
        var gt = new List<ByteRaster>();
        var classMaps = sameSplit?.GroundTruth ?? gt;   // filled batch by batch below unless shared
        var embeddings = new List<Tensor>();
        var objects = new List<ObjectSegments>();
        var objectPrototypes = new List<Tensor>();
        var calibration = new SaliencyCalibration();
        for (int start = 0; start < ids.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batchIds = ids.Skip(start).Take(batchSize).ToList();
            var inputs = new List<Tensor>();
            foreach (var id in batchIds)
            {
                var image = dataset.LoadImage(id);
                inputs.Add(ImageTensors.FixedResize(image, size));
                if (sameSplit is not null) continue;
                // Without ground truth every pixel is "ignore": clusters are still fitted, mIoU is meaningless (and 0).
                var labels = dataset.LoadLabels(id) ?? new ByteRaster(image.Width, image.Height, Enumerable.Repeat(SegmentationMeter.IgnoreIndex, image.PixelCount).ToArray());
                gt.Add(NearestResize.Resize(labels, size, size));
            }
            using (no_grad())
            {
                using var output = model.forward(stack(inputs).to(device));
                prototypes.Add(PrototypeFromEmbedding.Compute(output.Embeddings, output.SaliencyLogits).cpu().MoveToOuterDisposeScope());
                // The true mask as a 0/1 "logit": weight 1 on every true-foreground pixel, i.e. their plain (normalised) sum.
                var fg = stack(Enumerable.Range(start, batchIds.Count)
                    .Select(i => tensor(TrueMask(classMaps[i]).Values, [size, size], dtype: uint8).to_type(float32))).to(device);   // [B, S, S]
                truePrototypes.Add(PrototypeFromEmbedding.Compute(output.Embeddings, fg).cpu().MoveToOuterDisposeScope());
                calibration.Add(output.SaliencyLogits, fg);
                for (int i = 0; i < batchIds.Count; i++)
                {
                    var salient = PrototypeFromEmbedding.SalientMask(output.SaliencyLogits[i].cpu());
                    var found = ObjectSegments.Find(salient);
                    objects.Add(found);
                    objectPrototypes.Add(found.Prototypes(output.Embeddings[i], output.SaliencyLogits[i]).MoveToOuterDisposeScope());
                    if (keepEmbeddings) embeddings.Add(output.Embeddings[i].cpu().MoveToOuterDisposeScope());
                }
            }
            progress?.Report(Math.Min(ids.Count, start + batchSize));
            // Each batch's activations are freed on libtorch's threads, and glibc keeps them in its arenas: over the 1,449
            // images of a VOC val split at 288² that grew by more than a gigabyte per pass (bench/README.md). A trim took about
            // 26 ms against 880 ms for the forward pass of a batch of 8 at 288² (default recipe, 2 cores).
            NativeHeap.Trim();
        }
        var all = cat(prototypes, 0);
        var allTrue = cat(truePrototypes, 0);
        var allObjects = cat(objectPrototypes, 0);
        foreach (var p in prototypes.Concat(truePrototypes).Concat(objectPrototypes)) p.Dispose();
        // Kept per image: the class map and the object map. The masks follow from them and the colours are read again
        // when asked for (the raw-colour baseline, samples, contact sheets): 0.41 MB less per image at 288².
        var predicted = new DerivedList<ByteRaster>(objects.Count, i => objects[i].SalientMask());
        var trueMasks = sameSplit?.TrueMasks ?? new DerivedList<ByteRaster>(classMaps.Count, i => TrueMask(classMaps[i]));
        var colours = sameSplit?.Colours ?? new DerivedList<RgbImage>(ids.Count, i => Resize(dataset.LoadImage(ids[i]), size));
        return new SplitOutputs(ids, all, predicted, trueMasks, classMaps, colours, embeddings, allTrue, calibration, objects, allObjects);
    }

    /// <summary>The ground-truth foreground of a class map: every class but background (0) and ignore (255).</summary>
    static ByteRaster TrueMask(ByteRaster classMap) =>
        new(classMap.Width, classMap.Height, classMap.Values.Select(v => v is > 0 and < 255 ? (byte)1 : (byte)0).ToArray());

    static RgbImage Resize(RgbImage image, int size)
    {
        using var scope = NewDisposeScope();
        var x = Training.TrainingSet.ToTensor(image).to_type(float32).unsqueeze(0);
        x = nn.functional.interpolate(x, [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        var bytes = x.squeeze(0).round().clamp(0, 255).to_type(uint8).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        return new RgbImage(size, size, bytes);
    }
}
