namespace DbBackup.Engine.Artifacts;

/// <summary>The single-file bundle (README "Bundle format"): a POSIX (pax) tar whose first entry is
/// <c>manifest.json</c> (the backup record with every file's size and SHA-256), followed by each
/// payload file under its manifest name (<c>payload/…</c>), stored byte for byte as in the repository.
/// Any tar tool can unpack it; the payload restores with stock client tools.</summary>
public static class BundleFormat
{
    /// <summary>Name of the manifest entry, always first.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Conventional file extension.</summary>
    public const string Extension = ".dbbackup";
}
