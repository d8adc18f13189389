namespace DbBackup.Tests.Corpus;

/// <summary>Names that differ only in letter case (lower_case_table_names = 0, the Linux default): tables,
/// a view, routines and triggers whose names collide when folded, each with its own rows.</summary>
internal static class MySqlCaseNames
{
    public const string Script = """
        CREATE TABLE Users (id INT PRIMARY KEY, v VARCHAR(5));
        CREATE TABLE users (id INT PRIMARY KEY, v VARCHAR(5));
        CREATE TABLE USERS (id INT PRIMARY KEY, v VARCHAR(5));
        INSERT INTO Users VALUES (1, 'Mixed'); INSERT INTO users VALUES (2, 'lower'); INSERT INTO USERS VALUES (3, 'UPPER');
        CREATE VIEW Users_v AS SELECT * FROM Users UNION ALL SELECT * FROM users;
        CREATE VIEW users_v AS SELECT * FROM USERS;
        CREATE TRIGGER Users_bi BEFORE INSERT ON Users FOR EACH ROW SET NEW.v = UPPER(NEW.v);
        CREATE TRIGGER users_bi2 BEFORE INSERT ON users FOR EACH ROW SET NEW.v = LOWER(NEW.v);
        """;
}
