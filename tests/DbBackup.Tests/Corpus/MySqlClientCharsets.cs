namespace DbBackup.Tests.Corpus;

/// <summary>Objects created by clients that spoke latin1 or utf8mb3 (older clients, scripts with SET NAMES,
/// a C locale): SHOW CREATE and information_schema report each one's character_set_client and
/// collation_connection, and a mariadb-dump round trip keeps them. Bodies are ASCII under latin1 (a
/// non-ASCII body under latin1 is where the dump tool garbles the text) and non-ASCII under utf8mb3.</summary>
internal static class MySqlClientCharsets
{
    public const string Script = """
        CREATE TABLE notes (id INT PRIMARY KEY, note VARCHAR(40)) CHARACTER SET utf8mb4;
        INSERT INTO notes VALUES (1, 'grüße'), (2, NULL);
        SET NAMES latin1 COLLATE latin1_swedish_ci;
        CREATE TRIGGER notes_bi BEFORE INSERT ON notes FOR EACH ROW SET NEW.note = CONCAT(IFNULL(NEW.note, ''), '-l1');
        CREATE VIEW notes_plain AS SELECT id, 'plain' AS p FROM notes;
        CREATE FUNCTION next_id(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
        SET NAMES utf8mb3 COLLATE utf8mb3_general_ci;
        CREATE PROCEDURE greet() SELECT 'grüße, ünïcode' AS g;
        CREATE TRIGGER notes_bu BEFORE UPDATE ON notes FOR EACH ROW SET NEW.note = CONCAT(NEW.note, '-ü');
        CREATE EVENT notes_ev ON SCHEDULE AT '2035-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE DO UPDATE notes SET note = 'ëvent' WHERE id = 2;
        SET NAMES utf8mb4;
        """;
}
