#!/usr/bin/env bash
# Object-storage benchmark: the same PostgreSQL database backed up to a local folder, to Azurite and to
# s3rver with `dbbackup backup --wait`, restored from each into a new database (compared with the
# source table by table), verified, and copied on to the next store (local → Azurite → s3rver → local).
# Prints a Markdown table of wall time and peak RSS per step (also written to bench/results/objstore.md).
#
# Usage: bench/objstore.sh [--database DB] [--jobs N] [--stores "local azurite s3rver"]
#   --database  the source (default dbbackup_bench, the ~700 MB dataset bench/run.sh builds; a smaller
#               one for a trial: dbbackup_bench_s10)
#   --jobs      dbbackup's --jobs for backup and restore (default 2, as bench/run.sh)
# Azurite: AZURE_STORAGE_CONNECTION_STRING, else DBBACKUP_TEST_AZURE_CONNECTION_STRING (`source
# /work/test-env.sh`), blob endpoint BENCH_AZURE_URL (default http://127.0.0.1:10000/devstoreaccount1,
# the well-known development account). s3rver: AWS_ENDPOINT_URL_S3, else DBBACKUP_TEST_S3_ENDPOINT
# (default http://127.0.0.1:4569), keys AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default S3RVER).
# The script creates its own container and bucket (objstore-<time>) and deletes them on exit; DbBackup
# itself never creates one. Needs the `aws` CLI (for the bucket), python3, psql, jq, GNU time.
#
# Peak RSS: backup and restore, the worker's VmHWM (bench/rssmon.py; with --wait the CLI may run the
# worker in its own process, then it is the CLI's); verify and copy run in the CLI: GNU time's maximum.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
DB=dbbackup_bench
JOBS=2
STORES=(local azurite s3rver)
while [[ $# -gt 0 ]]; do
    case $1 in
        --database) DB=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --stores) read -r -a STORES <<<"$2"; shift 2 ;;
        *) echo "objstore.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

source "$BENCH/connection.sh"
export PGOPTIONS='-c client_min_messages=warning'
export AZURE_STORAGE_CONNECTION_STRING=${AZURE_STORAGE_CONNECTION_STRING:-${DBBACKUP_TEST_AZURE_CONNECTION_STRING:-}}
AZURE_URL=${BENCH_AZURE_URL:-http://127.0.0.1:10000/devstoreaccount1}
export AWS_ENDPOINT_URL_S3=${AWS_ENDPOINT_URL_S3:-${DBBACKUP_TEST_S3_ENDPOINT:-http://127.0.0.1:4569}}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${DBBACKUP_TEST_S3_ACCESS_KEY_ID:-S3RVER}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${DBBACKUP_TEST_S3_SECRET_ACCESS_KEY:-S3RVER}}
export AWS_REGION=${AWS_REGION:-us-east-1}

STAMP=$(date -u +%Y%m%dt%H%M%S)
RUN=$BENCH/out/objstore-$STAMP
NAME=objstore-$STAMP
mkdir -p "$RUN" "$BENCH/results"
declare -A REPO=([local]=$RUN/repository [azurite]=$AZURE_URL/$NAME/bench [s3rver]=s3://$NAME/bench)
declare -A NEXT=([local]=azurite [azurite]=s3rver [s3rver]=local)
declare -A COPY_TO=([local]=$RUN/copies [azurite]=$AZURE_URL/$NAME/copies [s3rver]=s3://$NAME/copies)
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
pg() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
mbk() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# Azurite's container: one Create/Delete Container call signed with the account key (no SDK needed).
container() {  # container PUT|DELETE NAME
    python3 - "$1" "$2" "$AZURE_URL" "$AZURE_STORAGE_CONNECTION_STRING" <<'EOF'
import base64, email.utils, hashlib, hmac, sys, urllib.parse, urllib.request
verb, name, url, conn = sys.argv[1:5]
parts = dict(p.split("=", 1) for p in conn.split(";") if "=" in p)
account, key = parts["AccountName"], parts["AccountKey"]
date, version = email.utils.formatdate(usegmt=True), "2021-08-06"
path = urllib.parse.urlparse(url).path.rstrip("/") + "/" + name
sts = f"{verb}\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{account}{path}\nrestype:container"
sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
urllib.request.urlopen(urllib.request.Request(f"{url.rstrip('/')}/{name}?restype=container", method=verb, headers={
    "x-ms-date": date, "x-ms-version": version, "Authorization": f"SharedKey {account}:{sig}", "Content-Length": "0"}))
EOF
}

# The restored copy must equal the source: an md5 of every table's rows in key order (COPY text).
signature() {
    local d=$1 t
    for t in $(pg "$d" "SELECT quote_ident(c.relname) FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname"); do
        printf '%s=' "$t"
        psql -X -q -d "$d" -c "COPY (SELECT * FROM $t ORDER BY 1) TO STDOUT" | md5sum | cut -c1-32
    done
}

cleanup() {
    local rc=$?
    [[ -n ${MONITOR_PID:-} ]] && kill -TERM "$MONITOR_PID" 2>/dev/null || true
    for d in $(pg postgres "SELECT datname FROM pg_database WHERE datname LIKE 'dbbackup\_bench\_r\_objstore\_%'" 2>/dev/null); do
        pg postgres "DROP DATABASE IF EXISTS \"$d\"" || true
    done
    [[ " ${STORES[*]} " == *" azurite "* ]] && { container DELETE "$NAME" 2>/dev/null || true; }
    [[ " ${STORES[*]} " == *" s3rver "* ]] && { aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 rb --force "s3://$NAME" >/dev/null 2>&1 || true; }
    rm -rf "$RUN/repository" "$RUN/copies"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the CLI (Release)"
RID=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
CLI_OUT=${BENCH_CLI_OUT:-$BENCH/out/cli-objstore}
dotnet publish "$ROOT/src/DbBackup.Cli" -c Release -r "$RID" --self-contained false -o "$CLI_OUT" -nologo -v quiet >"$RUN/publish.log" 2>&1 \
    || { cat "$RUN/publish.log" >&2; exit 1; }
DBB=$CLI_OUT/dbbackup
[[ " ${STORES[*]} " == *" azurite "* ]] && container PUT "$NAME"
[[ " ${STORES[*]} " == *" s3rver "* ]] && aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 mb "s3://$NAME" >/dev/null

SIZE=$(pg "$DB" "SELECT pg_size_pretty(pg_database_size(current_database()))")
log "source $DB ($SIZE): reading its signature"
SOURCE=$(signature "$DB")

# timed LABEL CMD...: WALL (s) and KB (GNU time's peak of the process and its reaped children).
# The 1-minute load average before each step goes into LOADS (the table's note gives min and max).
LOADS=()
timed() {
    local label=$1; shift
    LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
    /usr/bin/time -f '%e %M' -o "$RUN/$label.time" "$@" >"$RUN/$label.out"
    read -r WALL KB <"$RUN/$label.time"
}

# worker LABEL REPOSITORY ARGS...: as timed for `dbbackup ARGS --wait --json`, KB the worker's peak.
worker() {
    local label=$1 repo=$2; shift 2
    python3 "$BENCH/rssmon.py" "$repo" "$RUN/$label.rss" &
    MONITOR_PID=$!
    sleep 0.2
    timed "$label" "$DBB" --repository "$repo" "$@" --wait --json
    kill -TERM "$MONITOR_PID"; wait "$MONITOR_PID" || true; MONITOR_PID=
    local worker_kb cli_kb
    read -r worker_kb _ _ cli_kb _ <"$RUN/$label.rss"
    KB=$(( worker_kb > 0 ? worker_kb : cli_kb ))
    [[ $(jq -r .State "$RUN/$label.out") == Succeeded ]] || { echo "objstore.sh: $label did not succeed: $(jq -r .StatusMessage "$RUN/$label.out")" >&2; exit 1; }
}

ROWS=()
for store in "${STORES[@]}"; do
    repo=${REPO[$store]}
    log "$store: backup"
    worker "$store-backup" "$repo" backup --engine postgresql --host "$HOST" --port "$PG_PORT" --user "$DB_USER" --database "$DB" --jobs "$JOBS"
    row="| $store | $WALL s, $(mbk "$KB") MB"
    id=$(jq -r .Id "$RUN/$store-backup.out")
    size=$(jq -r '[.Files[].Size] | add' "$RUN/$store-backup.out")

    target=dbbackup_bench_r_objstore_$store
    log "$store: restore into $target"
    worker "$store-restore" "$repo" restore --id "$id" --engine postgresql --host "$HOST" --port "$PG_PORT" --user "$DB_USER" --target-database "$target" --jobs "$JOBS"
    row+=" | $WALL s, $(mbk "$KB") MB"
    if [[ $(signature "$target") == "$SOURCE" ]]; then check=ok; else check=FAIL; log "$store: $target differs from $DB"; fi
    pg postgres "DROP DATABASE \"$target\""

    log "$store: verify"
    timed "$store-verify" "$DBB" --repository "$repo" verify --id "$id" --json
    [[ $(jq -r .Passed "$RUN/$store-verify.out") == true ]] || { echo "objstore.sh: verify on $store failed: $(cat "$RUN/$store-verify.out")" >&2; exit 1; }
    row+=" | $WALL s, $(mbk "$KB") MB"

    next=${NEXT[$store]}
    log "$store: copy to $next"
    timed "$store-copy" "$DBB" --repository "$repo" copy --id "$id" --to "${COPY_TO[$next]}" --json
    row+=" | → $next: $WALL s, $(mbk "$KB") MB | $(awk -v b="$size" 'BEGIN { printf "%.0f", b / 1048576 }') MB | $check |"
    ROWS+=("$row")
    echo "$row" >&2
done

{
    echo "Database $DB ($SIZE), \`--jobs $JOBS\`; wall time and peak RSS of each step; $(nproc) cores, 1-minute load $(printf '%s\n' "${LOADS[@]}" | sort -g | sed -n '1p;$p' | paste -sd-) before the steps."
    echo
    echo "| store | backup --wait | restore --wait (new db) | verify | copy (to the next store) | payload | restore = source |"
    echo "|---|---|---|---|---|---:|---|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$BENCH/results/objstore.md"
[[ " ${ROWS[*]} " != *FAIL* ]]
