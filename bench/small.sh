#!/usr/bin/env bash
# The small-database goal: `dbbackup backup --wait` (and `restore --wait`) of the 1 % dataset (about
# 8 MB of table data per engine), end to end through the CLI, median of N runs. Given several CLI
# folders, each round runs every one in turn, so a loaded machine weighs on all of them alike.
#
#   bench/small.sh [--engine postgresql|mariadb]... [--repeat N] [CLI_DIR...]
#
# CLI_DIR: a published CLI (holding `dbbackup`); default: this checkout, published as bench/run.sh
# does (Release, ReadyToRun for this machine's runtime). The dataset is bench/run.sh's at --scale 1
# (database dbbackup_bench_s1); create it once with `bench/run.sh --scale 1 --repeat 1`.
# Connection and passwords as for bench/run.sh (BENCH_HOST, BENCH_PG_PORT, BENCH_MY_PORT, BENCH_USER,
# PGPASSWORD, MYSQL_PWD). Set DBBACKUP_DEBUG_TIMINGS=1 to see where each command's time goes.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
REPEAT=5
ENGINES=()
CLIS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --repeat) shift; [[ "${1:-}" =~ ^[1-9][0-9]?$ ]] || { echo "small.sh: --repeat takes 1..99; got '${1:-}'." >&2; exit 2; }; REPEAT=$1 ;;
        --engine)
            shift
            case "${1:-}" in
                postgresql|postgres|pg) ENGINES+=(postgresql) ;;
                mariadb|mysql) ENGINES+=(mariadb) ;;
                *) echo "small.sh: --engine '${1:-}' is not known; use postgresql or mariadb." >&2; exit 2 ;;
            esac ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        -*) echo "small.sh: unknown option '$1' (try --help)." >&2; exit 2 ;;
        *) [[ -x "$1/dbbackup" ]] || { echo "small.sh: '$1' holds no dbbackup executable." >&2; exit 2; }; CLIS+=("$(cd "$1" && pwd)") ;;
    esac
    shift
done
[[ ${#ENGINES[@]} -gt 0 ]] || ENGINES=(postgresql mariadb)

source "$BENCH/connection.sh"
export PGOPTIONS='-c client_min_messages=warning'
DB=dbbackup_bench_s1
RUN=$BENCH/out/small-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
trap 'rm -rf "$RUN"' EXIT

pg() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
my() { mariadb -h "$HOST" -P "$MY_PORT" -u "$DB_USER" -N -B "$1" -e "$2"; }
drop() { if [[ $1 == postgresql ]]; then pg postgres "DROP DATABASE IF EXISTS $2"; else my information_schema "DROP DATABASE IF EXISTS $2"; fi; }
port() { if [[ $1 == postgresql ]]; then echo "$PG_PORT"; else echo "$MY_PORT"; fi; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

if [[ ${#CLIS[@]} -eq 0 ]]; then
    RID=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
    dotnet publish "$ROOT/src/DbBackup.Cli" -c Release -r "$RID" --self-contained false -o "$BENCH/out/cli" -nologo -v quiet >"$RUN/publish.log" 2>&1 \
        || { cat "$RUN/publish.log" >&2; exit 1; }
    CLIS=("$BENCH/out/cli")
fi
for engine in "${ENGINES[@]}"; do
    if [[ $engine == postgresql ]]; then exists=$(pg postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")
    else exists=$(my information_schema "SELECT 1 FROM schemata WHERE schema_name = '$DB'"); fi
    [[ $exists == 1 ]] || { echo "small.sh: $engine has no database $DB; create it with bench/run.sh --scale 1 --repeat 1 --engine $engine." >&2; exit 1; }
done

declare -A BACKUP RESTORE
LOADS=()
for engine in "${ENGINES[@]}"; do
    for round in $(seq "$REPEAT"); do
        for i in "${!CLIS[@]}"; do
            cli=${CLIS[$i]}
            export DBBACKUP_REPOSITORY=$RUN/repository-$i
            common=(--engine "$engine" --host "$HOST" --port "$(port "$engine")" --user "$DB_USER" --jobs 2 --wait --json)
            LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
            t0=$(date +%s%N)
            "$cli/dbbackup" backup "${common[@]}" --database $DB >"$RUN/backup.json"
            BACKUP[$engine,$i]+="$(ms "$t0") "
            target=dbbackup_bench_r_small
            drop "$engine" $target
            t0=$(date +%s%N)
            "$cli/dbbackup" restore "${common[@]}" --id "$(jq -r .Id "$RUN/backup.json")" --target-database $target >/dev/null
            RESTORE[$engine,$i]+="$(ms "$t0") "
            drop "$engine" $target
        done
    done
done

echo "| engine | CLI | backup --wait, median ms | restore --wait, median ms | runs (backup / restore) |"
echo "|---|---|---:|---:|---|"
for engine in "${ENGINES[@]}"; do
    for i in "${!CLIS[@]}"; do
        # shellcheck disable=SC2086
        echo "| $engine | ${CLIS[$i]#"$ROOT/"} | $(median ${BACKUP[$engine,$i]}) | $(median ${RESTORE[$engine,$i]}) | ${BACKUP[$engine,$i]% }/ ${RESTORE[$engine,$i]% } |"
    done
done
echo
echo "Load average (1 min) before each run: min $(printf '%s\n' "${LOADS[@]}" | sort -n | head -1), median $(median "${LOADS[@]}"), max $(printf '%s\n' "${LOADS[@]}" | sort -n | tail -1), on $(nproc) cores."
