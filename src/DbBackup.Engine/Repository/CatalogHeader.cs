namespace DbBackup.Engine.Repository;

/// <summary>The first line of a catalog snapshot (<see cref="CatalogFile"/>): its format, how many
/// entries follow, and the SHA-256 of every byte after the line.</summary>
internal sealed record CatalogHeader(int Format, int Count, string Sha256);
