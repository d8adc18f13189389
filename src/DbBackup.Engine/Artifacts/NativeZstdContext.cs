using System.Runtime.InteropServices;

namespace DbBackup.Engine.Artifacts;

/// <summary>A libzstd compression or decompression context, freed exactly once even when a stream is never disposed.</summary>
internal sealed unsafe class NativeZstdContext : SafeHandle
{
    private readonly bool _compression;

    private NativeZstdContext(nint handle, bool compression) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        _compression = compression;
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>A ZSTD_CCtx at <paramref name="level"/>, the only parameter the managed encoder sets too.</summary>
    public static NativeZstdContext ForCompression(int level)
    {
        var context = Create(NativeZstd.CreateCCtx(), compression: true);
        NativeZstd.Check(NativeZstd.SetParameter(context.handle, NativeZstd.CompressionLevelParameter, level), "setting the level");
        return context;
    }

    /// <summary>A ZSTD_DStream.</summary>
    public static NativeZstdContext ForDecompression() => Create(NativeZstd.CreateDStream(), compression: false);

    private static NativeZstdContext Create(nint handle, bool compression)
        => handle != 0 ? new NativeZstdContext(handle, compression) : throw new OutOfMemoryException("libzstd could not allocate a context.");

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        if (_compression) NativeZstd.FreeCCtx(handle);
        else NativeZstd.FreeDStream(handle);
        return true;
    }
}
