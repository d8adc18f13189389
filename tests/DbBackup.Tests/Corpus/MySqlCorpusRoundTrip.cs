using System.Text;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.MySql;
using Xunit.Abstractions;

namespace DbBackup.Tests.Corpus;

/// <summary>Builds a corpus database, restores it twice — the control through
/// <c>mariadb-dump --routines --triggers --events --single-transaction | mariadb</c>, the subject
/// through DbBackup's dump and restore — and compares every object and every table's rows. The subject
/// must equal the control; where it does not, it must equal the source (the control is lossy there,
/// e.g. FLOAT text), and every such case is written to the test output.</summary>
internal static class MySqlCorpusRoundTrip
{
    /// <summary>Runs the comparison for <paramref name="script"/>. <paramref name="knownDefects"/> maps
    /// object keys left out of the assertions to the defect that explains why (never silently);
    /// <paramref name="provider"/> restores (default: a plain one); <paramref name="exactWhereTheControlIsNot"/>
    /// demands the source where the control differs from it too (where DbBackup does better).</summary>
    public static async Task AssertRestoresLikeTheControlAsync(string script, ITestOutputHelper output, IReadOnlyDictionary<string, string>? knownDefects = null,
        MySqlProvider? provider = null, bool exactWhereTheControlIsNot = false)
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_corpus");
        await db.ExecAsync(script);

        var control = db.NewName("dbb_ctl");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE {MySqlSyntax.Identifier(control)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        await PipeAsync(db, control);

        var (reader, _, _, _) = await db.DumpAsync();
        var subject = await db.RestoreAsync(reader, provider: provider);

        var s = await MySqlCorpusFingerprint.TakeAsync(db.Name);
        var c = await MySqlCorpusFingerprint.TakeAsync(control);
        var j = await MySqlCorpusFingerprint.TakeAsync(subject);
        output.WriteLine($"{s.Count} objects compared: {string.Join(", ", s.Keys)}");
        Assert.True(s.Count > 0 && s.Keys.Order().SequenceEqual(c.Keys.Order()), "the control lacks objects of the source: " + string.Join(", ", s.Keys.Except(c.Keys)));
        var failures = new StringBuilder();
        foreach (var key in s.Keys.Concat(c.Keys).Concat(j.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var source = s.GetValueOrDefault(key);
            var ctl = c.GetValueOrDefault(key);
            var sub = j.GetValueOrDefault(key);
            if (sub == ctl && !(exactWhereTheControlIsNot && ctl != source))
            {
                if (ctl != source) output.WriteLine($"{key}: control and DbBackup both differ from the source (the dump tools' own limit):\n{Difference(source, ctl)}");
                continue;
            }
            if (sub == source)
            {
                output.WriteLine($"{key}: the control is lossy, DbBackup equals the source:\n{Difference(source, ctl)}");
                continue;
            }
            if (knownDefects?.GetValueOrDefault(key) is { } defect)
            {
                output.WriteLine($"{key}: KNOWN DEFECT, not asserted: {defect}\n{Difference(ctl, sub)}");
                continue;
            }
            failures.Append(key).Append(": DbBackup's restore differs from the control and from the source\n").Append(Difference(ctl, sub)).Append('\n');
        }
        // A restored object must not point back at the source database (another server has none).
        foreach (var (key, text) in j.Where(o => o.Value.Contains(db.Name, StringComparison.Ordinal)))
            failures.Append(key).Append(": the restored object names the source database\n").Append(Short(text)).Append('\n');
        foreach (var key in c.Where(o => o.Value.Contains(db.Name, StringComparison.Ordinal)).Select(o => o.Key))
            output.WriteLine($"{key}: the control names the source database (mariadb-dump's own limit)");
        Assert.True(failures.Length == 0, failures.ToString());
    }

    /// <summary>mariadb-dump --routines --triggers --events --single-transaction piped byte for byte
    /// into mariadb connected to <paramref name="control"/>.</summary>
    private static async Task PipeAsync(MySqlTestDatabase db, string control)
    {
        using var dump = MySqlClientTools.Start(db.Target, MySqlClientTools.Dump,
            ["--routines", "--triggers", "--events", "--single-transaction", "--skip-dump-date",
             // Without it the control cannot load a table whose DEFAULT is NEXT VALUE FOR a sequence:
             // the dump's LOCK TABLES leaves the sequence unlocked (ERROR 1100); mariadb-dump's own limit.
             "--skip-add-locks", "--", db.Name]);
        using var load = MySqlClientTools.Start(db.Target, MySqlClientTools.Client, MySqlClientTools.ScriptArgs(control), redirectStdin: true);
        var dumpErr = dump.StandardError.ReadToEndAsync();
        var loadErr = load.StandardError.ReadToEndAsync();
        var loadOut = load.StandardOutput.ReadToEndAsync();
        await dump.StandardOutput.BaseStream.CopyToAsync(load.StandardInput.BaseStream);
        load.StandardInput.Close();
        await dump.WaitForExitAsync();
        await load.WaitForExitAsync();
        Assert.True(dump.ExitCode == 0 && load.ExitCode == 0, $"control restore failed: {await dumpErr} {await loadErr} {await loadOut}");
    }

    /// <summary>The first differing line of two texts (null: the object is missing), for messages.</summary>
    private static string Difference(string? expected, string? actual)
    {
        if (expected == null || actual == null) return $"  expected: {Short(expected)}\n  actual:   {Short(actual)}";
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : null;
            var y = i < b.Length ? b[i] : null;
            if (x != y) return $"  line {i + 1} expected: {Short(x)}\n  line {i + 1} actual:   {Short(y)}";
        }
        return "  (same lines)";
    }

    private static string Short(string? text) => text == null ? "(missing)" : text.Length > 400 ? text[..400] + "…" : text;
}
