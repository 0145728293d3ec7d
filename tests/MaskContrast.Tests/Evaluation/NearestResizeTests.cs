using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class NearestResizeTests
{
    [Fact]
    public void Resize_Upscale2x_DuplicatesEachLabel()
    {
        var source = new ByteRaster(2, 2, [1, 2, 3, 255]);

        var resized = NearestResize.Resize(source, 4, 4);

        Assert.Equal([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 255, 255, 3, 3, 255, 255], resized.Values);
    }

    [Fact]
    public void Resize_Downscale5To3_PicksFloorOfScaledIndexLikeOpenCv()
    {
        // OpenCV INTER_NEAREST takes source index floor(i · 5/3) for i = 0, 1, 2: 0, 1, 3 (PIL would take 0, 2, 4).
        var source = new ByteRaster(5, 1, [0, 1, 2, 3, 4]);

        var resized = NearestResize.Resize(source, 3, 1);

        Assert.Equal([0, 1, 3], resized.Values);
    }
}
