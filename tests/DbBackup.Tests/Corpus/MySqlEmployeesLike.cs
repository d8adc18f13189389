namespace DbBackup.Tests.Corpus;

/// <summary>A small database shaped like the public employees sample: DATE ranges with the
/// '9999-01-01' open end, stored functions, two views that call them, views over views (the sample's
/// current_dept_emp over dept_emp_latest_date) and a procedure that reads a view. Written here from
/// the sample's published structure, not copied.</summary>
internal static class MySqlEmployeesLike
{
    public const string Script = """
        CREATE TABLE employees (
          emp_no INT NOT NULL, birth_date DATE NOT NULL, first_name VARCHAR(14) NOT NULL, last_name VARCHAR(16) NOT NULL,
          gender ENUM('M','F') NOT NULL, hire_date DATE NOT NULL, PRIMARY KEY (emp_no)
        ) ENGINE=InnoDB;
        CREATE TABLE departments (dept_no CHAR(4) NOT NULL, dept_name VARCHAR(40) NOT NULL, PRIMARY KEY (dept_no), UNIQUE KEY (dept_name)) ENGINE=InnoDB;
        CREATE TABLE dept_manager (
          emp_no INT NOT NULL, dept_no CHAR(4) NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL,
          FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE,
          FOREIGN KEY (dept_no) REFERENCES departments (dept_no) ON DELETE CASCADE, PRIMARY KEY (emp_no, dept_no)
        ) ENGINE=InnoDB;
        CREATE TABLE dept_emp (
          emp_no INT NOT NULL, dept_no CHAR(4) NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL,
          FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE,
          FOREIGN KEY (dept_no) REFERENCES departments (dept_no) ON DELETE CASCADE, PRIMARY KEY (emp_no, dept_no)
        ) ENGINE=InnoDB;
        CREATE TABLE titles (
          emp_no INT NOT NULL, title VARCHAR(50) NOT NULL, from_date DATE NOT NULL, to_date DATE,
          FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE, PRIMARY KEY (emp_no, title, from_date)
        ) ENGINE=InnoDB;
        CREATE TABLE salaries (
          emp_no INT NOT NULL, salary INT NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL,
          FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE, PRIMARY KEY (emp_no, from_date)
        ) ENGINE=InnoDB;

        INSERT INTO employees VALUES (10001, '1953-09-02', 'Georgi', 'Facello', 'M', '1986-06-26'),
          (10002, '1964-06-02', 'Bezalel', 'Simmel', 'F', '1985-11-21'), (10003, '1959-12-03', 'Parto', 'Bamford', 'M', '1986-08-28'),
          (10004, '1954-05-01', 'Chirstian', 'Koblick', 'M', '1986-12-01'), (110022, '1956-09-12', 'Margareta', 'Markovitch', 'M', '1985-01-01');
        INSERT INTO departments VALUES ('d001', 'Marketing'), ('d004', 'Production'), ('d005', 'Development');
        INSERT INTO dept_manager VALUES (110022, 'd001', '1985-01-01', '1991-10-01'), (10004, 'd001', '1991-10-01', '9999-01-01');
        INSERT INTO dept_emp VALUES (10001, 'd005', '1986-06-26', '9999-01-01'), (10002, 'd005', '1996-08-03', '9999-01-01'),
          (10003, 'd004', '1995-12-03', '9999-01-01'), (10004, 'd004', '1986-12-01', '1995-01-01'), (10004, 'd001', '1995-01-01', '9999-01-01'),
          (110022, 'd001', '1985-01-01', '9999-01-01');
        INSERT INTO titles VALUES (10001, 'Senior Engineer', '1986-06-26', '9999-01-01'), (10002, 'Staff', '1996-08-03', '9999-01-01'),
          (10004, 'Engineer', '1986-12-01', '1995-12-01'), (10004, 'Senior Engineer', '1995-12-01', NULL);
        INSERT INTO salaries VALUES (10001, 60117, '1986-06-26', '1987-06-26'), (10001, 88958, '2002-06-22', '9999-01-01'),
          (10002, 72527, '2001-08-02', '9999-01-01'), (10003, 43311, '2001-12-01', '9999-01-01'), (10004, 74057, '2001-11-27', '9999-01-01');

        CREATE VIEW dept_emp_latest_date AS SELECT emp_no, MAX(from_date) AS from_date, MAX(to_date) AS to_date FROM dept_emp GROUP BY emp_no;
        CREATE VIEW current_dept_emp AS
          SELECT l.emp_no, d.dept_no, l.from_date, l.to_date FROM dept_emp d
          INNER JOIN dept_emp_latest_date l ON d.emp_no = l.emp_no AND d.from_date = l.from_date AND l.to_date = d.to_date;

        DELIMITER //
        CREATE FUNCTION emp_dept_id(employee_id INT) RETURNS CHAR(4) READS SQL DATA
        BEGIN
          DECLARE max_date DATE;
          SET max_date = (SELECT MAX(from_date) FROM dept_emp WHERE emp_no = employee_id);
          RETURN (SELECT dept_no FROM dept_emp WHERE emp_no = employee_id AND from_date = max_date LIMIT 1);
        END //
        CREATE FUNCTION emp_dept_name(employee_id INT) RETURNS VARCHAR(40) READS SQL DATA
          RETURN (SELECT dept_name FROM departments WHERE dept_no = emp_dept_id(employee_id)) //
        CREATE FUNCTION emp_name(employee_id INT) RETURNS VARCHAR(32) READS SQL DATA
          RETURN (SELECT CONCAT(first_name, ' ', last_name) FROM employees WHERE emp_no = employee_id) //
        CREATE FUNCTION current_manager(dept_id CHAR(4)) RETURNS VARCHAR(32) READS SQL DATA
          RETURN (SELECT emp_name(emp_no) FROM dept_manager WHERE dept_no = dept_id AND to_date = '9999-01-01' LIMIT 1) //
        CREATE PROCEDURE show_departments() READS SQL DATA
          SELECT * FROM v_full_departments ORDER BY dept_no //
        DELIMITER ;

        CREATE VIEW v_full_employees AS
          SELECT emp_no, first_name, last_name, birth_date, gender, hire_date, emp_dept_name(emp_no) AS department FROM employees;
        CREATE VIEW v_full_departments AS
          SELECT dept_no, dept_name, current_manager(dept_no) AS manager FROM departments;
        CREATE VIEW v_department_headcount AS
          SELECT department, COUNT(*) AS headcount FROM v_full_employees GROUP BY department;
        """;
}
