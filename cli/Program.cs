using System.CommandLine;
using MaskContrast.Cli;
using MaskContrast.Cli.Commands;

OpenMpSettings.PreferPassiveWaiting();
MaskContrast.Core.NativeLogLevel.ShowOnlyErrors();

var root = new RootCommand("MaskContrast.Cloud: unsupervised semantic segmentation by contrasting object mask proposals");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await CommandRunner.InvokeAsync(root, args);
