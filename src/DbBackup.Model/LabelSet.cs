namespace DbBackup.Model;

/// <summary>A backup's key=value labels (keys compared ordinally). Its text form is
/// "key=value; key=value" in key order, so string conversions — Export-Csv, "$($b.Labels)", a
/// format view — show the labels rather than a type name; JSON still holds an object.</summary>
public sealed class LabelSet : Dictionary<string, string>
{
    /// <summary>An empty set.</summary>
    public LabelSet() : base(StringComparer.Ordinal) { }

    /// <summary>A copy of <paramref name="labels"/>.</summary>
    public LabelSet(IEnumerable<KeyValuePair<string, string>> labels) : base(labels, StringComparer.Ordinal) { }

    /// <inheritdoc/>
    public override string ToString()
        => string.Join("; ", this.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
}
