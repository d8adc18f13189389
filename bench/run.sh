#!/usr/bin/env bash
# Benchmark: dbbackup backup/restore against the standard tools, measured in the same run on the
# same ~700 MB dataset per engine. Prints a Markdown table (also written to bench/results/latest.md).
# See bench/README.md for what is measured and how to read it.
#
#   bench/run.sh [--rebuild] [--engine postgresql|mariadb]... [--repeat N] [--scale N] [--compression C] [--keep]
#
#   --rebuild   drop and regenerate the dbbackup_bench datasets even when they look complete
#   --engine    run only this engine (repeatable; default: both)
#   --repeat N  run every measurement N times (default 3) and report the median wall time
#   --scale N   dataset size in percent of the full ~700 MB per engine (1..100, default 100; or
#               BENCH_SCALE=N); a reduced dataset lives in its own database, dbbackup_bench_sN
#   --compression C  dbbackup's payload codec (default: dbbackup's default)
#   --keep      keep the dumps and the temporary repository under bench/out/run-*/ afterwards
#
# BENCH_SRC=DIR times the dbbackup of another source tree (e.g. `git archive <commit>` unpacked there),
# for before/after comparisons with this script's table; default: this checkout.
# Connection (defaults are the project's test servers): BENCH_HOST, BENCH_PG_PORT, BENCH_MY_PORT,
# BENCH_USER; passwords in PGPASSWORD / MYSQL_PWD (never on a command line).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")

REBUILD=0
KEEP=0
REPEAT=3
SCALE=${BENCH_SCALE:-100}
COMPRESSION=()
ENGINES=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rebuild) REBUILD=1 ;;
        --keep) KEEP=1 ;;
        --repeat)
            shift
            [[ "${1:-}" =~ ^[1-9]$ ]] || { echo "run.sh: --repeat takes 1..9; got '${1:-}'." >&2; exit 2; }
            REPEAT=$1 ;;
        --scale) shift; SCALE=${1:-} ;;
        --compression) shift; COMPRESSION=(--compression "${1:-}") ;;
        --engine)
            shift
            case "${1:-}" in
                postgresql|postgres|pg) ENGINES+=(postgresql) ;;
                mariadb|mysql) ENGINES+=(mariadb) ;;
                *) echo "run.sh: --engine '${1:-}' is not known; use postgresql or mariadb." >&2; exit 2 ;;
            esac ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (try --help)." >&2; exit 2 ;;
    esac
    shift
done
[[ ${#ENGINES[@]} -gt 0 ]] || ENGINES=(postgresql mariadb)

source "$BENCH/connection.sh"
export PGOPTIONS='-c client_min_messages=warning'   # no NOTICE for DROP … IF EXISTS
JOBS=2

DB=dbbackup_bench
TABLES=(customers products orders events attachments)
declare -A EXPECTED=([customers]=300000 [products]=100000 [orders]=1200000 [events]=1500000 [attachments]=100000)
# --scale / BENCH_SCALE=N (percent) shrinks the dataset (a busy machine, a trial); it gets its own database.
if [[ $SCALE != 100 ]]; then
    [[ $SCALE =~ ^[1-9][0-9]?$ ]] || { echo "run.sh: --scale / BENCH_SCALE must be 1..100 (percent); got '$SCALE'." >&2; exit 2; }
    DB=dbbackup_bench_s$SCALE
    for t in "${TABLES[@]}"; do EXPECTED[$t]=$(( EXPECTED[$t] * SCALE / 100 )); done
fi

RUN=$BENCH/out/run-$(date -u +%Y%m%dT%H%M%SZ)
REPO=$RUN/repository
mkdir -p "$RUN" "$BENCH/results"
export DBBACKUP_REPOSITORY=$REPO
ROWS=()          # table rows, appended as each measurement finishes
declare -A GOAL  # figures for the goals table: wall times, sizes, worker peaks
LOADS=()         # 1-minute load average before each measurement
FAILED=0
MONITOR_PID=""
ENGINE_NOW=""     # the engine being measured (server_cpu_ticks reads PostgreSQL's)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

pg() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
my() { mariadb -h "$HOST" -P "$MY_PORT" -u "$DB_USER" -N -B "$1" -e "$2"; }

# Only the targets this script restores into: other sessions' databases may share the prefix.
restored_dbs_pg() { pg postgres "SELECT datname FROM pg_database WHERE datname IN ('dbbackup_bench_r_dbbackup', 'dbbackup_bench_r_pg_restore')"; }
restored_dbs_my() { my information_schema "SELECT schema_name FROM schemata WHERE schema_name IN ('dbbackup_bench_r_dbbackup', 'dbbackup_bench_r_mariadb', 'dbbackup_bench_r_myloader')"; }
runs_engine() { [[ " ${ENGINES[*]} " == *" $1 "* ]]; }

cleanup() {
    local rc=$?
    [[ -n "$MONITOR_PID" ]] && kill -TERM "$MONITOR_PID" 2>/dev/null || true
    # Restored copies go; the dataset stays for the next run.
    # Only the engines this run measures: another run (another engine) may be restoring into its own.
    if runs_engine postgresql; then for d in $(restored_dbs_pg 2>/dev/null); do pg postgres "DROP DATABASE IF EXISTS \"$d\"" || true; done; fi
    if runs_engine mariadb; then for d in $(restored_dbs_my 2>/dev/null); do my information_schema "DROP DATABASE IF EXISTS \`$d\`" || true; done; fi
    rm -f "$RUN/my.cnf"
    if [[ $KEEP -eq 0 ]]; then rm -rf "$RUN"/dumps "$REPO"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites and build
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (apt-get install -y time)"
    apt-get install -y time >/dev/null
fi
if [[ " ${ENGINES[*]} " == *" mariadb "* ]] && ! command -v mydumper >/dev/null; then
    log "installing mydumper (apt-get install -y mydumper)"
    apt-get install -y mydumper >/dev/null || { apt-get update >/dev/null && apt-get install -y mydumper >/dev/null; }
fi
for tool in psql pg_dump pg_restore mariadb mariadb-dump mydumper myloader gzip python3 jq dotnet; do
    command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not installed." >&2; exit 1; }
done

SRC=${BENCH_SRC:-$ROOT}
CLI_OUT=$BENCH/out/cli
[[ $SRC == "$ROOT" ]] || CLI_OUT+="-$(basename "$SRC")"
log "building the CLI (Release) from $SRC"
# For this machine's runtime identifier, so the CLI is published precompiled (ReadyToRun, see its csproj).
RID=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
dotnet publish "$SRC/src/DbBackup.Cli" -c Release -r "$RID" --self-contained false -o "$CLI_OUT" -nologo -v quiet >"$RUN/publish.log" 2>&1 \
    || { cat "$RUN/publish.log" >&2; exit 1; }
DBB=$CLI_OUT/dbbackup

# mydumper/myloader read the password from a 0600 defaults file (deleted on exit), never argv.
(umask 077; printf '[client]\nhost=%s\nport=%s\nuser=%s\npassword=%s\n' "$HOST" "$MY_PORT" "$DB_USER" "$MYSQL_PWD" >"$RUN/my.cnf")
mkdir -p "$RUN/dumps"

# Leftovers of an interrupted run (of the engines measured now).
if runs_engine postgresql; then for d in $(restored_dbs_pg); do pg postgres "DROP DATABASE \"$d\""; done; fi
if runs_engine mariadb; then for d in $(restored_dbs_my); do my information_schema "DROP DATABASE \`$d\`"; done; fi

# ---------------------------------------------------------------- dataset
counts_pg() { local d=$1 t; for t in "${TABLES[@]}"; do printf '%s=%s ' "$t" "$(pg "$d" "SELECT count(*) FROM $t")"; done; }
counts_my() { local d=$1 t; for t in "${TABLES[@]}"; do printf '%s=%s ' "$t" "$(my "$d" "SELECT COUNT(*) FROM $t")"; done; }
expected_counts() { local t; for t in "${TABLES[@]}"; do printf '%s=%s ' "$t" "${EXPECTED[$t]}"; done; }

# Cheap content check: md5 over per-row md5s in key order (full-row text for two tables, the
# bytes of every blob), so a restore that changes any value, not only a count, is caught.
checksum_pg() {
    pg "$1" "SELECT (SELECT md5(string_agg(md5(c::text), '' ORDER BY id)) FROM customers c)
             || ' ' || (SELECT md5(string_agg(md5(o::text), '' ORDER BY id)) FROM orders o)
             || ' ' || (SELECT md5(string_agg(md5(content), '' ORDER BY id)) FROM attachments)"
}
checksum_my() {
    my "$1" "SET SESSION group_concat_max_len = 1073741824;
             SELECT CONCAT_WS(' ',
               (SELECT MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', id, name, email, country, created_at, balance)) ORDER BY id SEPARATOR '')) FROM customers),
               (SELECT MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', id, customer_id, product_id, created_at, IFNULL(shipped_at, 'NULL'), status,
                        quantity, amount, discount, gift, IFNULL(note, 'NULL'), attrs)) ORDER BY id SEPARATOR '')) FROM orders),
               (SELECT MD5(GROUP_CONCAT(MD5(content) ORDER BY id SEPARATOR '')) FROM attachments))"
}

ensure_dataset_pg() {
    if [[ $REBUILD -eq 0 && "$(pg postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" == 1 ]] \
        && [[ "$(counts_pg $DB 2>/dev/null)" == "$(expected_counts)" ]]; then
        log "postgresql: reusing $DB"
        return
    fi
    log "postgresql: building $DB"
    local t0=$SECONDS
    pg postgres "DROP DATABASE IF EXISTS $DB"
    pg postgres "CREATE DATABASE $DB"
    psql -X -q -d $DB -v ON_ERROR_STOP=1 -v customers="${EXPECTED[customers]}" -v products="${EXPECTED[products]}" \
        -v orders="${EXPECTED[orders]}" -v events="${EXPECTED[events]}" -v attachments="${EXPECTED[attachments]}" \
        -f "$BENCH/dataset-postgresql.sql"
    pg $DB "VACUUM"   # sets hint bits now, so no timed reader pays for them
    log "postgresql: built in $((SECONDS - t0)) s"
}

ensure_dataset_my() {
    if [[ $REBUILD -eq 0 && "$(my information_schema "SELECT 1 FROM schemata WHERE schema_name = '$DB'")" == 1 ]] \
        && [[ "$(counts_my $DB 2>/dev/null)" == "$(expected_counts)" ]]; then
        log "mariadb: reusing $DB"
        return
    fi
    log "mariadb: building $DB"
    local t0=$SECONDS
    my information_schema "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
    { printf 'SET @customers=%s, @products=%s, @orders=%s, @events=%s, @attachments=%s;\n' \
          "${EXPECTED[customers]}" "${EXPECTED[products]}" "${EXPECTED[orders]}" "${EXPECTED[events]}" "${EXPECTED[attachments]}"
      cat "$BENCH/dataset-mariadb.sql"; } | mariadb -h "$HOST" -P "$MY_PORT" -u "$DB_USER" $DB >/dev/null
    log "mariadb: built in $((SECONDS - t0)) s"
}

mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
children_note() { if [[ $1 -gt 0 ]]; then echo "child tools ≤ $(mbk "$1") MB"; else echo "child tools not sampled (each lived < 0.5 s)"; fi; }
mbk() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# ---------------------------------------------------------------- measuring
# measure LABEL CMD...: wall seconds and peak RSS (KB) of CMD via GNU time. For `bash -c 'a | b'`
# the kernel reports the largest single process of the pipeline (ru_maxrss is a max, not a sum).
# Also CPU seconds: CLIENT_CPU, the command's user+system time (its reaped children included: pg_restore's
# and pg_dump's job processes, a pipeline's members), and SERVER_CPU, what the PostgreSQL server's processes
# spent meanwhile (server_cpu_ticks; empty when it cannot be read). CPU stays comparable on a busy machine.
measure() {
    local label=$1 s0 s1 user sys; shift
    LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
    s0=$(server_cpu_ticks)
    /usr/bin/time -f '%e %M %U %S' -o "$RUN/$label.time" "$@"
    s1=$(server_cpu_ticks)
    read -r WALL RSS_KB user sys <"$RUN/$label.time"
    CLIENT_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    SERVER_CPU=""
    [[ -n $s0 && -n $s1 ]] && SERVER_CPU=$(awk -v a="$s0" -v b="$s1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
    return 0
}

# server_cpu_ticks: CPU ticks (user+system) of the local PostgreSQL cluster: the postmaster, its live
# processes and the backends it has reaped (the postmaster's cutime/cstime). Only for a server on this
# machine whose postmaster.pid is readable; other sessions' backends are counted too, so the figure is
# only as clean as the machine is quiet. Prints nothing when it cannot be read.
server_cpu_ticks() {
    [[ $ENGINE_NOW == postgresql && -n ${PG_POSTMASTER:-} && -r /proc/$PG_POSTMASTER/stat ]] || return 0
    local c total
    total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$PG_POSTMASTER/stat")
    for c in $(cat /proc/"$PG_POSTMASTER"/task/*/children 2>/dev/null); do
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}

# measure_dbbackup LABEL ARGS...: as measure, plus the detached worker's peak (rssmon.py), since the
# `--wait` CLI only polls. Leaves the CLI's JSON result in $RUN/LABEL.json.
measure_dbbackup() {
    local label=$1; shift
    python3 "$BENCH/rssmon.py" "$REPO" "$RUN/$label.rss" &
    MONITOR_PID=$!
    sleep 0.2   # let the monitor start scanning before the worker can appear
    measure "$label" "$DBB" --repository "$REPO" "$@" --wait --json >"$RUN/$label.json"
    kill -TERM "$MONITOR_PID"; wait "$MONITOR_PID" || true; MONITOR_PID=""
    # GNU time's figure for the CLI includes the worker (its reaped child); use the sampled one.
    read -r WORKER_KB CHILD_KB SUM_KB CLI_KB _ <"$RUN/$label.rss"
    # With --wait the CLI runs the worker in its own process (no detached worker to find): its peak is the worker's.
    if [[ $WORKER_KB -eq 0 ]]; then WORKER_KB=$CLI_KB; SUM_KB=$(larger "$SUM_KB" "$CLI_KB"); fi
    [[ "$(jq -r .State "$RUN/$label.json")" == Succeeded ]] \
        || { echo "run.sh: dbbackup $label did not succeed: $(jq -r .StatusMessage "$RUN/$label.json")" >&2; exit 1; }
    OP_SECONDS=$(jq -r '.Duration' "$RUN/$label.json" | awk -F: '{ printf "%.1f", $1 * 3600 + $2 * 60 + $3 }')
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
larger() { if (( $1 > $2 )); then echo "$1"; else echo "$2"; fi; }

# repeated PREP MEASURE_FN LABEL ARGS...: runs PREP (shell code, e.g. dropping a restore target)
# and MEASURE_FN, $REPEAT times. The machine is shared, so one run can be off by 2x; WALL becomes
# the median, RUNS the list of walls, and every memory figure the largest of the runs.
repeated() {
    local prep=$1 fn=$2 label=$3 i walls=() ops=() clients=() servers=() rss=0 worker=0 child=0 sum=0 cli=0
    shift 3
    for ((i = 1; i <= REPEAT; i++)); do
        eval "$prep"
        "$fn" "$label" "$@"
        walls+=("$WALL"); rss=$(larger "$rss" "$RSS_KB"); clients+=("$CLIENT_CPU")
        [[ -n $SERVER_CPU ]] && servers+=("$SERVER_CPU")
        if [[ $fn == measure_dbbackup ]]; then
            ops+=("$OP_SECONDS"); worker=$(larger "$worker" "$WORKER_KB"); child=$(larger "$child" "$CHILD_KB")
            sum=$(larger "$sum" "$SUM_KB"); cli=$(larger "$cli" "$CLI_KB")
        fi
    done
    WALL=$(median "${walls[@]}"); RUNS="runs $(IFS=/; echo "${walls[*]}") s"; RSS_KB=$rss
    # CPU seconds, medians: the command's own (client) and, for a local PostgreSQL, the server's.
    RUNS+="; CPU s client $(median "${clients[@]}")"
    [[ ${#servers[@]} -gt 0 ]] && RUNS+=", server $(median "${servers[@]}")"
    if [[ $fn == measure_dbbackup ]]; then
        OP_SECONDS=$(median "${ops[@]}"); WORKER_KB=$worker; CHILD_KB=$child; SUM_KB=$sum; CLI_KB=$cli
    fi
}

# row ENGINE OPERATION TOOL WALL REF_WALL SIZE_MB RSS_MB CHECK NOTES: one table row; the ratio
# column is dbbackup's wall time divided by this tool's (so >1 means dbbackup is slower).
row() {
    local ratio="—"
    [[ -n "$5" ]] && ratio=$(awk -v a="$5" -v b="$4" 'BEGIN { printf "%.2f", a / b }')
    ROWS+=("| $1 | $2 | $3 | $4 | $ratio | $6 | $7 | $8 | $9 |")
}

verify() {   # verify ENGINE DB: compare counts and checksums with the source, echo ok/FAIL
    local engine=$1 d=$2 got
    if [[ $engine == postgresql ]]; then got="$(counts_pg "$d")$(checksum_pg "$d")"; else got="$(counts_my "$d")$(checksum_my "$d")"; fi
    if [[ "$got" == "$SOURCE_SIGNATURE" ]]; then echo ok; else
        log "$engine: $d differs from the source: $got"; echo FAIL; fi
}

bench_postgresql() {
    local dbb_id dbb_size dbb_wall ref_wall restore_dbb check
    ENGINE_NOW=postgresql
    ensure_dataset_pg
    # The postmaster, for the server's CPU seconds (server_cpu_ticks): only a server on this machine.
    PG_POSTMASTER=$(head -1 "$(pg postgres 'SHOW data_directory' 2>/dev/null)/postmaster.pid" 2>/dev/null || true)
    SIZE_INFO_PG=$(pg $DB "SELECT round(pg_database_size(current_database()) / 1048576.0) || ' MB database, '
        || round(sum(pg_table_size(c.oid)) / 1048576.0) || ' MB table data (incl. TOAST), '
        || round(sum(pg_indexes_size(c.oid)) / 1048576.0) || ' MB indexes'
        FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace")
    log "postgresql: $SIZE_INFO_PG"
    # Reading everything once also warms the caches equally for every tool that follows.
    SOURCE_SIGNATURE="$(counts_pg $DB)$(checksum_pg $DB)"

    log "postgresql: dbbackup backup"
    repeated : measure_dbbackup pg-backup backup --engine postgresql --host "$HOST" --port "$PG_PORT" --user "$DB_USER" \
        --database $DB --jobs $JOBS --name bench "${COMPRESSION[@]}"
    dbb_id=$(jq -r .Id "$RUN/pg-backup.json")
    dbb_size=$(du -sb "$REPO/backups/$dbb_id" | cut -f1)
    dbb_wall=$WALL
    local dbb_row=("$WORKER_KB" "$CLI_KB" "$CHILD_KB" "$SUM_KB" "$OP_SECONDS" "$RUNS")
    local codec; codec=$(jq -r .Compression "$RUN/pg-backup.json")
    GOAL[pg_backup_dbb]=$dbb_wall; GOAL[pg_size_dbb]=$dbb_size; GOAL[pg_backup_rss]=$WORKER_KB

    log "postgresql: pg_dump -Fd -j$JOBS"
    repeated 'rm -rf "$RUN/dumps/pg_dump"' measure pg-dump pg_dump -Fd -j$JOBS -f "$RUN/dumps/pg_dump" $DB
    ref_wall=$WALL
    GOAL[pg_backup_ref]=$ref_wall; GOAL[pg_size_ref]=$(du -sb "$RUN/dumps/pg_dump" | cut -f1)
    row PostgreSQL backup "**dbbackup** (--jobs $JOBS, $codec)" "$dbb_wall" "" "$(mb "$dbb_size")" "$(mbk "${dbb_row[0]}")" "—" \
        "${dbb_row[5]}; worker; CLI $(mbk "${dbb_row[1]}") MB; $(children_note "${dbb_row[2]}"); worker+children ≤ $(mbk "${dbb_row[3]}") MB; record duration ${dbb_row[4]} s"
    row PostgreSQL backup "pg_dump -Fd -j$JOBS" "$ref_wall" "$dbb_wall" "$(mb "$(du -sb "$RUN/dumps/pg_dump" | cut -f1)")" "$(mbk "${RSS_KB}")" "—" \
        "$RUNS; largest process (pg_dump forks one per job)"

    log "postgresql: dbbackup restore"
    restore_dbb=dbbackup_bench_r_dbbackup
    repeated "pg postgres 'DROP DATABASE IF EXISTS $restore_dbb'" measure_dbbackup pg-restore-dbb restore --id "$dbb_id" --engine postgresql --host "$HOST" --port "$PG_PORT" \
        --user "$DB_USER" --target-database $restore_dbb --jobs $JOBS
    dbb_wall=$WALL
    dbb_row=("$WORKER_KB" "$CLI_KB" "$CHILD_KB" "$SUM_KB" "$OP_SECONDS" "$RUNS")
    GOAL[pg_restore_dbb]=$dbb_wall; GOAL[pg_restore_rss]=$WORKER_KB
    check=$(verify postgresql $restore_dbb)

    log "postgresql: pg_restore -j$JOBS"
    # The goal's anchor: the target is created before the clock starts (as the goal was first measured).
    repeated "pg postgres 'DROP DATABASE IF EXISTS dbbackup_bench_r_pg_restore'; pg postgres 'CREATE DATABASE dbbackup_bench_r_pg_restore'" \
        measure pg-restore pg_restore -j$JOBS -d dbbackup_bench_r_pg_restore "$RUN/dumps/pg_dump"
    ref_wall=$WALL
    GOAL[pg_restore_ref]=$ref_wall
    row PostgreSQL restore "**dbbackup** (--jobs $JOBS)" "$dbb_wall" "" "—" "$(mbk "${dbb_row[0]}")" "$check" \
        "${dbb_row[5]}; worker; CLI $(mbk "${dbb_row[1]}") MB; $(children_note "${dbb_row[2]}"); worker+children ≤ $(mbk "${dbb_row[3]}") MB; record duration ${dbb_row[4]} s"
    row PostgreSQL restore "pg_restore -j$JOBS (into a new db)" "$ref_wall" "$dbb_wall" "—" "$(mbk "${RSS_KB}")" \
        "$(verify postgresql dbbackup_bench_r_pg_restore)" "$RUNS; largest process; target created before the clock"

    # Equal work: dbbackup's timed restore creates its target database, so this anchor times createdb too.
    log "postgresql: createdb + pg_restore -j$JOBS"
    repeated "pg postgres 'DROP DATABASE IF EXISTS dbbackup_bench_r_pg_restore'" \
        measure pg-restore-createdb bash -c 'createdb "$1" && pg_restore -j"$2" -d "$1" "$3"' _ dbbackup_bench_r_pg_restore $JOBS "$RUN/dumps/pg_dump"
    GOAL[pg_restore_created_dbb]=$dbb_wall; GOAL[pg_restore_created_ref]=$WALL
    row PostgreSQL restore "createdb + pg_restore -j$JOBS (equal work)" "$WALL" "$dbb_wall" "—" "$(mbk "${RSS_KB}")" \
        "$(verify postgresql dbbackup_bench_r_pg_restore)" "$RUNS; largest process; createdb inside the clock, as dbbackup creates its target"
    for d in $restore_dbb dbbackup_bench_r_pg_restore; do pg postgres "DROP DATABASE $d"; done
    rm -rf "$RUN/dumps/pg_dump"
}

bench_mariadb() {
    local dbb_id dbb_size dbb_wall check
    ENGINE_NOW=mariadb
    ensure_dataset_my
    SIZE_INFO_MY=$(my information_schema "SELECT CONCAT(ROUND(SUM(data_length) / 1048576), ' MB table data, ',
        ROUND(SUM(index_length) / 1048576), ' MB indexes (information_schema, InnoDB estimates)')
        FROM tables WHERE table_schema = '$DB'")
    log "mariadb: $SIZE_INFO_MY"
    SOURCE_SIGNATURE="$(counts_my $DB)$(checksum_my $DB)"

    log "mariadb: dbbackup backup"
    repeated : measure_dbbackup my-backup backup --engine mariadb --host "$HOST" --port "$MY_PORT" --user "$DB_USER" \
        --database $DB --jobs $JOBS --name bench "${COMPRESSION[@]}"
    dbb_id=$(jq -r .Id "$RUN/my-backup.json")
    dbb_size=$(du -sb "$REPO/backups/$dbb_id" | cut -f1)
    dbb_wall=$WALL
    GOAL[my_backup_dbb]=$dbb_wall; GOAL[my_size_dbb]=$dbb_size; GOAL[my_backup_rss]=$WORKER_KB
    row MariaDB backup "**dbbackup** (--jobs $JOBS, $(jq -r .Compression "$RUN/my-backup.json"))" "$dbb_wall" "" "$(mb "$dbb_size")" "$(mbk "${WORKER_KB}")" "—" \
        "$RUNS; worker; CLI $(mbk "${CLI_KB}") MB; $(children_note "$CHILD_KB"); worker+children ≤ $(mbk "${SUM_KB}") MB; record duration $OP_SECONDS s"

    log "mariadb: mariadb-dump | gzip"
    repeated : measure my-dump bash -c 'mariadb-dump -h "$1" -P "$2" -u "$3" --single-transaction --routines --triggers --events "$4" | gzip >"$5"' \
        _ "$HOST" "$MY_PORT" "$DB_USER" $DB "$RUN/dumps/mariadb-dump.sql.gz"
    row MariaDB backup "mariadb-dump --single-transaction \| gzip" "$WALL" "$dbb_wall" "$(mb "$(stat -c %s "$RUN/dumps/mariadb-dump.sql.gz")")" \
        "$(mbk "${RSS_KB}")" "—" "$RUNS; largest process of the pipeline"

    log "mariadb: mydumper -t $JOBS -c"
    repeated 'rm -rf "$RUN/dumps/mydumper"' measure mydumper mydumper --defaults-file="$RUN/my.cnf" -B $DB -t $JOBS -c --trx-consistency-only -R -E -G \
        -o "$RUN/dumps/mydumper" 2>"$RUN/mydumper.log"   # it warns about --trx-consistency-only on every run
    GOAL[my_backup_ref]=$WALL; GOAL[my_size_ref]=$(du -sb "$RUN/dumps/mydumper" | cut -f1)
    row MariaDB backup "mydumper -t $JOBS -c --trx-consistency-only" "$WALL" "$dbb_wall" "$(mb "$(du -sb "$RUN/dumps/mydumper" | cut -f1)")" \
        "$(mbk "${RSS_KB}")" "—" "$RUNS; one thread per table (no --rows)"

    log "mariadb: dbbackup restore"
    repeated "my information_schema 'DROP DATABASE IF EXISTS dbbackup_bench_r_dbbackup'" measure_dbbackup my-restore-dbb restore --id "$dbb_id" --engine mariadb --host "$HOST" --port "$MY_PORT" \
        --user "$DB_USER" --target-database dbbackup_bench_r_dbbackup --jobs $JOBS
    dbb_wall=$WALL
    GOAL[my_restore_dbb]=$dbb_wall; GOAL[my_restore_rss]=$WORKER_KB
    check=$(verify mariadb dbbackup_bench_r_dbbackup)
    row MariaDB restore "**dbbackup** (--jobs $JOBS)" "$dbb_wall" "" "—" "$(mbk "${WORKER_KB}")" "$check" \
        "$RUNS; worker; CLI $(mbk "${CLI_KB}") MB; $(children_note "$CHILD_KB"); worker+children ≤ $(mbk "${SUM_KB}") MB; record duration $OP_SECONDS s"

    log "mariadb: gunzip | mariadb"
    repeated "my information_schema 'DROP DATABASE IF EXISTS dbbackup_bench_r_mariadb; CREATE DATABASE dbbackup_bench_r_mariadb'" \
        measure my-load bash -c 'gunzip -c "$5" | mariadb -h "$1" -P "$2" -u "$3" "$4"' \
        _ "$HOST" "$MY_PORT" "$DB_USER" dbbackup_bench_r_mariadb "$RUN/dumps/mariadb-dump.sql.gz"
    row MariaDB restore "gunzip \| mariadb" "$WALL" "$dbb_wall" "—" "$(mbk "${RSS_KB}")" "$(verify mariadb dbbackup_bench_r_mariadb)" \
        "$RUNS; largest process of the pipeline"

    log "mariadb: myloader -t $JOBS"
    repeated "my information_schema 'DROP DATABASE IF EXISTS dbbackup_bench_r_myloader; CREATE DATABASE dbbackup_bench_r_myloader'" \
        measure myloader myloader --defaults-file="$RUN/my.cnf" -d "$RUN/dumps/mydumper" -B dbbackup_bench_r_myloader -t $JOBS -o
    GOAL[my_restore_ref]=$WALL
    row MariaDB restore "myloader -t $JOBS" "$WALL" "$dbb_wall" "—" "$(mbk "${RSS_KB}")" "$(verify mariadb dbbackup_bench_r_myloader)" "$RUNS"
    for d in dbbackup_bench_r_dbbackup dbbackup_bench_r_mariadb dbbackup_bench_r_myloader; do my information_schema "DROP DATABASE $d"; done
    rm -rf "$RUN/dumps/mariadb-dump.sql.gz" "$RUN/dumps/mydumper"
}

# goal_row OPERATION ANCHOR KEY GOAL UNIT: one row of the goals table: dbbackup's figure, the
# anchor's, their ratio and whether it meets the goal; nothing when the engine was not run.
goal_row() {
    local dbb=${GOAL[${3}_dbb]:-} ref=${GOAL[${3}_ref]:-}
    [[ -n $dbb && -n $ref ]] || return 0
    awk -v op="$1" -v anchor="$2" -v a="$dbb" -v b="$ref" -v goal="$4" -v unit="$5" 'BEGIN {
        if (unit == "MB") { a /= 1048576; b /= 1048576 }
        r = a / b; f = (unit == "MB" ? "%.0f" : "%.2f")
        printf "| %s | %s | " f " %s | " f " %s | %.2f× | ≤ %.2f× | %s |\n", op, anchor, a, unit, b, unit, r, goal, (r <= goal ? "yes" : "**no**") }'
}

# The 1-minute load average sampled before every measurement, against the cores: a shared machine's
# ratios are only comparable within one run, and only while the load was steady.
load_note() {
    printf '%s\n' "${LOADS[@]}" | sort -g | awk -v cores="$(nproc)" '{ v[NR] = $1 }
        END { printf "Load average (1 min) before the %d measurements: min %s, median %s, max %s, on %d cores.", NR, v[1], v[int((NR + 1) / 2)], v[NR], cores }'
}

START=$(date -u '+%Y-%m-%d %H:%M UTC')
for e in "${ENGINES[@]}"; do "bench_$e"; done

# ---------------------------------------------------------------- report
{
    echo "### dbbackup benchmark, $START"
    echo
    echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -m | awk '/^Mem:/ { printf "%.1f GiB", $2 / 1024 }') RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), $(uname -r)."
    if [[ $SRC == "$ROOT" ]]; then
        echo "dbbackup $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo ' (+ uncommitted changes)') (Release), .NET $(dotnet --version)."
    else
        echo "dbbackup from $SRC (BENCH_SRC) (Release), .NET $(dotnet --version)."
    fi
    if [[ " ${ENGINES[*]} " == *" postgresql "* ]]; then
        echo "PostgreSQL $(pg postgres 'SHOW server_version'); $(pg_dump --version); dataset: $SIZE_INFO_PG."
    fi
    if [[ " ${ENGINES[*]} " == *" mariadb "* ]]; then
        echo "MariaDB $(my information_schema 'SELECT VERSION()'); $(mariadb-dump --version | sed 's/^.*Distrib/Distrib/'); $(mydumper --version | cut -d, -f1); dataset: $SIZE_INFO_MY."
    fi
    echo "Rows: $(expected_counts | sed 's/ $//'). Jobs/threads: $JOBS everywhere. Each measurement run $REPEAT times, in the order of the table; wall s is the median."
    echo
    echo "| engine | operation | tool | wall s | dbbackup ÷ this | size MB | peak RSS MB | restore check | RSS measured / notes |"
    echo "|---|---|---|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Wall time of the whole command (for dbbackup: the \`--wait\` CLI, from start to the final record)."
    echo "Restore check (after the last run of each restore): row counts of every table and md5 checksums of three tables equal to the source's."
    echo "Peak RSS: the largest over the runs; for dbbackup the worker's VmHWM (sampled by bench/rssmon.py; the CLI's own when --wait ran the worker in-process), for the others GNU time's %M."
    echo "$(load_note)$(if [[ $SCALE != 100 ]]; then echo " Dataset at $SCALE % of the full size."; fi)"
    echo
    echo "Goals (wall times are medians; ratio = dbbackup ÷ anchor):"
    echo
    echo "| operation | anchor | dbbackup | anchor | ratio | goal | met |"
    echo "|---|---|---:|---:|---:|---:|---|"
    goal_row "PostgreSQL backup" "pg_dump -Fd -j$JOBS" pg_backup 0.7 s
    goal_row "PostgreSQL restore" "pg_restore -j$JOBS into a new database (created before the clock; the goal is judged here)" pg_restore 0.8 s
    goal_row "PostgreSQL restore, equal work" "createdb + pg_restore -j$JOBS (for information)" pg_restore_created 0.8 s
    goal_row "MariaDB backup" "mydumper -t $JOBS" my_backup 0.8 s
    goal_row "MariaDB restore" "myloader -t $JOBS" my_restore 0.8 s
    goal_row "PostgreSQL compressed size" "pg_dump -Fd output" pg_size 1.05 MB
    goal_row "MariaDB compressed size" "mydumper -c output" my_size 1.05 MB
    peak=0; for k in pg_backup_rss pg_restore_rss my_backup_rss my_restore_rss; do peak=$(larger "$peak" "${GOAL[$k]:-0}"); done
    echo "| worker peak RSS (largest row) | — | $(mbk "$peak") MB | — | — | ≤ 200 MB | $([[ $peak -le 204800 ]] && echo yes || echo '**no**') |"
} | tee "$BENCH/results/latest.md"
for r in "${ROWS[@]}"; do [[ "$r" == *"| FAIL |"* ]] && FAILED=1; done
exit $FAILED
