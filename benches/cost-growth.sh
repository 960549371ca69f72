#!/usr/bin/env bash
# Instructions per replication of the default scenario (valgrind's callgrind: counts, not
# seconds, so the figures repeat on any machine load) as the horizon and the number of raiding
# bands grow: the tables "How the cost grows" of docs/PERFORMANCE.md.
#
#   benches/cost-growth.sh [path/to/sandtable]     (default: target/release/sandtable)
#
# Per replication = (instructions for 120 runs - instructions for 20 runs) / 100, so that
# loading the scenario and starting the threads cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/sandtable}")
default=$(realpath scenarios/gao-kidal-2023.toml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() { # runs, then the rest of the command line
    local runs=$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
        "$bin" run "$@" --runs "$runs" --threads 1 >/dev/null 2>"$work/log"
    grep -o 'Collected : [0-9]*' "$work/log" | grep -o '[0-9]*'
}

per_replication() {
    local small large
    small=$(instructions 20 "$@")
    large=$(instructions 120 "$@")
    echo $(( (large - small) / 100 ))
}

echo "| horizon (days) | instructions per replication |"
echo "|---|---|"
for days in 111 222 365 730; do
    echo "| $days | $(per_replication --set "horizon_days=$days") |"
done

echo
echo "| armed groups | instructions per replication |"
echo "|---|---|"
for extra in 0 6 12 24; do
    file="$work/bands-$extra.toml"
    echo "extends = \"$default\"" >"$file"
    for ((k = 1; k <= extra; k++)); do
        homes=(tarkint faguibine gourma)
        cat >>"$file" <<TOML

[[group]]
id = "extra_raiders_$k"
faction = "csp"
fighters = { min = 150, max = 350, source = "Assumption" }
technicals = { min = 20, max = 50, source = "Assumption" }
home = "${homes[$((k % 3))]}"
posture = "raid"
refuge = "tigharghar"
range_km = { min = 250, max = 350, source = "Assumption" }
speed_km_per_day = { min = 200, max = 400, source = "Assumption" }
TOML
    done
    echo "| $((6 + extra)) | $(per_replication "$file") |"
done
