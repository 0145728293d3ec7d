using System.Net;
using System.Net.Sockets;

namespace MaskContrast.Orchestration.Hosting;

/// <summary>A loopback port for the Durable gRPC sidecar.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port the kernel reports free. The test host's own default draws from 30000–40000, which overlaps the ephemeral
    /// range the kernel hands to outgoing connections (e.g. to Azurite): two hosts, or a host and a client socket, could
    /// meet on one port. Another process can still take the port before Kestrel binds; that then fails loudly.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
