#!/usr/bin/env bash
# Times the raftkv command line against a running cluster (issue 17; docs/benchmarks.md, "One-shot CLI and
# batch mode"): a one-shot `raftkv get` (median of 7 wall and CPU seconds, from /usr/bin/time) and batch
# mode's commands per second (sequential gets, then puts, through one process).
#   bench/oneshot-cli.sh [--vs OTHER_CHECKOUT] [--commands N]
# RAFTKV_ENDPOINTS names the cluster (e.g. after RAFTKV_BASE_PORT=7701 deploy/cluster.sh up:
# 127.0.0.1:7701,127.0.0.1:7702,127.0.0.1:7703). With --vs, the other checkout's deploy/bin/raftkv (built:
# mvn -B package -DskipTests) is timed too, the two alternating run by run so a drift of the machine's
# speed shows in both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
other=""
commands=2000
runs=7
while [[ $# -gt 0 ]]; do
  case "$1" in
    --vs) other="${2:?--vs needs a checkout directory}"; shift 2 ;;
    --commands) commands="${2:?--commands needs a number}"; shift 2 ;;
    *) echo "oneshot-cli.sh: unknown argument '$1'; usage: $0 [--vs OTHER_CHECKOUT] [--commands N]" >&2; exit 2 ;;
  esac
done
if ! [[ "$commands" =~ ^[0-9]+$ ]] || (( commands < 1 || commands > 1000000 )); then
  echo "oneshot-cli.sh: --commands is '$commands': give 1 to 1000000" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "oneshot-cli.sh: needs /usr/bin/time (apt-get install -y time)" >&2
  exit 2
fi
: "${RAFTKV_ENDPOINTS:?set RAFTKV_ENDPOINTS to the client addresses of the cluster}"
export RAFTKV_ENDPOINTS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

launchers=("$repo/deploy/bin/raftkv")
[[ -n "$other" ]] && launchers+=("$other/deploy/bin/raftkv")
for raftkv in "${launchers[@]}"; do
  "$raftkv" put oneshot-bench/key value --timeout 60s >/dev/null   # also makes the class-data archive if missing
done

# median COLUMN FILE: the median of a column of numbers
median() { sort -g "$2" | awk -v n="$(wc -l <"$2")" 'NR == int((n + 1) / 2) { print; exit }'; }

for i in $(seq 1 "$runs"); do
  for j in "${!launchers[@]}"; do
    # A get that fails (the cluster too slow to answer in 10 s on a loaded machine) is timed all the same.
    /usr/bin/time -f '%e %U %S' -o "$work/t" "${launchers[$j]}" get oneshot-bench/key >/dev/null || true
    tail -n 1 "$work/t" | awk '{ print $1 }' >>"$work/wall-$j"
    tail -n 1 "$work/t" | awk '{ print $2 + $3 }' >>"$work/cpu-$j"
  done
done
for j in "${!launchers[@]}"; do
  printf '%-50s get: median of %d: %s s wall, %s s CPU\n' "${launchers[$j]}" "$runs" \
    "$(median 1 "$work/wall-$j")" "$(median 1 "$work/cpu-$j")"
done

seq 1 "$commands" | awk '{ print "put oneshot-bench/k" $1 " value-" $1 }' >"$work/puts"
seq 1 "$commands" | awk '{ print "get oneshot-bench/k" $1 }' >"$work/gets"
for j in "${!launchers[@]}"; do
  if ! "${launchers[$j]}" --help 2>/dev/null | grep -q '^ *batch '; then
    echo "${launchers[$j]}: no batch command"
    continue
  fi
  for kind in puts gets; do
    /usr/bin/time -f '%e %U %S' -o "$work/t" "${launchers[$j]}" batch <"$work/$kind" >"$work/out" || true
    read -r wall user sys < <(tail -n 1 "$work/t")
    errors="$(grep -c '^ERR ' "$work/out" || true)"
    printf '%-50s batch of %d %s: %s s wall (%s commands/s, JVM start included), %.2f s CPU, %s ERR lines\n' \
      "${launchers[$j]}" "$commands" "$kind" "$wall" "$(awk -v n="$commands" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')" \
      "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$errors"
  done
done
