using System.Runtime.InteropServices;

namespace DbBackup.Engine.Artifacts;

/// <summary>The platform's own zstd library (libzstd), loaded once when present and recent enough. It
/// decompresses the benchmark's COPY text about 40% faster per CPU second than ZstdSharp; frames are the
/// same format either way, so a backup written with one is read by the other. Absent (Windows without a
/// zstd.dll, a slim container), too old, or switched off with DBBACKUP_ZSTD=managed, the codec stays ZstdSharp.</summary>
internal static unsafe class NativeZstd
{
    /// <summary>1.4.0: the first release with ZSTD_compressStream2 and ZSTD_CCtx_setParameter as stable API.</summary>
    public const uint MinimumVersion = 10400;

    /// <summary>Set to "managed" to keep the codec on ZstdSharp even where libzstd is present.</summary>
    public const string SwitchVariable = "DBBACKUP_ZSTD";

    /// <summary>ZSTD_c_compressionLevel.</summary>
    public const int CompressionLevelParameter = 100;

    private static readonly string[] LibraryNames = OperatingSystem.IsWindows() ? ["libzstd.dll", "zstd.dll"]
        : OperatingSystem.IsMacOS() ? ["libzstd.1.dylib", "libzstd.dylib", "/opt/homebrew/lib/libzstd.1.dylib", "/usr/local/lib/libzstd.1.dylib"]
        : ["libzstd.so.1", "libzstd.so"];

    private static readonly Lazy<bool> Loaded = new(Load);

    /// <summary>Tests force the managed path (both ways) with this; null follows the environment switch.</summary>
    internal static bool? ForceManaged { get; set; }

    /// <summary>Whether new encoders and decoders use libzstd.</summary>
    public static bool IsAvailable => !(ForceManaged ?? string.Equals(Environment.GetEnvironmentVariable(SwitchVariable), "managed", StringComparison.OrdinalIgnoreCase)) && Loaded.Value;

    /// <summary>ZSTD_versionNumber of the loaded library (0 when none was loaded).</summary>
    public static uint Version { get; private set; }

    internal static delegate* unmanaged<nint> CreateDStream;
    internal static delegate* unmanaged<nint, nuint> FreeDStream;
    internal static delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, nuint> DecompressStream;
    internal static delegate* unmanaged<nint> CreateCCtx;
    internal static delegate* unmanaged<nint, nuint> FreeCCtx;
    internal static delegate* unmanaged<nint, int, int, nuint> SetParameter;
    internal static delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, int, nuint> CompressStream2;
    private static delegate* unmanaged<nuint, uint> IsError;
    private static delegate* unmanaged<nuint, nint> GetErrorName;

    private static bool Load()
    {
        foreach (var name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out var library)) continue;
            if (TryBind(library)) return true;
            NativeLibrary.Free(library);
        }
        return false;
    }

    private static bool TryBind(nint library)
    {
        nint Get(string name) => NativeLibrary.TryGetExport(library, name, out var f) ? f : 0;
        var version = Get("ZSTD_versionNumber");
        if (version == 0) return false;
        var number = ((delegate* unmanaged<uint>)version)();
        nint[] all = [Get("ZSTD_createDStream"), Get("ZSTD_freeDStream"), Get("ZSTD_decompressStream"), Get("ZSTD_createCCtx"),
            Get("ZSTD_freeCCtx"), Get("ZSTD_CCtx_setParameter"), Get("ZSTD_compressStream2"), Get("ZSTD_isError"), Get("ZSTD_getErrorName")];
        if (number < MinimumVersion || Array.IndexOf(all, (nint)0) >= 0) return false;
        CreateDStream = (delegate* unmanaged<nint>)all[0];
        FreeDStream = (delegate* unmanaged<nint, nuint>)all[1];
        DecompressStream = (delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, nuint>)all[2];
        CreateCCtx = (delegate* unmanaged<nint>)all[3];
        FreeCCtx = (delegate* unmanaged<nint, nuint>)all[4];
        SetParameter = (delegate* unmanaged<nint, int, int, nuint>)all[5];
        CompressStream2 = (delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, int, nuint>)all[6];
        IsError = (delegate* unmanaged<nuint, uint>)all[7];
        GetErrorName = (delegate* unmanaged<nuint, nint>)all[8];
        Version = number;
        return true;
    }

    /// <summary>Returns <paramref name="result"/>, or throws what a damaged frame throws in ZstdSharp's
    /// decoder (a non-DbBackupException, which <see cref="CheckedPayloadStream"/> reports as the file's ChecksumMismatch).</summary>
    public static nuint Check(nuint result, string operation)
    {
        if (IsError(result) == 0) return result;
        throw new InvalidDataException($"zstd {operation} failed: {Marshal.PtrToStringAnsi(GetErrorName(result))}.");
    }
}

/// <summary>ZSTD_inBuffer and ZSTD_outBuffer (same layout): data pointer, size, position.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdBuffer
{
    public void* Data;
    public nuint Size;
    public nuint Position;
}
