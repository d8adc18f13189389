using System.Net;
using System.Net.Sockets;

namespace DbBackup.Tests.Storage.Emulators;

/// <summary>A loopback TCP proxy in front of an emulator that drops its first connection after passing
/// <see cref="CutAfterBytes"/> bytes of the answer: a connection lost mid-body, which the SDKs' own
/// retries do not cover.</summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public CuttingProxy(Uri target, long cutAfterBytes)
    {
        _target = target;
        CutAfterBytes = cutAfterBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Bytes of the first connection's answer passed before it is dropped.</summary>
    public long CutAfterBytes { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => _connections;

    /// <summary>The proxy's address, http://127.0.0.1:PORT.</summary>
    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var first = Interlocked.Increment(ref _connections) == 1;
                _ = Task.Run(() => PumpAsync(client, first ? CutAfterBytes : long.MaxValue));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task PumpAsync(TcpClient client, long limit)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var up = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                var down = CopyAtMostAsync(server.GetStream(), client.GetStream(), limit);
                await Task.WhenAny(up, down);
                await down;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    private async Task CopyAtMostAsync(Stream from, Stream to, long limit)
    {
        var buffer = new byte[16 * 1024];
        long passed = 0;
        while (passed < limit)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - passed)), _stop.Token);
            if (read == 0) return;
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            passed += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
