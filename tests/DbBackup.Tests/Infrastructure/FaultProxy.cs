using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace DbBackup.Tests.Infrastructure;

/// <summary>A loopback TCP proxy in front of a store emulator (Azurite, s3rver) that injects the network
/// faults the storage drivers must survive or report: a connection reset part-way through a request's
/// body (an upload) or its answer (a download), every connection refused while the store is "down", a
/// request held back (a stall). Faults are chosen by the HTTP request line ("PUT /…/payload/… HTTP/1.1"),
/// read from the plain-HTTP bytes the SDKs send, so a test can hit a payload block and spare the records.
/// A reset is a TCP RST to both sides (linger 0), as a dropped NAT entry or a crashed peer gives.</summary>
public sealed partial class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Rule> _rules = [];
    private readonly ConcurrentDictionary<Connection, byte> _open = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private volatile bool _down;
    private int _connections;
    private int _faults;

    /// <summary>Starts forwarding 127.0.0.1:(a free port) to <paramref name="target"/>'s host and port.</summary>
    public FaultProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, http://127.0.0.1:PORT (give it to the SDK instead of the store's).</summary>
    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => _connections;

    /// <summary>Faults injected so far (resets, cuts and stalls that actually happened).</summary>
    public int Faults => _faults;

    /// <summary>Every request line seen, in order ("PUT /devstoreaccount1/c/x?comp=block… HTTP/1.1").</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>The next <paramref name="times"/> requests whose request line matches are reset after
    /// <paramref name="afterBytes"/> bytes of the request (its line and headers count; 0 resets it before
    /// the store has it).</summary>
    public void ResetRequests(Func<string, bool> requestLine, long afterBytes, int times = 1)
        => AddRule(new Rule(requestLine, FaultKind.ResetRequest, afterBytes, TimeSpan.Zero, times));

    /// <summary>The answers to the next <paramref name="times"/> matching requests are cut (reset) after
    /// <paramref name="afterBytes"/> bytes (headers count): a download that drops mid-body.</summary>
    public void CutResponses(Func<string, bool> requestLine, long afterBytes, int times = 1)
        => AddRule(new Rule(requestLine, FaultKind.CutResponse, afterBytes, TimeSpan.Zero, times));

    /// <summary>The next <paramref name="times"/> matching requests are held for <paramref name="delay"/>
    /// before the store sees them (a stalled network).</summary>
    public void Stall(Func<string, bool> requestLine, TimeSpan delay, int times = 1)
        => AddRule(new Rule(requestLine, FaultKind.Stall, 0, delay, times));

    /// <summary>From now on every open connection is reset and every new one is reset on arrival, until <see cref="Up"/>.</summary>
    public void Down()
    {
        _down = true;
        foreach (var c in _open.Keys) { c.Reset(); Interlocked.Increment(ref _faults); }
    }

    /// <summary>Connections are forwarded again.</summary>
    public void Up() => _down = false;

    /// <summary>The store goes down when the first request whose line matches arrives (that request is reset too).</summary>
    public void DownOn(Func<string, bool> requestLine) => AddRule(new Rule(requestLine, FaultKind.Down, 0, TimeSpan.Zero, 1));

    /// <summary>Matches a request line by method and a substring of its target ("PUT", "/payload/").</summary>
    public static Func<string, bool> Request(string method, string pathContains)
        => line => line.StartsWith(method + " ", StringComparison.Ordinal) && line.Contains(pathContains, StringComparison.Ordinal);

    private void AddRule(Rule rule)
    {
        lock (_rules) _rules.Add(rule);
    }

    private Rule? Take(string line)
    {
        lock (_rules)
        {
            foreach (var rule in _rules)
            {
                if (rule.Remaining == 0 || !rule.Matches(line)) continue;
                rule.Remaining--;
                return rule;
            }
        }
        return null;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var server = new TcpClient();
        var connection = new Connection(client, server);
        _open[connection] = 0;
        try
        {
            if (_down) { connection.Reset(); Interlocked.Increment(ref _faults); return; }
            await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            var up = PumpUpAsync(connection);
            var down = PumpDownAsync(connection);
            await Task.WhenAny(up, down);
            connection.Close();
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            _open.TryRemove(connection, out _);
            connection.Close();
        }
    }

    /// <summary>Client to store: finds each request line, applies the rule it matches, forwards.</summary>
    private async Task PumpUpAsync(Connection c)
    {
        var buffer = new byte[64 * 1024];
        var carry = "";
        long forwarded = 0;
        long resetAt = long.MaxValue;
        try
        {
            var from = c.Client.GetStream();
            var to = c.Server.GetStream();
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0) { c.Server.Client.Shutdown(SocketShutdown.Send); return; }
                // Latin-1 maps each byte to one char, so string offsets are byte offsets.
                var text = carry + Encoding.Latin1.GetString(buffer, 0, read);
                foreach (Match m in RequestLine().Matches(text))
                {
                    if (m.Index + m.Length <= carry.Length) continue;
                    var line = m.Groups[1].Value;
                    _requests.Enqueue(line);
                    if (Take(line) is not { } rule) continue;
                    var start = forwarded + Math.Max(0, m.Index - carry.Length);
                    switch (rule.Kind)
                    {
                        case FaultKind.ResetRequest: resetAt = Math.Min(resetAt, start + rule.AfterBytes); break;
                        case FaultKind.CutResponse: c.CutResponseAfter(rule.AfterBytes); break;
                        case FaultKind.Stall: Interlocked.Increment(ref _faults); await Task.Delay(rule.Delay, _stop.Token); break;
                        case FaultKind.Down: Down(); return;
                    }
                }
                carry = text.Length > 4096 ? text[^4096..] : text;
                if (forwarded + read >= resetAt)
                {
                    await to.WriteAsync(buffer.AsMemory(0, (int)(resetAt - forwarded)), _stop.Token);
                    Interlocked.Increment(ref _faults);
                    c.Reset();
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                forwarded += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>Store to client: forwards, cutting the answer where a rule asked.</summary>
    private async Task PumpDownAsync(Connection c)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var from = c.Server.GetStream();
            var to = c.Client.GetStream();
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0) { c.Client.Client.Shutdown(SocketShutdown.Send); return; }
                var allowed = c.TakeDownstream(read);
                if (allowed < read)
                {
                    await to.WriteAsync(buffer.AsMemory(0, allowed), _stop.Token);
                    Interlocked.Increment(ref _faults);
                    c.Reset();
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
    }

    // Not anchored to a line start: on a kept-alive connection a request follows the previous one's body
    // directly (no newline in between).
    [GeneratedRegex(@"((?:GET|PUT|POST|DELETE|HEAD) /\S* HTTP/1\.[01])\r\n")]
    private static partial Regex RequestLine();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var c in _open.Keys) c.Close();
        _stop.Dispose();
    }

    private enum FaultKind { ResetRequest, CutResponse, Stall, Down }

    private sealed class Rule(Func<string, bool> matches, FaultKind kind, long afterBytes, TimeSpan delay, int times)
    {
        public Func<string, bool> Matches { get; } = matches;
        public FaultKind Kind { get; } = kind;
        public long AfterBytes { get; } = afterBytes;
        public TimeSpan Delay { get; } = delay;
        public int Remaining { get; set; } = times;
    }

    /// <summary>One client connection and its connection to the store.</summary>
    private sealed class Connection(TcpClient client, TcpClient server)
    {
        private readonly Lock _lock = new();
        private long _downForwarded;
        private long _downCutAt = long.MaxValue;

        public TcpClient Client { get; } = client;
        public TcpClient Server { get; } = server;

        /// <summary>The answer now starting (HTTP/1.1 without pipelining: the previous one has been read
        /// whole before the next request is sent) is cut after <paramref name="bytes"/> bytes.</summary>
        public void CutResponseAfter(long bytes)
        {
            lock (_lock) _downCutAt = _downForwarded + bytes;
        }

        /// <summary>How many of the next <paramref name="read"/> bytes may pass before a cut.</summary>
        public int TakeDownstream(int read)
        {
            lock (_lock)
            {
                var allowed = (int)Math.Clamp(_downCutAt - _downForwarded, 0, read);
                _downForwarded += allowed;
                return allowed;
            }
        }

        public void Reset()
        {
            foreach (var side in new[] { Client, Server })
            {
                try { side.Client.LingerState = new LingerOption(true, 0); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
                side.Close();
            }
        }

        public void Close()
        {
            Client.Close();
            Server.Close();
        }
    }
}
