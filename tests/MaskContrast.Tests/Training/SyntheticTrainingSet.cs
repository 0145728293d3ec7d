using MaskContrast.Core.Data;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Training;

/// <summary>A small synthetic VOC-layout set (true foreground as masks) shared by the tests of a class.</summary>
public sealed class SyntheticTrainingSet : IDisposable
{
    private readonly TempFolder _folder = new();

    public SyntheticTrainingSet()
    {
        SyntheticDataset.Generate(_folder.Path, new SyntheticOptions(TrainCount: 48, ValCount: 16, Width: 64, Height: 64, Seed: 3));
        Set = new TrainingSet(new VocDataset(_folder.Path, "train"));
    }

    public string Root => _folder.Path;
    public TrainingSet Set { get; }

    public void Dispose() => _folder.Dispose();
}
