-- DbBackup test extension: two configuration tables as extensions such as PostGIS (spatial_ref_sys) and
-- pg_partman (part_config) have. The extension's own rows are created here; pg_dump dumps only the rows
-- that the extcondition selects (the user's), and all rows of a table registered with an empty condition.
CREATE TABLE dbbackup_cfgtest_setting (name text PRIMARY KEY, value text, builtin boolean NOT NULL DEFAULT false);
INSERT INTO dbbackup_cfgtest_setting VALUES ('version', '1.0', true), ('mode', 'default', true);
SELECT pg_catalog.pg_extension_config_dump('dbbackup_cfgtest_setting', 'WHERE NOT builtin');
CREATE TABLE dbbackup_cfgtest_job (id int PRIMARY KEY, command text);
SELECT pg_catalog.pg_extension_config_dump('dbbackup_cfgtest_job', '');
CREATE SEQUENCE dbbackup_cfgtest_seq;
SELECT pg_catalog.pg_extension_config_dump('dbbackup_cfgtest_seq', '');
