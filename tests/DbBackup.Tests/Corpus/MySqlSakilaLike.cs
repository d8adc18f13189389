namespace DbBackup.Tests.Corpus;

/// <summary>A small database shaped like the public sakila sample (film rental): foreign keys with
/// ON DELETE/UPDATE rules, FULLTEXT and SPATIAL indexes, ENUM/SET/YEAR/BLOB, utf8mb4 text, views that
/// join and aggregate, triggers that keep a text table in step, stored functions and procedures.
/// Written here from the sample's published structure, not copied.</summary>
internal static class MySqlSakilaLike
{
    public const string Script = """
        CREATE TABLE language (
          language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT, name CHAR(20) NOT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, PRIMARY KEY (language_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE actor (
          actor_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT, first_name VARCHAR(45) NOT NULL, last_name VARCHAR(45) NOT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (actor_id), KEY idx_actor_last_name (last_name)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE film (
          film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT, title VARCHAR(128) NOT NULL, description TEXT,
          release_year YEAR DEFAULT NULL, language_id TINYINT UNSIGNED NOT NULL, original_language_id TINYINT UNSIGNED DEFAULT NULL,
          rental_duration TINYINT UNSIGNED NOT NULL DEFAULT 3, rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
          length SMALLINT UNSIGNED DEFAULT NULL, replacement_cost DECIMAL(5,2) NOT NULL DEFAULT 19.99,
          rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
          special_features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (film_id), KEY idx_title (title),
          CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id) ON DELETE RESTRICT ON UPDATE CASCADE,
          CONSTRAINT fk_film_language_original FOREIGN KEY (original_language_id) REFERENCES language (language_id) ON DELETE SET NULL ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE film_actor (
          actor_id SMALLINT UNSIGNED NOT NULL, film_id SMALLINT UNSIGNED NOT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (actor_id, film_id), KEY idx_fk_film_id (film_id),
          CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id) ON DELETE RESTRICT ON UPDATE CASCADE,
          CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON DELETE CASCADE ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE film_text (
          film_id SMALLINT NOT NULL, title VARCHAR(255) NOT NULL, description TEXT,
          PRIMARY KEY (film_id), FULLTEXT KEY idx_title_description (title, description)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE address (
          address_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT, address VARCHAR(50) NOT NULL, district VARCHAR(20) NOT NULL,
          postal_code VARCHAR(10) DEFAULT NULL, phone VARCHAR(20) NOT NULL, location POINT NOT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (address_id), SPATIAL KEY idx_location (location)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE staff (
          staff_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT, first_name VARCHAR(45) NOT NULL, last_name VARCHAR(45) NOT NULL,
          address_id SMALLINT UNSIGNED NOT NULL, picture BLOB DEFAULT NULL, email VARCHAR(50) DEFAULT NULL,
          active BOOLEAN NOT NULL DEFAULT TRUE, username VARCHAR(16) NOT NULL, password VARCHAR(40) BINARY DEFAULT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, PRIMARY KEY (staff_id),
          CONSTRAINT fk_staff_address FOREIGN KEY (address_id) REFERENCES address (address_id) ON DELETE RESTRICT ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE customer (
          customer_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT, first_name VARCHAR(45) NOT NULL, last_name VARCHAR(45) NOT NULL,
          email VARCHAR(50) DEFAULT NULL, address_id SMALLINT UNSIGNED NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE,
          create_date DATETIME NOT NULL, last_update TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (customer_id), KEY idx_last_name (last_name),
          CONSTRAINT fk_customer_address FOREIGN KEY (address_id) REFERENCES address (address_id) ON DELETE RESTRICT ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE rental (
          rental_id INT NOT NULL AUTO_INCREMENT, rental_date DATETIME NOT NULL, film_id SMALLINT UNSIGNED NOT NULL,
          customer_id SMALLINT UNSIGNED NOT NULL, return_date DATETIME DEFAULT NULL, staff_id TINYINT UNSIGNED NOT NULL,
          last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          PRIMARY KEY (rental_id), UNIQUE KEY (rental_date, film_id, customer_id),
          CONSTRAINT fk_rental_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON DELETE RESTRICT ON UPDATE CASCADE,
          CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON DELETE CASCADE ON UPDATE CASCADE,
          CONSTRAINT fk_rental_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id) ON DELETE RESTRICT ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE payment (
          payment_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT, customer_id SMALLINT UNSIGNED NOT NULL, staff_id TINYINT UNSIGNED NOT NULL,
          rental_id INT DEFAULT NULL, amount DECIMAL(5,2) NOT NULL, payment_date DATETIME NOT NULL,
          last_update TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, PRIMARY KEY (payment_id),
          CONSTRAINT fk_payment_rental FOREIGN KEY (rental_id) REFERENCES rental (rental_id) ON DELETE SET NULL ON UPDATE CASCADE,
          CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON DELETE RESTRICT ON UPDATE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

        DELIMITER ;;
        CREATE TRIGGER ins_film AFTER INSERT ON film FOR EACH ROW BEGIN
          INSERT INTO film_text (film_id, title, description) VALUES (new.film_id, new.title, new.description);
        END;;
        CREATE TRIGGER upd_film AFTER UPDATE ON film FOR EACH ROW BEGIN
          IF (old.title != new.title) OR (old.description != new.description) OR (old.film_id != new.film_id) THEN
            UPDATE film_text SET title = new.title, description = new.description, film_id = new.film_id WHERE film_id = old.film_id;
          END IF;
        END;;
        CREATE TRIGGER del_film AFTER DELETE ON film FOR EACH ROW BEGIN
          DELETE FROM film_text WHERE film_id = old.film_id;
        END;;
        CREATE TRIGGER customer_create_date BEFORE INSERT ON customer FOR EACH ROW
          SET NEW.create_date = IFNULL(NEW.create_date, NOW());;
        CREATE FUNCTION get_customer_balance(p_customer_id INT, p_effective_date DATETIME) RETURNS DECIMAL(5,2)
          DETERMINISTIC READS SQL DATA
        BEGIN
          DECLARE v_rentfees DECIMAL(5,2);
          DECLARE v_payments DECIMAL(5,2);
          SELECT IFNULL(SUM(f.rental_rate), 0) INTO v_rentfees FROM film f JOIN rental r ON r.film_id = f.film_id
            WHERE r.rental_date <= p_effective_date AND r.customer_id = p_customer_id;
          SELECT IFNULL(SUM(p.amount), 0) INTO v_payments FROM payment p
            WHERE p.payment_date <= p_effective_date AND p.customer_id = p_customer_id;
          RETURN v_rentfees - v_payments;
        END;;
        CREATE FUNCTION film_in_stock_count(p_film_id INT) RETURNS INT READS SQL DATA
          RETURN (SELECT COUNT(*) FROM rental WHERE film_id = p_film_id AND return_date IS NULL);;
        CREATE PROCEDURE rewards_report(IN min_monthly_purchases TINYINT UNSIGNED, OUT count_rewardees INT)
          READS SQL DATA COMMENT 'Provides a customizable report on best customers'
        proc: BEGIN
          IF min_monthly_purchases = 0 THEN
            SELECT 'Minimum monthly purchases parameter must be > 0';
            LEAVE proc;
          END IF;
          SELECT COUNT(DISTINCT customer_id) INTO count_rewardees FROM payment GROUP BY customer_id HAVING COUNT(*) >= min_monthly_purchases LIMIT 1;
        END;;
        DELIMITER ;

        INSERT INTO language (name) VALUES ('English'), ('Italiano'), ('日本語'), ('Français');
        INSERT INTO actor (first_name, last_name, last_update) VALUES ('PENELOPE', 'GUINESS', '2006-02-15 04:34:33'),
          ('NICK', 'WAHLBERG', '2006-02-15 04:34:33'), ('ZOË', 'ÅSTRÖM', '2006-02-15 04:34:33'), ('Émile', 'Brontë 😀', '2006-02-15 04:34:33');
        INSERT INTO film (title, description, release_year, language_id, original_language_id, length, rating, special_features, last_update) VALUES
          ('ACADEMY DINOSAUR', 'A Epic Drama of a Feminist And a Mad Scientist', 2006, 1, NULL, 86, 'PG', 'Deleted Scenes,Behind the Scenes', '2006-02-15 05:03:42'),
          ('ACE GOLDFINGER', 'A Astounding Epistle of a Database Administrator', 2006, 1, 2, 48, 'G', 'Trailers,Deleted Scenes', '2006-02-15 05:03:42'),
          ('AMÉLIE À PARIS', 'Une comédie — «très» drôle', 2001, 4, 4, 122, 'R', '', '2006-02-15 05:03:42'),
          ('NO DESCRIPTION', NULL, NULL, 3, NULL, NULL, 'NC-17', NULL, '2006-02-15 05:03:42');
        INSERT INTO film_actor (actor_id, film_id, last_update) VALUES (1, 1, '2006-02-15 05:05:03'), (1, 2, '2006-02-15 05:05:03'), (3, 3, '2006-02-15 05:05:03'), (4, 3, '2006-02-15 05:05:03');
        INSERT INTO address (address, district, postal_code, phone, location, last_update) VALUES
          ('47 MySakila Drive', 'Alberta', NULL, '', ST_GeomFromText('POINT(-112.8185647 49.6999986)'), '2014-09-25 22:30:27'),
          ('28 MySQL Boulevard', 'QLD', '', '', ST_GeomFromText('POINT(153.1408538 -27.6333361)'), '2014-09-25 22:30:09');
        INSERT INTO staff (first_name, last_name, address_id, picture, email, username, password, last_update) VALUES
          ('Mike', 'Hillyer', 1, X'89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C489', 'Mike.Hillyer@sakilastaff.com', 'Mike', '8cb2237d0679ca88db6464eac60da96345513964', '2006-02-15 03:57:16'),
          ('Jon', 'Stephens', 2, NULL, NULL, 'Jon', NULL, '2006-02-15 03:57:16');
        INSERT INTO customer (first_name, last_name, email, address_id, active, create_date, last_update) VALUES
          ('MARY', 'SMITH', 'MARY.SMITH@sakilacustomer.org', 1, 1, '2006-02-14 22:04:36', '2006-02-15 04:57:20'),
          ('JOSÉ', 'NÚÑEZ', NULL, 2, 0, '2006-02-14 22:04:36', NULL);
        INSERT INTO rental (rental_date, film_id, customer_id, return_date, staff_id, last_update) VALUES
          ('2005-05-24 22:53:30', 1, 1, '2005-05-26 22:04:30', 1, '2006-02-15 21:30:53'),
          ('2005-05-24 22:54:33', 2, 1, NULL, 1, '2006-02-15 21:30:53'), ('2005-05-25 00:00:40', 3, 2, NULL, 2, '2006-02-15 21:30:53');
        INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date, last_update) VALUES
          (1, 1, 1, 2.99, '2005-05-25 11:30:37', '2006-02-15 22:12:30'), (1, 1, NULL, 0.99, '2005-05-28 10:35:23', '2006-02-15 22:12:30'),
          (2, 2, 3, 5.99, '2005-06-15 00:54:12', NULL);
        DELETE FROM rental WHERE rental_id = 2;

        CREATE VIEW actor_info AS
          SELECT a.actor_id, a.first_name, a.last_name, GROUP_CONCAT(DISTINCT f.title ORDER BY f.title SEPARATOR ', ') AS film_info
          FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id LEFT JOIN film f ON f.film_id = fa.film_id
          GROUP BY a.actor_id, a.first_name, a.last_name;
        CREATE VIEW customer_list AS
          SELECT cu.customer_id AS ID, CONCAT(cu.first_name, _utf8mb4' ', cu.last_name) AS name, a.address, a.postal_code AS `zip code`,
                 a.phone, IF(cu.active, _utf8mb4'active', _utf8mb4'') AS notes, get_customer_balance(cu.customer_id, '2030-01-01') AS balance
          FROM customer cu JOIN address a ON cu.address_id = a.address_id;
        CREATE VIEW film_list AS
          SELECT f.film_id AS FID, f.title, f.description, f.rental_rate AS price, f.length, f.rating,
                 film_in_stock_count(f.film_id) AS out_now
          FROM film f;
        CREATE VIEW sales_by_staff AS
          SELECT s.staff_id, SUM(p.amount) AS total_sales FROM payment p JOIN staff s ON s.staff_id = p.staff_id GROUP BY s.staff_id;
        """;
}
