#!/usr/bin/env bash
# Runs a 3-node RaftKV cluster on this machine (loopback), from the jars 'mvn package' builds.
#   ./deploy/cluster.sh up      build if needed, start 3 nodes, wait for a leader, write and read a key
#   ./deploy/cluster.sh status  show each node's role, term, commit and applied index
#   ./deploy/cluster.sh down    stop the nodes (data is kept; 'up' restarts them from it)
#   ./deploy/cluster.sh clean   stop the nodes and delete their data
# Environment: RAFTKV_HOME (default ./.raftkv-cluster) holds data, logs and certificates; RAFTKV_BASE_PORT
# (default 7001) gives client ports BASE..BASE+2 and peer ports BASE+100..BASE+102.
# Secure by default: the first 'up' makes a CA and certificates ('raftkv certs init') in $RAFTKV_HOME/certs,
# the nodes serve TLS with them, and clients use the admin certificate. RAFTKV_INSECURE=1 runs plaintext.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
home="${RAFTKV_HOME:-$repo/.raftkv-cluster}"
base="${RAFTKV_BASE_PORT:-7001}"
raftkv="$here/bin/raftkv"
certs="$home/certs"
insecure="${RAFTKV_INSECURE:-0}"
[[ "$insecure" == 0 || "$insecure" == 1 ]] || { echo "RAFTKV_INSECURE is '$insecure': expected 1 (plaintext) or 0" >&2; exit 2; }

# What clients need to reach the cluster, in the environment of this script's own client commands.
client_environment() {
  export RAFTKV_ENDPOINTS
  RAFTKV_ENDPOINTS="$(endpoints)"
  if [[ "$insecure" == 1 ]]; then
    export RAFTKV_INSECURE=1
  else
    export RAFTKV_CACERT="$certs/ca.crt" RAFTKV_CERT="$certs/admin.crt" RAFTKV_KEY="$certs/admin.key"
  fi
}

client_hint() {
  if [[ "$insecure" == 1 ]]; then
    echo "export RAFTKV_ENDPOINTS=$(endpoints) RAFTKV_INSECURE=1"
  else
    echo "export RAFTKV_ENDPOINTS=$(endpoints) RAFTKV_CACERT=$certs/ca.crt RAFTKV_CERT=$certs/admin.crt RAFTKV_KEY=$certs/admin.key"
  fi
}

client_port() { echo $((base + $1 - 1)); }
peer_port() { echo $((base + 100 + $1 - 1)); }
endpoints() { echo "127.0.0.1:$(client_port 1),127.0.0.1:$(client_port 2),127.0.0.1:$(client_port 3)"; }
pid_of() { [[ -f "$home/node-$1.pid" ]] && cat "$home/node-$1.pid" || true; }
alive() { local pid; pid=$(pid_of "$1"); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

up() {
  for i in 1 2 3; do
    if alive "$i"; then
      echo "the cluster is already running (node $i has pid $(pid_of "$i")); './deploy/cluster.sh status' shows it,"
      echo "'./deploy/cluster.sh down' stops it"
      exit 1
    fi
  done
  for i in 1 2 3; do
    for port in "$(client_port "$i")" "$(peer_port "$i")"; do
      if ! port_free "$port"; then
        echo "port $port is in use by another program; set RAFTKV_BASE_PORT to use other ports" >&2
        exit 1
      fi
    done
  done
  if ! ls "$repo"/kvstate/cli/target/raftkv-cli-*.jar >/dev/null 2>&1; then
    echo "building RaftKV (mvn -B -q package -DskipTests)..."
    (cd "$repo" && mvn -B -q package -DskipTests)
  fi
  mkdir -p "$home"
  if [[ "$insecure" == 0 && ! -f "$certs/ca.crt" ]]; then
    "$raftkv" certs init --dir "$certs" --nodes 3 >"$home/certs-init.log" \
      || { cat "$home/certs-init.log" >&2; exit 1; }
  fi
  local peers="1=127.0.0.1:$(peer_port 1),2=127.0.0.1:$(peer_port 2),3=127.0.0.1:$(peer_port 3)"
  for i in 1 2 3; do
    # --peers founds the cluster on the first start only: a restarted node takes its members from its data
    # (which 'raftkv members add/remove' may have changed since), and the server refuses founding members
    # that differ from them.
    local founding=(--peers "$peers")
    if [[ -d "$home/node-$i" ]]; then
      founding=()
    fi
    local security=(--insecure)
    if [[ "$insecure" == 0 ]]; then
      security=(--cert "$certs/node-$i.crt" --key "$certs/node-$i.key" --trusted-ca "$certs/ca.crt")
    fi
    nohup "$raftkv" server --id "$i" --client-addr "127.0.0.1:$(client_port "$i")" \
      --peer-addr "127.0.0.1:$(peer_port "$i")" "${founding[@]}" --data-dir "$home/node-$i" \
      "${security[@]}" >>"$home/node-$i.log" 2>&1 &
    echo $! >"$home/node-$i.pid"
  done
  client_environment
  "$raftkv" put quickstart-key "hello from raftkv" --timeout 30s >/dev/null
  if [[ "$insecure" == 1 ]]; then
    echo "RaftKV is up: 3 nodes in PLAINTEXT (RAFTKV_INSECURE=1), logs and data in $home"
  else
    echo "RaftKV is up: 3 nodes with TLS on both ports; logs and data in $home, certificates in $certs"
  fi
  echo "wrote quickstart-key; reading it back (linearizable): $("$raftkv" get quickstart-key)"
  "$raftkv" status
  echo
  echo "try:  $(client_hint)"
  echo "      $raftkv get quickstart-key"
  echo "stop: ./deploy/cluster.sh down"
}

down() {
  for i in 1 2 3; do
    if alive "$i"; then
      kill "$(pid_of "$i")"
    fi
  done
  for i in 1 2 3; do
    for _ in $(seq 1 50); do alive "$i" || break; sleep 0.1; done
    rm -f "$home/node-$i.pid"
  done
  echo "stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) client_environment; "$raftkv" status ;;
  clean) down; rm -rf "$home"; echo "deleted $home" ;;
  *) echo "usage: $0 up|status|down|clean" >&2; exit 2 ;;
esac
