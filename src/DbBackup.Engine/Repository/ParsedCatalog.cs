namespace DbBackup.Engine.Repository;

/// <summary>The entries of a catalog snapshot as read, and whether it is of an older format than this
/// build writes (the reader then writes it anew).</summary>
internal sealed record ParsedCatalog(List<CatalogEntry> Entries, bool Outdated);
