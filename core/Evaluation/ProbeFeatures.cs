using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>Caches the frozen decoder features of a split once, so that every probe epoch is only a 1×1 conv.</summary>
public static class ProbeFeatures
{
    /// <summary>
    /// Runs <paramref name="model"/> in eval mode without gradients over <paramref name="ids"/> of <paramref name="dataset"/>
    /// (FixedResize to <paramref name="size"/>, ImageNet normalisation) and keeps <c>Forward(x, keepFeatures: true).Features</c>
    /// of every image on the CPU; with <paramref name="flip"/> also the features of the mirrored image, so that flip
    /// augmentation stays exact (a network is not flip-equivariant, so flipping the cached features would not be).
    /// The model's training flag is restored afterwards.
    /// </summary>
    /// <returns>One sample per id, owned by the caller (dispose each).</returns>
    public static List<ProbeSample> Extract(SegmentationModel model, IImageDataset dataset, IReadOnlyList<string> ids, int size,
        bool flip, bool halfPrecision = false, int batchSize = 8, CancellationToken cancellationToken = default)
    {
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();   // BatchNorm uses its running statistics, dropout is off (official freeze_batchnorm: 'all')
        var samples = new List<ProbeSample>(ids.Count);
        try
        {
            for (int start = 0; start < ids.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var batchIds = ids.Skip(start).Take(batchSize).ToList();
                var inputs = new List<Tensor>();
                var labels = new List<ByteRaster>();
                foreach (var id in batchIds)
                {
                    var image = dataset.LoadImage(id);
                    var truth = dataset.LoadLabels(id)
                        ?? throw new InvalidDataException($"image '{id}' has no ground truth; the linear probe needs labelled splits");
                    inputs.Add(ImageTensors.FixedResize(image, size));              // [3, S, S]
                    labels.Add(NearestResize.Resize(truth, size, size));
                }

                var x = stack(inputs).to(device);                                   // [B, 3, S, S]
                var features = Features(model, x, halfPrecision);                   // [B, C, h, w]
                var flipped = flip ? Features(model, x.flip(3), halfPrecision) : null;
                for (int i = 0; i < batchIds.Count; i++)
                {
                    samples.Add(new ProbeSample(features[i].clone().MoveToOuterDisposeScope(),
                        flipped?[i].clone().MoveToOuterDisposeScope(), labels[i]));
                }
            }
        }
        catch
        {
            foreach (var s in samples) s.Dispose();
            throw;
        }
        finally
        {
            if (wasTraining) model.train();
        }

        return samples;
    }

    static Tensor Features(SegmentationModel model, Tensor x, bool halfPrecision)
    {
        using var output = model.Forward(x, keepFeatures: true);
        var f = output.Features!.detach().cpu();                                    // [B, C, h, w]
        // cpu() of a CPU tensor returns the same handle, which the output's Dispose would free: keep a copy.
        return (halfPrecision ? f.to_type(float16) : f.to_type(float32)).clone();
    }
}
