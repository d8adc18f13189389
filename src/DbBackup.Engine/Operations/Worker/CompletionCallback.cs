using System.Net.Http.Json;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The POST a backup (or a failed policy run) sends to its callback URL when it ends.</summary>
internal sealed class CompletionCallback(EngineContext context)
{
    private static TimeSpan[] CallbackRetryDelays => BackupEngine.CallbackRetryDelays;

    /// <summary>POSTs the result to the callback URL, retrying with backoff; logs the outcome, never throws.</summary>
    public async Task SendCallbackAsync(BackupRecord r, CancellationToken ct)
    {
        var payload = new
        {
            backupId = r.Id,
            name = r.Name,
            engine = r.Engine.ToString(),
            server = r.Server,
            database = r.Database,
            result = r.State == OperationState.Succeeded ? "COMPLETE" : "ERROR",
            statusMessage = r.StatusMessage,
            sizeBytes = r.SizeBytes,
            completedAt = r.CompletedAt,
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? lastError = null;
        for (var attempt = 0; attempt <= CallbackRetryDelays.Length; attempt++)
        {
            if (attempt > 0) await Task.Delay(CallbackRetryDelays[attempt - 1], ct).ConfigureAwait(false);
            try
            {
                using var response = await http.PostAsJsonAsync(r.CallbackUrl, payload, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    context.Log("CallbackSent", r, $"{(int)response.StatusCode} from {RedactUrl(r.CallbackUrl!)} (attempt {attempt + 1})");
                    return;
                }
                lastError = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lastError = e.Message;
            }
        }
        context.Log("CallbackFailed", r, $"{RedactUrl(r.CallbackUrl!)}: {lastError} after {CallbackRetryDelays.Length + 1} attempts", isError: true);
    }

    /// <summary>A URL without user info or query (which may carry tokens), for logs.</summary>
    public static string RedactUrl(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}:{u.Port}{u.AbsolutePath}" : "(invalid url)";
}
