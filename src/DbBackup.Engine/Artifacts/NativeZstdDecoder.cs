using System.Buffers;
using System.Runtime.InteropServices;

namespace DbBackup.Engine.Artifacts;

/// <summary>A read stream decompressing zstd frames (one or several, as written one after the other) from a stored file
/// through the system library (<see cref="NativeZstd"/>). As ZstdSharp's stream with end-of-stream checking: a file that
/// ends inside a frame, or bytes that are not zstd, throw <see cref="InvalidDataException"/> (which the payload reader
/// reports as the file's checksum mismatch); an empty file reads as empty.</summary>
internal sealed class NativeZstdDecoder : ReadOnlyStream
{
    private const int InputSize = 128 * 1024;

    private readonly Stream _source;
    private readonly DStreamHandle _stream;
    private readonly byte[] _input = ArrayPool<byte>.Shared.Rent(InputSize);
    private int _inputPosition, _inputLength;
    private bool _sourceEnded;
    // zstd's hint after each call: 0 once a frame is complete and flushed; an empty file has no frame to finish.
    private bool _frameComplete = true;

    /// <summary>Decodes <paramref name="source"/>, which it disposes.</summary>
    public NativeZstdDecoder(Stream source)
    {
        _source = source;
        _stream = new DStreamHandle();
        if (_stream.IsInvalid) throw new OutOfMemoryException("The zstd library could not create a decompression stream.");
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (_inputPosition == _inputLength && !_sourceEnded) Filled(_source.Read(_input, 0, InputSize));
            if (Decompress(buffer, out var written)) return written;
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_inputPosition == _inputLength && !_sourceEnded) Filled(await _source.ReadAsync(_input.AsMemory(0, InputSize), cancellationToken).ConfigureAwait(false));
            if (Decompress(buffer.Span, out var written)) return written;
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Filled(int read)
    {
        _inputPosition = 0;
        _inputLength = read;
        _sourceEnded = read == 0;
    }

    /// <summary>One step of decompression into <paramref name="buffer"/>: true with the bytes written (0 at the end of the
    /// data), or false when zstd needs more input first.</summary>
    private unsafe bool Decompress(Span<byte> buffer, out int written)
    {
        written = 0;
        if (buffer.IsEmpty) return true;
        var api = NativeZstd.Library;
        fixed (byte* output = buffer)
        fixed (byte* input = _input)
        {
            var outBuffer = new NativeZstd.Buffer { Data = output, Size = (nuint)buffer.Length };
            var inBuffer = new NativeZstd.Buffer { Data = input + _inputPosition, Size = (nuint)(_inputLength - _inputPosition) };
            var hint = api.DecompressStream(_stream.DangerousGetHandle(), &outBuffer, &inBuffer);
            if (api.IsError(hint) != 0) throw new InvalidDataException($"The zstd data is damaged: {NativeZstd.ErrorName(hint)}.");
            _inputPosition += (int)inBuffer.Position;
            written = (int)outBuffer.Position;
            // A frame may end here and another start in the bytes still to come: only the end of the file can be final.
            // A call that moved nothing (no input left, nothing to flush) only hints at the next frame's header.
            if (inBuffer.Position > 0 || outBuffer.Position > 0) _frameComplete = hint == 0;
        }
        if (written > 0) return true;
        if (_inputPosition < _inputLength || !_sourceEnded) return false;
        if (!_frameComplete) throw new InvalidDataException("The zstd data ends inside a frame: the file is truncated.");
        return true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
            _source.Dispose();
            ArrayPool<byte>.Shared.Return(_input);
        }
        base.Dispose(disposing);
    }

    /// <summary>A ZSTD_DStream, freed exactly once.</summary>
    private sealed unsafe class DStreamHandle : SafeHandle
    {
        public DStreamHandle() : base(0, ownsHandle: true) => SetHandle(NativeZstd.Library.CreateDStream());

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            NativeZstd.Library.FreeDStream(handle);
            return true;
        }
    }
}
