using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Corpus;

/// <summary>A per-table restore over an existing database brings its tables back as a whole restore
/// (and mariadb-dump) does: triggers keep the text they were written in, as SHOW CREATE TRIGGER gives it.</summary>
public sealed class MySqlCorpusTableReplaceTests
{
    // Hand-formatted triggers as sample databases write them: unquoted names, a line break and a tab
    // before FOR EACH ROW, a compound body, a FOLLOWS clause.
    private const string Script = """
        CREATE TABLE ledger (id INT AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(8,2), stamped DATETIME, note VARCHAR(40));
        CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40));
        INSERT INTO ledger (amount, stamped, note) VALUES (1.50, '2024-01-02 03:04:05', 'first'), (-2.25, '2024-02-03 04:05:06', 'second');
        CREATE TRIGGER ledger_stamp BEFORE INSERT ON ledger
        	FOR EACH ROW SET NEW.stamped = NOW();
        DELIMITER ;;
        CREATE TRIGGER ledger_note BEFORE INSERT ON ledger
            FOR EACH ROW FOLLOWS ledger_stamp
            BEGIN
                IF NEW.note IS NULL THEN SET NEW.note = 'none'; END IF;
            END;;
        DELIMITER ;
        CREATE TRIGGER ledger_audit AFTER DELETE ON ledger FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('deleted ', OLD.id));
        """;

    [MySqlFact]
    public async Task A_per_table_restore_over_an_existing_database_keeps_each_triggers_original_text()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_mytrt");
        await db.ExecAsync(Script);
        var before = await MySqlCorpusFingerprint.TakeAsync(db.Name);
        var (reader, _, _, _) = await db.DumpAsync();
        await db.ExecAsync("DELETE FROM ledger WHERE id = 1; UPDATE ledger SET note = 'changed';");

        await new MySqlProvider().ReplaceTablesAsync(new TableReplaceRequest(db.Target, new BackupRecord { Engine = DatabaseEngine.MySql },
            [new TableStat { Name = "ledger" }], false, db.NewName("dbb_mytrs"), 1), reader, new Progress<OperationProgress>(), CancellationToken.None);

        var after = await MySqlCorpusFingerprint.TakeAsync(db.Name);
        foreach (var key in new[] { "table `ledger`", "data `ledger`", "trigger `ledger_stamp`", "trigger `ledger_note`", "trigger `ledger_audit`" })
            Assert.True(before[key] == after.GetValueOrDefault(key), $"{key}:\n{before[key]}\n--- after the per-table restore:\n{after.GetValueOrDefault(key)}");
    }
}
