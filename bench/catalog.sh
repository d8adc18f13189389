#!/usr/bin/env bash
# Catalog benchmark: how long `dbbackup list` and `status` take on repositories of many backups.
# For each size it seeds a fresh repository (bench/catalog: records stored directly through the
# storage interface, as a DbBackup without the catalog leaves them; no payload objects), drops its catalog, and times:
#   cold     `list --first 25` with no catalog (every manifest read, the catalog rebuilt)
#   first 25 `list --first 25` (the catalog's snapshot, 25 manifests)
#   filtered `list --database crm --state Failed --first 25`
#   status   `status --engine postgresql --host db1 --database crm`
# Warm figures are the median of --repeat runs (default 3), each a fresh dbbackup process, so they
# include its start-up (printed as "start-up": `dbbackup --version`). Each cell is "wall (CPU)": the
# process's user+system seconds next to its wall time, since on a shared machine the wall time is
# mostly waiting for a core. The CLI is published for this machine's runtime (ReadyToRun), as
# bench/run.sh does. Azure runs use one container per size, deleted at the end (Azurite deletes a
# container at once; thousands of blobs one by one only slowly).
# --azure-cold-max N: Azure sizes above N skip the cold list (on Azurite 100,000 manifest reads take many minutes):
# the seeder writes the snapshot itself (the bytes a list would write after reading the manifests).
# Usage: bench/catalog.sh [--sizes "1000 10000 100000"] [--azure-sizes "1000 10000"] [--repeat 3] [--azure-cold-max N]
# Azure runs need AZURE_STORAGE_CONNECTION_STRING (Azurite: `source /work/test-env.sh` sets
# DBBACKUP_TEST_AZURE_CONNECTION_STRING, used when the former is unset) and BENCH_AZURE_URL, the
# blob endpoint of the account (default http://127.0.0.1:10000/devstoreaccount1). BENCH_CLI_OUT: where the
# CLI is published (default bench/out/cli; another folder lets two runs overlap).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES="1000 10000 100000"
AZURE_SIZES="1000 10000"
REPEAT=3
COLD_MAX=999999999
while [[ $# -gt 0 ]]; do
    case $1 in
        --sizes) SIZES=$2; shift 2 ;;
        --azure-sizes) AZURE_SIZES=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --azure-cold-max) COLD_MAX=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
export AZURE_STORAGE_CONNECTION_STRING=${AZURE_STORAGE_CONNECTION_STRING:-${DBBACKUP_TEST_AZURE_CONNECTION_STRING:-}}
AZURE_URL=${BENCH_AZURE_URL:-http://127.0.0.1:10000/devstoreaccount1}
RUN=$ROOT/bench/out/catalog-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$RUN"
echo "building into $RUN ..." >&2
CLI_OUT=${BENCH_CLI_OUT:-$ROOT/bench/out/cli}
RID=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
dotnet publish "$ROOT/src/DbBackup.Cli" -c Release -r "$RID" --self-contained false -o "$CLI_OUT" -nologo -v quiet >"$RUN/publish.log" 2>&1 || { cat "$RUN/publish.log" >&2; exit 1; }
dotnet build "$ROOT/bench/catalog" -c Release -nologo -v quiet -o "$RUN/seeder" >"$RUN/build.log" 2>&1 || { cat "$RUN/build.log" >&2; exit 1; }
DBB=$CLI_OUT/dbbackup
SEED="$RUN/seeder/CatalogBench"

# "wall CPU" seconds of one command (wall 3 decimals, CPU user+system 2); its output goes to
# $RUN/last.out, a failure stops the run.
seconds() {
    /usr/bin/time -f "%e %U %S" -o "$RUN/time.txt" "$@" >"$RUN/last.out" 2>&1 || { echo "failed: $*" >&2; cat "$RUN/last.out" >&2; exit 1; }
    awk '{ printf "%.3f %.2f", $1, $2 + $3 }' "$RUN/time.txt"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# "wall (CPU)": one run.
cell() { local w c; read -r w c <<<"$(seconds "$@")"; echo "$w ($c)"; }

# "wall (CPU)": the medians of --repeat runs.
warm() {
    local walls=() cpus=() i w c
    for ((i = 0; i < REPEAT; i++)); do
        read -r w c <<<"$(seconds "$@")"
        walls+=("$w"); cpus+=("$c")
    done
    echo "$(median "${walls[@]}") ($(median "${cpus[@]}"))"
}

ROWS=()
bench_one() {  # store-name repository-address records
    local name=$1 repo=$2 n=$3 seeded cold first filtered status
    if [[ $name == Azurite ]] && ((n > COLD_MAX)); then
        seeded=$(seconds "$SEED" seed "$repo" "$n" --catalog | cut -d' ' -f1)
        cold="—"
    else
        seeded=$(seconds "$SEED" seed "$repo" "$n" | cut -d' ' -f1)
        "$SEED" drop-catalog "$repo" >/dev/null
        cold=$(cell "$DBB" list --repository "$repo" --first 25)
    fi
    first=$(warm "$DBB" list --repository "$repo" --first 25)
    grep -q "of $n" "$RUN/last.out" || { echo "list of $repo does not say 'of $n':" >&2; cat "$RUN/last.out" >&2; exit 1; }
    filtered=$(warm "$DBB" list --repository "$repo" --database crm --state Failed --first 25)
    status=$(warm "$DBB" status --repository "$repo" --engine postgresql --host db1 --database crm)
    ROWS+=("| $name | $n | $seeded | $cold | $first | $filtered | $status |")
    echo "${ROWS[-1]}" >&2
}

startup=$(warm "$DBB" --version | cut -d' ' -f1)
for n in $SIZES; do bench_one local "$RUN/local-$n" "$n"; done
if [[ -n $AZURE_SIZES && -n $AZURE_STORAGE_CONNECTION_STRING ]]; then
    for n in $AZURE_SIZES; do
        container=bench-catalog-$(basename "$RUN" | tr 'A-Z' 'a-z')-$n
        bench_one Azurite "$AZURE_URL/$container/repo" "$n"
        "$SEED" drop-container "$AZURE_URL/$container/repo"
    done
fi

echo
echo "Seconds, wall time (CPU: user+system) of one \`dbbackup\` process (start-up alone: $startup s); warm columns: median of $REPEAT. $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| store | backups | seed | cold list (no catalog) | list --first 25 | filtered list | status |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
