using System.CommandLine;

namespace MaskContrast.Cli.Commands;

/// <summary>Every subcommand of <c>maskcontrast</c>, one class per file in this folder.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DemoCommand.Create(),
        RunCommand.Create(),
        StatusCommand.Create(),
        TrainEpochCommand.Create(),
        SegmentCommand.Create(),
        NameCommand.Create(),
        ModelCommand.Create(),
        ProposalsCommand.Create(),
        SyntheticCommand.Create(),
    ];
}
