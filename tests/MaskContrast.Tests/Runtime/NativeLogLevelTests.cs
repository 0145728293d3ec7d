using MaskContrast.Core;
using TorchSharp;

namespace MaskContrast.Tests.Runtime;

public sealed class NativeLogLevelTests
{
    [Fact]
    public void ShowOnlyErrors_SetsTheFlagOfTheC10ThatLibtorchUses()
    {
        Assert.True(NativeLogLevel.ShowOnlyErrors());

        // A convolution runs through libtorch; the level it reads is the one set above.
        using var output = torch.nn.functional.conv2d(torch.ones(1, 1, 8, 8), torch.ones(1, 1, 3, 3));
        Assert.Equal(9f, output[0, 0, 0, 0].item<float>());
        Assert.Equal(NativeLogLevel.Error, NativeLogLevel.Current);
    }
}
