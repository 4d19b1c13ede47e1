#!/usr/bin/env bash
# compare-etcd.sh: RaftKV beside etcd on this machine, in one run (docs/benchmarks.md, "RaftKV beside etcd").
# Builds RaftKV and the benchmark if they are not built, installs etcd from Debian's packages if it is
# missing (etcd-server, as root), then runs io.raftkv.bench.CompareEtcd, which starts a 3-member etcd
# cluster and a 3-node RaftKV cluster on loopback in turn and prints both systems' figures and the ratios.
#   bench/compare-etcd.sh                                # 2 rounds, 20 s per level after a 60 s warm-up
#   bench/compare-etcd.sh --duration 3s --warmup 2s --rounds 1   # a quick look
#   bench/compare-etcd.sh --help                         # every option
# Environment: MVN_ARGS is added to the build's mvn command line (e.g. -o -Dmaven.repo.local=...);
# BENCH_JAVA_OPTS to the load driver's JVM; RAFTKV_JAVA_OPTS reaches the RaftKV servers through deploy/bin/raftkv.
# Exit codes: 0 done, 1 a run failed, 2 bad command line, 3 a system did not start (or could not be installed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

find_jar() {
  local found=""
  for candidate in "$1"/"$2"-*.jar; do
    case "$candidate" in
      *-sources.jar|*-tests.jar|*\**) ;;
      *) found="$candidate" ;;
    esac
  done
  echo "$found"
}

bench_jar="$(find_jar "$here/target" raftkv-bench)"
cli_jar="$(find_jar "$repo/kvstate/cli/target" raftkv-cli)"
if [[ -z "$bench_jar" || -z "$cli_jar" || ! -d "$here/target/lib" || ! -d "$repo/kvstate/cli/target/lib" ]]; then
  echo "compare-etcd: building RaftKV and the benchmark (mvn -B -q -DskipTests package ${MVN_ARGS:-})..."
  (cd "$repo" && mvn -B -q -DskipTests ${MVN_ARGS:-} package)
  bench_jar="$(find_jar "$here/target" raftkv-bench)"
fi

if ! command -v etcd >/dev/null 2>&1; then
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "compare-etcd: etcd is not installed and this script can only install it as root with apt-get;" \
      "install etcd 3.4 (Debian: apt-get install -y etcd-server) and run again" >&2
    exit 3
  fi
  echo "compare-etcd: installing etcd (apt-get install -y etcd-server)..."
  if ! apt-get install -y etcd-server >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y etcd-server >/dev/null || {
      echo "compare-etcd: could not install etcd-server with apt-get; install etcd 3.4 and run again" >&2
      exit 3
    }
  fi
  # Debian's package starts a single-member etcd on the default ports where systemd runs; the benchmark
  # picks free ports of its own, so that one is left alone.
fi
echo "compare-etcd: $(etcd --version | head -1); $(java -version 2>&1 | head -1)"

# The driver is a load generator: C1 alone warms it up at a fraction of C2's CPU, leaving the CPU to the
# servers (as deploy/bin/raftkv does for its client commands); both systems get the same driver.
exec java -XX:TieredStopAtLevel=1 ${BENCH_JAVA_OPTS:-} -Draftkv.launcher="$repo/deploy/bin/raftkv" \
  -cp "$bench_jar:$here/target/lib/*" io.raftkv.bench.CompareEtcd "$@"
