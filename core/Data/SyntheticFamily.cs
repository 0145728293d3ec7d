namespace MaskContrast.Core.Data;

/// <summary>Which scenes <see cref="SyntheticDataset.Generate"/> draws.</summary>
public enum SyntheticFamily
{
    /// <summary>One object on a smooth background, fixed image size (<see cref="SyntheticRenderer"/>; the demo set).</summary>
    Shapes,

    /// <summary>One to three occluding objects on noise backgrounds with distractors, shading, noise and varying image
    /// sizes (<see cref="ClutteredSceneRenderer"/>).</summary>
    Clutter,
}
