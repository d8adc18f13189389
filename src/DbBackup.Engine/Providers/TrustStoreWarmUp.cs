using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DbBackup.Engine.Providers;

/// <summary>Loads the system's trusted certificates on a background thread, ahead of a process's first TLS connection.</summary>
/// <remarks>On Linux, .NET reads the whole CA bundle and then the certificate folder the first time it checks a
/// server certificate (every TLS handshake builds the chain, also where the driver then accepts any certificate),
/// and keeps them for the process. Traced in a CLI restore: 150 ms of the first PostgreSQL connection, on the
/// serial path before anything else can start. A chain built here for a throw-away certificate fills the same
/// cache while the CLI reads the repository. It only warms: any failure is left to the real handshake.</remarks>
public static class TrustStoreWarmUp
{
    private static int _started;

    /// <summary>Starts the warm-up once per process; returns at once.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        _ = Task.Run(() =>
        {
            try
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var now = DateTimeOffset.UtcNow;
                using var certificate = new CertificateRequest("CN=dbbackup trust store warm-up", key, HashAlgorithmName.SHA256)
                    .CreateSelfSigned(now.AddMinutes(-1), now.AddMinutes(1));
                using var chain = new X509Chain();
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.Build(certificate);
            }
            catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
            {
                // The handshake that needs the store reports the problem.
            }
        });
    }
}
