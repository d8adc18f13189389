SET NAMES utf8mb4;
SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
CREATE TABLE `empty_one` (
  `id` int(11) NOT NULL,
  `v` varbinary(4) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE `kinds` (
  `id` int(11) NOT NULL,
  `b` blob DEFAULT NULL,
  `bin` binary(8) DEFAULT NULL,
  `vb` varbinary(64) DEFAULT NULL,
  `t3` varchar(40) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci DEFAULT NULL,
  `l1` varchar(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
  `txt` text DEFAULT NULL,
  `j` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`j`)),
  `bits` bit(12) DEFAULT NULL,
  `f` float DEFAULT NULL,
  `dtm` datetime(6) DEFAULT NULL,
  `e` enum('a','b c') DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
