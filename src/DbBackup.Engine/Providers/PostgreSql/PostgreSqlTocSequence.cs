namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>A sequence's position in <see cref="PostgreSqlToc"/>: restored with setval(name, LastValue, IsCalled).</summary>
public sealed class PostgreSqlTocSequence
{
    /// <summary>Schema, unquoted.</summary>
    public string Schema { get; set; } = "";
    /// <summary>Sequence name, unquoted.</summary>
    public string Name { get; set; } = "";
    /// <summary>last_value.</summary>
    public long LastValue { get; set; }
    /// <summary>is_called: false means the next nextval returns LastValue itself.</summary>
    public bool IsCalled { get; set; }
}
