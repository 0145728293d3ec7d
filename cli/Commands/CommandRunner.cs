using System.CommandLine;

namespace MaskContrast.Cli.Commands;

/// <summary>Parses and runs a command line; every failure becomes an exit code here, through <see cref="ExitCodes.For(Exception)"/>.</summary>
public static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, CancellationToken cancellationToken = default)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine($"Run '{root.Name} --help' for usage.");
            return ExitCodes.InvalidInput;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ExitCodes.Report(e);
        }
    }
}
