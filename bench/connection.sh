# Sourced by bench/run.sh and bench/small.sh: where the servers are (defaults are the project's test
# servers) and how the standard tools reach them, so no connection option or password is on a command line.
HOST=${BENCH_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
MY_PORT=${BENCH_MY_PORT:-3306}
DB_USER=${BENCH_USER:-dbbackup}
export PGPASSWORD=${PGPASSWORD:-dbbackup-test-pw}
export MYSQL_PWD=${MYSQL_PWD:-dbbackup-test-pw}
# libpq tools read these, so no connection options are needed on their command lines.
export PGHOST=$HOST PGPORT=$PG_PORT PGUSER=$DB_USER
