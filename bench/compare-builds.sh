#!/usr/bin/env bash
# compare-builds.sh: two RaftKV builds side by side, as two 3-node clusters running at the same time, each
# with its own `raftkv bench` (docs/benchmarks.md). Both see the same machine at the same moment, so the
# ratio of their figures holds even while this machine's speed drifts.
#   bench/compare-builds.sh OLD_CHECKOUT [NEW_CHECKOUT]    # NEW defaults to this checkout
# Options (environment): ROUNDS (default 3), DURATION per level (default 10s), CONCURRENCY (default 1,64,256),
# WARMUP of writes at 64 in flight before the first round (default 60s), MVN_ARGS for builds, OLD_INSECURE=1
# / NEW_INSECURE=1 to run that side's cluster in plaintext (a build from before TLS is always plaintext), so
#   OLD_INSECURE=1 bench/compare-builds.sh . .
# sets plaintext (old) against TLS (new) on the same build.
# Each checkout is built with 'mvn package -DskipTests' if its CLI jar is missing. Clusters use client ports
# 7301-7303 (old) and 7501-7503 (new), peer ports 100 above; data under a temporary directory, deleted after.
# Prints each round's ops/s and p99 of both builds and the ratio new/old, then the mean ratio per level.
# Exit codes: 0 done, 1 a run failed, 2 bad command line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 || $# -gt 2 || "$1" == -* ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
old="$(cd "$1" && pwd)"
new="$(cd "${2:-$here/..}" && pwd)"
rounds="${ROUNDS:-3}"
duration="${DURATION:-10s}"
concurrency="${CONCURRENCY:-1,64,256}"
warmup="${WARMUP:-60s}"
work="$(mktemp -d)"

build() {
  if ! ls "$1"/kvstate/cli/target/raftkv-cli-*.jar >/dev/null 2>&1; then
    echo "compare-builds: building $1 (mvn -B -q package -DskipTests ${MVN_ARGS:-})"
    (cd "$1" && mvn -B -q package -DskipTests ${MVN_ARGS:-})
  fi
}

cluster() { # checkout base-port up|clean
  local insecure="${NEW_INSECURE:-0}"
  [[ "$2" == 7301 ]] && insecure="${OLD_INSECURE:-0}"
  (cd "$1" && RAFTKV_HOME="$work/cluster-$2" RAFTKV_BASE_PORT="$2" RAFTKV_INSECURE="$insecure" \
    ./deploy/cluster.sh "$3" >"$work/cluster-$2.$3.log" 2>&1)
}

endpoints() { echo "127.0.0.1:$1,127.0.0.1:$(($1 + 1)),127.0.0.1:$(($1 + 2))"; }

bench() { # checkout base-port output-file args...
  local dir="$1" port="$2" out="$3" certs="$work/cluster-$2/certs"
  shift 3
  if [[ -f "$certs/ca.crt" ]]; then # cluster.sh made the cluster's certificates: it runs TLS
    RAFTKV_ENDPOINTS="$(endpoints "$port")" RAFTKV_CACERT="$certs/ca.crt" RAFTKV_CERT="$certs/admin.crt" \
      RAFTKV_KEY="$certs/admin.key" "$dir/deploy/bin/raftkv" bench "$@" >"$out" 2>&1
  else
    RAFTKV_ENDPOINTS="$(endpoints "$port")" RAFTKV_INSECURE=1 "$dir/deploy/bin/raftkv" bench "$@" >"$out" 2>&1
  fi
}

cleanup() {
  cluster "$old" 7301 clean || true
  cluster "$new" 7501 clean || true
  rm -rf "$work"
}
trap cleanup EXIT

build "$old"
build "$new"
echo "compare-builds: old $(git -C "$old" rev-parse --short HEAD) ($old), new $(git -C "$new" rev-parse --short HEAD) ($new)"
echo "compare-builds: old cluster $([[ "${OLD_INSECURE:-0}" == 1 ]] && echo plaintext || echo 'TLS if its build has it'), new cluster $([[ "${NEW_INSECURE:-0}" == 1 ]] && echo plaintext || echo 'TLS if its build has it')"
cluster "$old" 7301 up
cluster "$new" 7501 up
echo "compare-builds: both clusters up; warming up with $warmup of writes at 64 in flight on both at once"
bench "$old" 7301 "$work/warm-old" --duration "$warmup" --warmup 0s --concurrency 64 --no-reads &
w1=$!
bench "$new" 7501 "$work/warm-new" --duration "$warmup" --warmup 0s --concurrency 64 --no-reads &
w2=$!
wait "$w1" && wait "$w2"

for round in $(seq 1 "$rounds"); do
  bench "$old" 7301 "$work/old-$round" --duration "$duration" --warmup 2s --concurrency "$concurrency" &
  b1=$!
  bench "$new" 7501 "$work/new-$round" --duration "$duration" --warmup 2s --concurrency "$concurrency" &
  b2=$!
  if ! wait "$b1" || ! wait "$b2"; then
    echo "compare-builds: a bench run failed in round $round:" >&2
    cat "$work/old-$round" "$work/new-$round" >&2
    exit 1
  fi
  echo "round $round ($(date -u +%H:%M:%S) UTC)"
  awk '
    FNR == 1 { file++ }
    ($1 == "write" || $1 == "read") && $2 ~ /^[0-9]+$/ { key = $1 " " $2; ops[file, key] = $3; p99[file, key] = $5
      if (file == 1) order[++n] = key }
    END { printf "  %-6s %8s %12s %12s %8s %10s %10s\n", "op", "inflight", "old ops/s", "new ops/s", "new/old", "old p99", "new p99"
      for (i = 1; i <= n; i++) { k = order[i]; split(k, parts, " ")
        printf "  %-6s %8s %12.0f %12.0f %8.3f %10.2f %10.2f\n", parts[1], parts[2], ops[1, k], ops[2, k],
          ops[2, k] / ops[1, k], p99[1, k], p99[2, k] } }' "$work/old-$round" "$work/new-$round" | tee "$work/ratio-$round"
done
echo "mean of the rounds (new/old ops/s):"
awk '$1 == "write" || $1 == "read" { k = $1 " " $2; sum[k] += $5; count[k]++; if (count[k] == 1) order[++n] = k }
  END { for (i = 1; i <= n; i++) printf "  %-12s %.3f\n", order[i], sum[order[i]] / count[order[i]] }' "$work"/ratio-*
