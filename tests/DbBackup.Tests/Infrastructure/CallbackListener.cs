using System.Net;

namespace DbBackup.Tests.Infrastructure;

/// <summary>A local HTTP endpoint on a free port standing in for a completion-callback receiver: it
/// answers the first request with 204 and hands back what that request carried.</summary>
internal sealed class CallbackListener : IDisposable
{
    private readonly HttpListener _listener = new();

    public CallbackListener(string path = "hook")
    {
        Url = $"http://127.0.0.1:{TestServers.FreePort()}/{path}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        Received = Task.Run(ReceiveOneAsync);
    }

    /// <summary>The URL to give as the callback (ends with a slash; a query string may be appended).</summary>
    public string Url { get; }

    /// <summary>Completes with the first request's method, content type and body.</summary>
    public Task<(string Method, string? ContentType, string Body)> Received { get; }

    private async Task<(string, string?, string)> ReceiveOneAsync()
    {
        var ctx = await _listener.GetContextAsync();
        using var reader = new StreamReader(ctx.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        ctx.Response.StatusCode = 204;
        ctx.Response.Close();
        return (ctx.Request.HttpMethod, ctx.Request.ContentType, body);
    }

    public void Dispose() => _listener.Close();
}
