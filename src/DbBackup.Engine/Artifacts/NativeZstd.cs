using System.Runtime.InteropServices;

namespace DbBackup.Engine.Artifacts;

/// <summary>The system's zstd library (libzstd 1.4 or later), when it has one: its decompression takes about 40 % less
/// CPU than ZstdSharp's (bench/README.md), and a restore is CPU-bound. Found by the usual names per OS; absent (Windows
/// has none by default), too old, or turned off with DBBACKUP_ZSTD=managed, payloads decode with ZstdSharp as before.
/// Both read the same frames: zstd's format is the one standard, whichever library wrote it.</summary>
internal static unsafe class NativeZstd
{
    private const uint MinVersion = 10400;

    private static readonly Api? Loaded = Load();

    /// <summary>Whether decompression goes through the system library.</summary>
    public static bool IsAvailable => Loaded != null;

    /// <summary>The library's entry points this project uses (zstd.h, stable API).</summary>
    internal sealed class Api
    {
        public required delegate* unmanaged[Cdecl]<nint> CreateDStream;
        public required delegate* unmanaged[Cdecl]<nint, nuint> FreeDStream;
        public required delegate* unmanaged[Cdecl]<nint, Buffer*, Buffer*, nuint> DecompressStream;
        public required delegate* unmanaged[Cdecl]<nuint, uint> IsError;
        public required delegate* unmanaged[Cdecl]<nuint, sbyte*> GetErrorName;
    }

    /// <summary>ZSTD_inBuffer / ZSTD_outBuffer: a pointer, its size and the position reached.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer
    {
        public void* Data;
        public nuint Size;
        public nuint Position;
    }

    /// <summary>The loaded library; only when <see cref="IsAvailable"/>.</summary>
    internal static Api Library => Loaded ?? throw new InvalidOperationException("The system zstd library is not loaded.");

    /// <summary>The text of a zstd error code.</summary>
    internal static string ErrorName(nuint code) => new(Library.GetErrorName(code));

    private static Api? Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("DBBACKUP_ZSTD"), "managed", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var name in LibraryNames())
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            try
            {
                var version = (delegate* unmanaged[Cdecl]<uint>)NativeLibrary.GetExport(handle, "ZSTD_versionNumber");
                if (version() < MinVersion) continue;
                return new Api
                {
                    CreateDStream = (delegate* unmanaged[Cdecl]<nint>)NativeLibrary.GetExport(handle, "ZSTD_createDStream"),
                    FreeDStream = (delegate* unmanaged[Cdecl]<nint, nuint>)NativeLibrary.GetExport(handle, "ZSTD_freeDStream"),
                    DecompressStream = (delegate* unmanaged[Cdecl]<nint, Buffer*, Buffer*, nuint>)NativeLibrary.GetExport(handle, "ZSTD_decompressStream"),
                    IsError = (delegate* unmanaged[Cdecl]<nuint, uint>)NativeLibrary.GetExport(handle, "ZSTD_isError"),
                    GetErrorName = (delegate* unmanaged[Cdecl]<nuint, sbyte*>)NativeLibrary.GetExport(handle, "ZSTD_getErrorName"),
                };
            }
            catch (EntryPointNotFoundException)
            {
                // Not a usable libzstd under that name: try the next, then fall back to ZstdSharp.
            }
        }
        return null;
    }

    private static string[] LibraryNames()
        => OperatingSystem.IsWindows() ? ["libzstd.dll", "zstd.dll"]
            : OperatingSystem.IsMacOS() ? ["libzstd.1.dylib", "libzstd.dylib"]
            : ["libzstd.so.1", "libzstd.so"];
}
