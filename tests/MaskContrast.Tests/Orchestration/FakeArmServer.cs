using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Core;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// A local HTTP server that plays Azure Resource Manager for the Container Apps job tests: HttpListener on 127.0.0.1
/// with a free port; every request is recorded and answered by the test's handler.
/// </summary>
internal sealed class FakeArmServer : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string? ApiVersion, string? Authorization, string Body, DateTime ReceivedUtc);

    public sealed record Reply(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null);

    public const string JobId = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-mc/providers/Microsoft.App/jobs/caj-training-t1";
    public const string ContainerName = "trainer";
    public const string Image = "crmct1.azurecr.io/maskcontrast-trainer:42";

    /// <summary>The job's GET answer: the template container as infra/app/containerjob.bicep deploys it, plus a stale epoch value.</summary>
    public const string JobJson = $$$$"""
        {"id":"{{{{JobId}}}}","name":"caj-training-t1","type":"Microsoft.App/jobs",
         "properties":{"template":{"containers":[{"name":"{{{{ContainerName}}}}","image":"{{{{Image}}}}",
           "resources":{"cpu":8,"memory":"56Gi"},
           "env":[{"name":"MASKCONTRAST_STORAGE_URL","value":"https://stmct1.blob.core.windows.net/"},
                  {"name":"AZURE_CLIENT_ID","value":"client-id-1"},
                  {"name":"MASKCONTRAST_EPOCH","value":"0"}],
           "probes":[]}]}}}
        """;

    private readonly HttpListener _listener;
    private readonly Func<Request, Task<Reply>> _handler;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Task _loop;

    private FakeArmServer(HttpListener listener, int port, Func<Request, Task<Reply>> handler)
    {
        _listener = listener;
        _handler = handler;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<Request> Requests => _requests.ToArray();

    public static FakeArmServer Start(Func<Request, Reply> handler) => Start(r => Task.FromResult(handler(r)));

    public static FakeArmServer Start(Func<Request, Task<Reply>> handler)
    {
        // Ask the kernel for a free port, then listen on it; retry if another process took it in between.
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeArmServer(listener, port, handler);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                string body;
                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                    body = await reader.ReadToEndAsync();
                var request = new Request(context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                    context.Request.QueryString["api-version"], context.Request.Headers["Authorization"], body, DateTime.UtcNow);
                _requests.Enqueue(request);
                Reply reply;
                try
                {
                    reply = await _handler(request);
                }
                catch (Exception e)
                {
                    reply = new Reply(599, $$$"""{"error":{"code":"TestHandlerFailed","message":"{{{e.Message}}}"}}""");
                }
                context.Response.StatusCode = reply.Status;
                foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
                    context.Response.Headers[name] = value;
                var bytes = Encoding.UTF8.GetBytes(reply.Body ?? "");
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; keep serving.
            }
        }
    }
}

/// <summary>A <see cref="TokenCredential"/> that hands out "fake-token-N" and records the scopes it was asked for.</summary>
internal sealed class FakeTokenCredential : TokenCredential
{
    private int _calls;

    public ConcurrentQueue<string> Scopes { get; } = new();

    public int Calls => _calls;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
            Scopes.Enqueue(scope);
        return new AccessToken($"fake-token-{Interlocked.Increment(ref _calls)}", DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
