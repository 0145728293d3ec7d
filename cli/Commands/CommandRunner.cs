using System.CommandLine;

namespace MaskContrast.Cli.Commands;

/// <summary>Parses and runs a command line, mapping user errors to exit codes in one place.</summary>
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
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error (retry may help): {e.Message}");
            return ExitCodes.Retryable;
        }
    }
}
