using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;

namespace DbBackup.Tests.Corpus;

/// <summary>A whole restore over an existing database swaps the restored copy in; sample databases
/// name their foreign keys, and the copy carries the same names as the database it replaces.</summary>
public sealed class MySqlCorpusSwapTests
{
    private const string Script = """
        CREATE TABLE shelf (id INT PRIMARY KEY, label VARCHAR(20));
        CREATE TABLE book (id INT PRIMARY KEY, shelf_id INT, title VARCHAR(40),
            CONSTRAINT fk_book_shelf FOREIGN KEY (shelf_id) REFERENCES shelf (id) ON UPDATE CASCADE);
        CREATE TRIGGER book_title BEFORE INSERT ON book
        	FOR EACH ROW SET NEW.title = TRIM(NEW.title);
        CREATE VIEW shelved AS SELECT b.title, s.label FROM book b JOIN shelf s ON s.id = b.shelf_id;
        """;

    [MySqlFact]
    public async Task A_database_whose_tables_have_named_foreign_keys_is_replaced_by_a_copy_with_the_same_key_names()
    {
        await using var db = await MySqlTestDatabase.CreateAsync("dbb_myswfk");
        await db.ExecAsync(Script + "INSERT INTO shelf VALUES (1, 'old'); INSERT INTO book VALUES (1, 1, 'old book');");
        var replacement = db.NewName("dbb_myswfr");
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{replacement}`;");
        await MySqlTestDatabase.ExecAsync(replacement, Script + "INSERT INTO shelf VALUES (2, 'new'); INSERT INTO book VALUES (2, 2, 'new book'), (3, NULL, 'loose');");
        var expected = await MySqlCorpusFingerprint.TakeAsync(replacement);

        await new MySqlProvider().SwapAsync(db.Target, db.Name, replacement, CancellationToken.None);

        var actual = await MySqlCorpusFingerprint.TakeAsync(db.Name);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys)
            Assert.True(expected[key] == actual[key], $"{key}:\n{expected[key]}\n---\n{actual[key]}");
        Assert.False(await db.ExistsAsync(replacement));
    }

    [MySqlFact]
    public async Task A_failure_at_any_step_of_a_swap_over_named_foreign_keys_leaves_both_databases_and_the_triggers_as_they_were()
    {
        foreach (var step in new[] { "before-rename", "after-rename", "after-objects" })
        {
            await using var db = await MySqlTestDatabase.CreateAsync("dbb_myswff");
            await db.ExecAsync(Script + "INSERT INTO shelf VALUES (1, 'old'); INSERT INTO book VALUES (1, 1, 'old book');");
            var replacement = db.NewName("dbb_myswfq");
            await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{replacement}`;");
            await MySqlTestDatabase.ExecAsync(replacement, Script + "INSERT INTO shelf VALUES (2, 'new');");
            var original = await MySqlCorpusFingerprint.TakeAsync(db.Name);
            var incoming = await MySqlCorpusFingerprint.TakeAsync(replacement);

            var provider = new MySqlProvider { SwapFaultInjection = s => { if (s == step) throw new IOException("injected at " + s); } };
            var e = await Assert.ThrowsAsync<DbBackup.Engine.DbBackupException>(() => provider.SwapAsync(db.Target, db.Name, replacement, CancellationToken.None));
            Assert.Contains("injected at " + step, e.Message, StringComparison.Ordinal);

            Assert.Equal(original, await MySqlCorpusFingerprint.TakeAsync(db.Name));
            Assert.Equal(incoming, await MySqlCorpusFingerprint.TakeAsync(replacement));
            // The original's trigger, dropped just before the commit, is back and fires.
            await db.ExecAsync("INSERT INTO book VALUES (5, 1, '  padded  ');");
            Assert.Equal("padded", (await db.QueryAsync("SELECT title FROM book WHERE id = 5"))[0][0]);
        }
    }
}
