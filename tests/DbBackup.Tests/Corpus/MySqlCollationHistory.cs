namespace DbBackup.Tests.Corpus;

/// <summary>Objects created while the database had other defaults than it has now (an application that
/// started on latin1 and moved to utf8mb4 with ALTER DATABASE): each routine, trigger and event keeps the
/// database collation it was made under (SHOW CREATE's "Database Collation", which also gives a routine's
/// undeclared parameter and return charsets), and tables keep theirs.</summary>
internal static class MySqlCollationHistory
{
    public const string Script = """
        ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci;
        CREATE TABLE legacy (id INT PRIMARY KEY, name VARCHAR(20), note TEXT);
        INSERT INTO legacy VALUES (1, 'café', 'naïve'), (2, '', NULL);
        CREATE FUNCTION legacy_upper(s VARCHAR(20)) RETURNS VARCHAR(20) DETERMINISTIC RETURN UPPER(s);
        CREATE PROCEDURE legacy_names() SELECT legacy_upper(name) AS n FROM legacy;
        CREATE TRIGGER legacy_bi BEFORE INSERT ON legacy FOR EACH ROW SET NEW.note = IFNULL(NEW.note, 'none');
        CREATE EVENT legacy_ev ON SCHEDULE AT '2036-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM legacy WHERE id < 0;
        CREATE VIEW legacy_v AS SELECT id, CONCAT(name, '!') AS loud FROM legacy;
        ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE TABLE modern (id INT PRIMARY KEY, name VARCHAR(20));
        INSERT INTO modern VALUES (1, 'ünïcode 😀');
        CREATE FUNCTION modern_upper(s VARCHAR(20)) RETURNS VARCHAR(20) DETERMINISTIC RETURN UPPER(s);
        """;
}
