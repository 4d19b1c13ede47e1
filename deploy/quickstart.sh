#!/usr/bin/env bash
# The RaftKV quickstart: on this machine (loopback, no Docker, nothing downloaded but Maven artifacts), a
# Kafka broker in KRaft mode, a Kafka Connect worker in distributed mode with the RaftKV plugin, and three
# RaftKV nodes; then the example sink and source connectors, a few records in, and the change events out.
#
#   ./deploy/quickstart.sh up       build if needed, start everything, run the pipeline, show what came out
#   ./deploy/quickstart.sh status   what runs, and the connectors' state
#   ./deploy/quickstart.sh down     stop everything (data is kept)
#   ./deploy/quickstart.sh clean    stop everything and delete its data
#
# Environment (all optional): QUICKSTART_HOME (data and logs; default ./.raftkv-quickstart), KAFKA_PORT
# (9092), KAFKA_CONTROLLER_PORT (9093), CONNECT_PORT (8083), RAFTKV_BASE_PORT (7001: clients on 7001-7003,
# peers on 7101-7103), RAFTKV_INSECURE=1 (RaftKV in plaintext; TLS, with certificates made in
# QUICKSTART_HOME/raftkv/certs, is the default).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
home="${QUICKSTART_HOME:-$repo/.raftkv-quickstart}"
kafka_port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
connect_port="${CONNECT_PORT:-8083}"
base="${RAFTKV_BASE_PORT:-7001}"
kafka_lib="$repo/deploy/target/kafka/lib"
bootstrap="127.0.0.1:$kafka_port"
endpoints="127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
sink_topic="orders"
# TLS by default: deploy/cluster.sh makes the certificates on the first 'up'; RAFTKV_INSECURE=1 runs plaintext.
certs="$home/raftkv/certs"
insecure="${RAFTKV_INSECURE:-0}"

say() { echo "quickstart: $*"; }
die() { echo "quickstart: $*" >&2; exit 1; }

[[ "$insecure" == 0 || "$insecure" == 1 ]] || die "RAFTKV_INSECURE is '$insecure': expected 1 (plaintext) or 0"
for p in "$kafka_port" "$controller_port" "$connect_port" "$base"; do
  [[ "$p" =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "port '$p' is not a number from 1 to 65535"
done

pid_of() { [[ -f "$home/$1.pid" ]] && cat "$home/$1.pid" || true; }
alive() { local pid; pid=$(pid_of "$1"); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT NAME SECONDS PIDNAME LOG: until something listens on PORT, or the process died.
wait_port() {
  local deadline=$((SECONDS + $3))
  while port_free "$1"; do
    if ! alive "$4"; then
      tail -n 30 "$5" >&2 || true
      die "$2 exited while starting; its log is $5 (last lines above)"
    fi
    ((SECONDS < deadline)) || die "$2 did not listen on port $1 within $3 s; its log is $5"
    sleep 0.5
  done
}

# http METHOD PATH [BODY]: a request to the Connect worker's REST API over bash's /dev/tcp (no curl
# needed); sets http_status and http_body (call it directly, not in $(...), so they stay set).
http() {
  local method="$1" path="$2" body="${3:-}" response
  http_status=""
  http_body=""
  exec 5<>"/dev/tcp/127.0.0.1/$connect_port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$method" "$path" "$connect_port" "${#body}" "$body" >&5
  response="$(cat <&5)"
  exec 5<&-
  http_status="$(head -n 1 <<<"$response" | awk '{print $2}')"
  # The body follows the first empty line; chunked encoding is undone by dropping the chunk-size lines.
  http_body="$(sed '1,/^\r$/d' <<<"$response" | grep -v -E '^[0-9a-fA-F]+\r$' | tr -d '\r')"
}

kafka_java() {
  java -Xms128m -Xmx512m -Dslf4j.internal.verbosity=WARN -cp "$kafka_lib/*" "$@"
}

build() {
  local zip
  zip=$(ls "$repo"/connector/target/*.zip 2>/dev/null | head -n 1 || true)
  if [[ ! -d "$kafka_lib" || -z "$zip" ]] || ! ls "$repo"/kvstate/cli/target/raftkv-cli-*.jar >/dev/null 2>&1; then
    say "building RaftKV, the connector plugin and the Kafka classpath (mvn -B -q package -DskipTests)..."
    (cd "$repo" && mvn -B -q package -DskipTests)
  fi
}

plugin_zip() {
  ls "$repo"/connector/target/*.zip 2>/dev/null | head -n 1
}

check_ports() {
  local entry port what var
  for entry in "$kafka_port:the Kafka broker:KAFKA_PORT" "$controller_port:the Kafka controller:KAFKA_CONTROLLER_PORT" \
      "$connect_port:the Connect worker's REST API:CONNECT_PORT" "$base:RaftKV node 1 (clients):RAFTKV_BASE_PORT" \
      "$((base + 1)):RaftKV node 2 (clients):RAFTKV_BASE_PORT" "$((base + 2)):RaftKV node 3 (clients):RAFTKV_BASE_PORT" \
      "$((base + 100)):RaftKV node 1 (peers):RAFTKV_BASE_PORT" "$((base + 101)):RaftKV node 2 (peers):RAFTKV_BASE_PORT" \
      "$((base + 102)):RaftKV node 3 (peers):RAFTKV_BASE_PORT"; do
    port="${entry%%:*}"; what="${entry#*:}"; var="${what##*:}"; what="${what%:*}"
    if ! port_free "$port"; then
      die "port $port (for $what) is in use by another program; stop it or set $var to use other ports"
    fi
  done
}

start_kafka() {
  mkdir -p "$home/kafka"
  cat >"$home/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$home/kafka/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [[ ! -f "$home/kafka/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$home/kafka.log" | tail -n 1)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$home/kafka/server.properties" --standalone \
      >>"$home/kafka.log" 2>&1 || die "formatting Kafka's storage failed; see $home/kafka.log"
  fi
  nohup java -Xms256m -Xmx768m -cp "$kafka_lib/*" kafka.Kafka "$home/kafka/server.properties" \
    >>"$home/kafka.log" 2>&1 &
  echo $! >"$home/kafka.pid"
  wait_port "$kafka_port" "the Kafka broker" 90 kafka "$home/kafka.log"
  say "Kafka broker up on $bootstrap (log: $home/kafka.log)"
}

start_raftkv() {
  RAFTKV_HOME="$home/raftkv" RAFTKV_BASE_PORT="$base" RAFTKV_INSECURE="$insecure" "$here/cluster.sh" up \
    >>"$home/raftkv.log" 2>&1 \
    || { tail -n 20 "$home/raftkv.log" >&2; die "RaftKV did not start; see $home/raftkv.log"; }
  if [[ "$insecure" == 1 ]]; then
    say "RaftKV up in PLAINTEXT (RAFTKV_INSECURE=1): 3 nodes, clients on $endpoints (logs: $home/raftkv/node-*.log)"
  else
    say "RaftKV up with TLS: 3 nodes, clients on $endpoints (logs: $home/raftkv/node-*.log); certificates in"
    say "  $certs (clients: --cacert $certs/ca.crt --cert $certs/admin.crt --key $certs/admin.key)"
  fi
}

start_connect() {
  rm -rf "$home/plugins"
  mkdir -p "$home/plugins"
  (cd "$home/plugins" && jar xf "$(plugin_zip)") # the JDK's jar tool unpacks zips; no unzip needed
  cat >"$home/connect.properties" <<EOF
bootstrap.servers=$bootstrap
group.id=raftkv-quickstart
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
config.storage.topic=quickstart-connect-configs
offset.storage.topic=quickstart-connect-offsets
status.storage.topic=quickstart-connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$connect_port
plugin.path=$home/plugins
exactly.once.source.support=enabled
EOF
  nohup java -Xms256m -Xmx768m -cp "$kafka_lib/*" org.apache.kafka.connect.cli.ConnectDistributed \
    "$home/connect.properties" >>"$home/connect.log" 2>&1 &
  echo $! >"$home/connect.pid"
  wait_port "$connect_port" "the Connect worker" 120 connect "$home/connect.log"
  local deadline=$((SECONDS + 60))
  until http GET /connector-plugins 2>/dev/null && [[ "$http_status" == "200" ]]; do
    ((SECONDS < deadline)) || die "the Connect worker's REST API did not answer; see $home/connect.log"
    sleep 1
  done
  say "Kafka Connect worker up on http://127.0.0.1:$connect_port (log: $home/connect.log)"
}

# post_connector FILE: the example connector JSON, pointed at this quickstart's RaftKV nodes and certificates
# (the examples name /etc/raftkv/certs; under RAFTKV_INSECURE=1 their TLS lines become raftkv.ssl.enabled=false).
post_connector() {
  local body name
  body="$(sed "s/127\.0\.0\.1:7001,127\.0\.0\.1:7002,127\.0\.0\.1:7003/$endpoints/" "$1")"
  if [[ "$insecure" == 1 ]]; then
    body="$(grep -v '"raftkv\.ssl\.' <<<"$body" \
      | sed 's/^\( *\)"raftkv\.endpoints": \(.*\)$/\1"raftkv.endpoints": \2\n\1"raftkv.ssl.enabled": "false",/')"
  else
    body="$(sed "s#/etc/raftkv/certs/#$certs/#g" <<<"$body")"
  fi
  name="$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$1" | head -n 1)"
  http POST /connectors "$body" || die "cannot reach the Connect worker on port $connect_port"
  case "$http_status" in
    201) say "posted connector $name ($1)" ;;
    409) say "connector $name already exists" ;;
    *) die "posting $1 failed (HTTP $http_status): $http_body" ;;
  esac
}

await_running() {
  local name="$1" deadline=$((SECONDS + 60)) out
  while true; do
    http GET "/connectors/$name/status" || die "cannot reach the Connect worker on port $connect_port"
    out="$http_body"
    if grep -q '"state":"FAILED"' <<<"$out"; then
      die "connector $name failed: $out"
    fi
    if [[ "$(grep -o '"state":"RUNNING"' <<<"$out" | wc -l)" -ge 2 ]]; then
      return
    fi
    ((SECONDS < deadline)) || die "connector $name is not running after 60 s: $out"
    sleep 1
  done
}

json_field() { sed -n "s/^ *\"$2\": *\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1; }

run_pipeline() {
  local source_json="$here/connectors/raftkv-source.json" sink_json="$here/connectors/raftkv-sink.json"
  post_connector "$sink_json"
  post_connector "$source_json"
  await_running "$(json_field "$sink_json" name)"
  await_running "$(json_field "$source_json" name)"
  local source_topic
  # The source names its topic "topic", or "topic.prefix" + "." + the cluster name (the cluster id the nodes
  # report, "raftkv" for deploy/cluster.sh).
  source_topic="$(json_field "$source_json" topic)"
  [[ -n "$source_topic" ]] || source_topic="$(json_field "$source_json" topic.prefix).raftkv"
  say "producing 3 records to topic '$sink_topic' (the sink writes them into RaftKV)..."
  printf '%s\n' 'order-1|{"item":"book","qty":1}' 'order-2|{"item":"lamp","qty":2}' 'order-1|{"item":"book","qty":3}' \
    | kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$bootstrap" --topic "$sink_topic" \
      --property parse.key=true --property key.separator='|' >>"$home/tools.log" 2>&1 \
    || die "producing to $sink_topic failed; see $home/tools.log"
  local security=(--insecure)
  if [[ "$insecure" == 0 ]]; then
    security=(--cacert "$certs/ca.crt" --cert "$certs/admin.crt" --key "$certs/admin.key")
  fi
  say "reading them back from RaftKV: $("$here/bin/raftkv" get --endpoints "$endpoints" "${security[@]}" \
    "$sink_topic/order-1" 2>&1 || true)"
  # The first four events: the initial snapshot's row of quickstart-key (op r), then the sink's batch,
  # one raft entry: order-1 created, order-2 created, order-1 updated (ops c, c, u).
  say "change events on topic '$source_topic' (the source exports every change, read_committed):"
  kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" --topic "$source_topic" \
    --from-beginning --isolation-level read_committed --max-messages 4 --timeout-ms 60000 \
    --property print.key=true --property key.separator=' => ' 2>>"$home/tools.log" \
    || die "no change events arrived on $source_topic; see $home/connect.log"
}

up() {
  for name in kafka connect; do
    if alive "$name"; then
      say "the quickstart is already running ($name has pid $(pid_of "$name")); './deploy/quickstart.sh status'"
      say "shows it, './deploy/quickstart.sh down' stops it"
      exit 1
    fi
  done
  check_ports
  command -v java >/dev/null || die "java is not on the PATH: install a JDK 17 or later"
  command -v jar >/dev/null || die "jar (the JDK's) is not on the PATH: install a full JDK 17, not only a JRE"
  build
  mkdir -p "$home"
  start_kafka
  start_raftkv
  start_connect
  run_pipeline
  echo
  say "everything runs. Logs: $home/kafka.log, $home/connect.log, $home/raftkv/node-*.log"
  say "connectors: http://127.0.0.1:$connect_port/connectors?expand=status"
  say "stop with: ./deploy/quickstart.sh down   (./deploy/quickstart.sh clean also deletes the data)"
}

stop_process() {
  local name="$1" pid
  if alive "$name"; then
    pid="$(pid_of "$name")"
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$home/$name.pid"
}

down() {
  stop_process connect
  RAFTKV_HOME="$home/raftkv" RAFTKV_BASE_PORT="$base" "$here/cluster.sh" down >/dev/null 2>&1 || true
  stop_process kafka
  say "stopped"
}

status() {
  for name in kafka connect; do
    if alive "$name"; then say "$name: running (pid $(pid_of "$name"))"; else say "$name: not running"; fi
  done
  RAFTKV_HOME="$home/raftkv" RAFTKV_BASE_PORT="$base" RAFTKV_INSECURE="$insecure" "$here/cluster.sh" status || true
  if alive connect; then
    http GET '/connectors?expand=status' && say "connectors: $http_body"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  clean) down; rm -rf "$home"; say "deleted $home" ;;
  *) echo "usage: $0 up|status|down|clean" >&2; exit 2 ;;
esac
