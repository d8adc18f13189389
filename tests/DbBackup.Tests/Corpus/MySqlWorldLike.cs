namespace DbBackup.Tests.Corpus;

/// <summary>A small database shaped like the public world sample: latin1 and utf8mb3 columns beside
/// utf8mb4 ones, place names with accents and other scripts, DECIMAL and FLOAT statistics. Written here
/// from the sample's published structure, not copied.</summary>
internal static class MySqlWorldLike
{
    public const string Script = """
        CREATE TABLE country (
          Code CHAR(3) NOT NULL DEFAULT '', Name CHAR(52) NOT NULL DEFAULT '',
          Continent ENUM('Asia','Europe','North America','Africa','Oceania','Antarctica','South America') NOT NULL DEFAULT 'Asia',
          Region CHAR(26) NOT NULL DEFAULT '', SurfaceArea DECIMAL(10,2) NOT NULL DEFAULT 0.00, IndepYear SMALLINT DEFAULT NULL,
          Population INT NOT NULL DEFAULT 0, LifeExpectancy DECIMAL(3,1) DEFAULT NULL, GNP FLOAT(10,2) DEFAULT NULL, GNPOld FLOAT DEFAULT NULL,
          LocalName CHAR(45) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL DEFAULT '',
          GovernmentForm CHAR(45) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci NOT NULL DEFAULT '',
          HeadOfState CHAR(60) DEFAULT NULL, Capital INT DEFAULT NULL, Code2 CHAR(2) NOT NULL DEFAULT '', PRIMARY KEY (Code)
        ) ENGINE=InnoDB DEFAULT CHARSET=latin1;
        CREATE TABLE city (
          ID INT NOT NULL AUTO_INCREMENT, Name CHAR(35) CHARACTER SET utf8mb3 NOT NULL DEFAULT '', CountryCode CHAR(3) CHARACTER SET latin1 NOT NULL DEFAULT '',
          District CHAR(20) NOT NULL DEFAULT '', Population INT NOT NULL DEFAULT 0, PRIMARY KEY (ID), KEY CountryCode (CountryCode),
          CONSTRAINT city_ibfk_1 FOREIGN KEY (CountryCode) REFERENCES country (Code)
        ) ENGINE=InnoDB AUTO_INCREMENT=4080 DEFAULT CHARSET=utf8mb3;
        CREATE TABLE countrylanguage (
          CountryCode CHAR(3) CHARACTER SET latin1 NOT NULL DEFAULT '', Language CHAR(30) NOT NULL DEFAULT '', IsOfficial ENUM('T','F') NOT NULL DEFAULT 'F',
          Percentage DECIMAL(4,1) NOT NULL DEFAULT 0.0, PRIMARY KEY (CountryCode, Language), KEY CountryCode (CountryCode),
          CONSTRAINT countryLanguage_ibfk_1 FOREIGN KEY (CountryCode) REFERENCES country (Code)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
        INSERT INTO country VALUES
          ('ABW', 'Aruba', 'North America', 'Caribbean', 193.00, NULL, 103000, 78.4, 828.00, 793.1, 'Aruba', 'Nonmetropolitan Territory of The Netherlands', 'Beatrix', 129, 'AW'),
          ('CIV', 'Côte d’Ivoire', 'Africa', 'Western Africa', 322463.00, 1960, 14786000, 45.2, 11345.00, 10285.123, 'Côte d\'Ivoire', 'République', 'Laurent Gbagbo', 2814, 'CI'),
          ('ISL', 'Iceland', 'Europe', 'Nordic Countries', 103000.00, 1944, 279000, 79.4, 8255.00, 7474.0, 'Ísland', 'Lýðveldið', 'Ólafur Ragnar Grímsson', 1449, 'IS'),
          ('JPN', 'Japan', 'Asia', 'Eastern Asia', 377829.00, -660, 126714000, 80.7, 3787042.00, 4192638.0, 'Nihon', '日本国 constitutional monarchy', 'Akihito', 1532, 'JP'),
          ('ATA', 'Antarctica', 'Antarctica', 'Antarctica', 13120000.00, NULL, 0, NULL, 0.00, NULL, '', 'Co-administrated', '', NULL, 'AQ');
        INSERT INTO city VALUES (129, 'Oranjestad', 'ABW', '–', 29034), (1449, 'Reykjavík', 'ISL', 'Höfuðborgarsvæði', 109184),
          (1532, 'Tokyo', 'JPN', 'Tokyo-to', 7980230), (2814, 'Yamoussoukro', 'CIV', 'Yamoussoukro', 130000), (1533, 'Jokohama [Yokohama]', 'JPN', 'Kanagawa', 3339594),
          (4079, 'Ōsaka', 'JPN', 'Ōsaka', 2595674);
        INSERT INTO countrylanguage VALUES ('ABW', 'Papiamento', 'F', 76.7), ('ABW', 'Dutch', 'T', 5.3), ('ISL', 'Icelandic', 'T', 95.7),
          ('CIV', 'Français', 'T', 0.0), ('JPN', 'Japanese', 'T', 99.1), ('JPN', 'Ainu', 'F', 0.0);
        """;
}
