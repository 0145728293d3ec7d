using System.Diagnostics;

namespace MaskContrast.Tests.Cli;

/// <summary>Runs the real `maskcontrast` program (cli/, copied next to the tests) as a child process.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public CliProcess(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "maskcontrast.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Kill(); throw new TimeoutException($"maskcontrast did not exit within {timeout}:\n{Output}"); }
        _process.WaitForExit();   // drain the output
        return _process.ExitCode;
    }

    /// <summary>SIGKILL, as a crash or an evicted container: no clean-up code runs.</summary>
    public void Kill() { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }

    public static async Task<(int Code, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var p = new CliProcess(args);
        int code = await p.WaitAsync(timeout);
        return (code, p.Output);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
