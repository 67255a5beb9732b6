#!/usr/bin/env bash
# The local demo: a 3-node Patroni/etcd/PostgreSQL 15 cluster on the usual ports with pgfront
# in front of it. Everything lives in /tmp/pgfront-demo and is stopped by Ctrl-C.
#
#   scripts/demo.sh BUILD_DIR                 start the cluster and BUILD_DIR/app/pgfront
#   scripts/demo.sh --cluster-only            start only the cluster
#   scripts/demo.sh --down                    stop a demo left behind, remove /tmp/pgfront-demo
#
# Ports (loopback only): pgfront 5000 (primary), 5001 (replicas), 7000 (admin); PostgreSQL
# 5432-5434; Patroni REST 8008-8010; etcd 2379/2380.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO=/tmp/pgfront-demo
CLUSTER_DIR=$DEMO/cluster
PY=/usr/bin/python3                    # Debian's python: it has python3-psycopg
HARNESS=$REPO/tests/harness/pgcluster.py
CONFIG=$DEMO/pgfront.yaml
READY_TIMEOUT=150                      # seconds for the cluster to come up
LISTEN_TIMEOUT=30                      # seconds for pgfront to listen on 5000

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

say() { printf 'demo: %s\n' "$*"; }

# pid_is PID WORD: PID is alive and its command line contains WORD (guards against pid reuse)
pid_is() {
  local pid=$1 word=$2
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  local state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ "$state" != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$word"
}

# wait_gone PID SECONDS: polls until PID exited; 1 at timeout
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

read_pid() { if [[ -r "$1" ]]; then head -n1 "$1"; fi; }

stop_pgfront_pid() {
  local pid=$1
  pid_is "$pid" pgfront || return 0
  say "stopping pgfront (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 15; then
    say "pgfront ignored SIGTERM for 15s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || true
  fi
}

demo_down() {
  if [[ ! -d $DEMO ]]; then
    say "no demo in $DEMO"
    return 0
  fi
  local pid
  pid=$(read_pid "$DEMO/demo.pid")
  if [[ "$pid" != "$$" ]] && pid_is "$pid" demo.sh; then
    say "asking the running demo (pid $pid) to stop"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 150 || say "demo script $pid still running after 150s; stopping its processes"
  fi
  if [[ -d $DEMO ]]; then
    stop_pgfront_pid "$(read_pid "$DEMO/pgfront.pid")"
    if [[ -d $CLUSTER_DIR ]]; then
      "$PY" "$HARNESS" down --base-dir "$CLUSTER_DIR" || say "cluster down reported an error"
    fi
    rm -rf "$DEMO"
  fi
  say "stopped; $DEMO removed"
}

# ------------------------------------------------------------------------------------------
CLUSTER_ONLY=0
BUILD_DIR=
case "${1:-}" in
  --down) demo_down; exit 0 ;;
  --cluster-only) CLUSTER_ONLY=1 ;;
  -h|--help|"") usage ;;
  -*) usage ;;
  *) BUILD_DIR=$1 ;;
esac

# One demo at a time.
if [[ -d $DEMO ]]; then
  pid=$(read_pid "$DEMO/demo.pid")
  if pid_is "$pid" demo.sh; then
    say "a demo is already running (pid $pid, $DEMO). Stop it with Ctrl-C in its terminal or: $0 --down" >&2
    exit 1
  fi
  if pid_is "$(read_pid "$DEMO/pgfront.pid")" pgfront ||
     { [[ -d $CLUSTER_DIR ]] && "$PY" "$HARNESS" alive --base-dir "$CLUSTER_DIR" >/dev/null 2>&1; }; then
    say "processes of an earlier demo are still running in $DEMO. Stop them with: $0 --down" >&2
    exit 1
  fi
  say "removing the remains of an earlier demo in $DEMO"
  rm -rf "$DEMO"
fi

PGFRONT=
if ((!CLUSTER_ONLY)); then
  PGFRONT=$(cd "$BUILD_DIR" 2>/dev/null && pwd)/app/pgfront || true
  if [[ ! -x "$PGFRONT" ]]; then
    say "no pgfront binary at $BUILD_DIR/app/pgfront: build first (make build), or run $0 --cluster-only" >&2
    exit 1
  fi
fi

ports=(2379 2380 5432 5433 5434 8008 8009 8010)
((CLUSTER_ONLY)) || ports+=(5000 5001 7000)
busy=()
for p in "${ports[@]}"; do
  if port_busy "$p"; then busy+=("$p"); fi
done
if ((${#busy[@]})); then
  say "port(s) ${busy[*]} on 127.0.0.1 already in use; is another PostgreSQL, etcd or demo running?" >&2
  exit 1
fi

# From here on everything we start is stopped on exit, whatever the reason.
mkdir -p "$DEMO"
echo $$ >"$DEMO/demo.pid"
CLUSTER_PID=
PGFRONT_PID=
SLEEP_PID=

cleanup() {
  local rc=$?
  trap '' INT TERM HUP
  [[ -z "$SLEEP_PID" ]] || kill "$SLEEP_PID" 2>/dev/null || true
  echo
  if [[ -n "$PGFRONT_PID" ]]; then
    stop_pgfront_pid "$PGFRONT_PID"
  fi
  if [[ -n "$CLUSTER_PID" ]] && kill -0 "$CLUSTER_PID" 2>/dev/null; then
    say "stopping the cluster (pid $CLUSTER_PID)"
    kill -TERM "$CLUSTER_PID" 2>/dev/null || true
    wait_gone "$CLUSTER_PID" 120 || say "cluster supervisor still running after 120s"
    grep -E "stopped in|slow stop|SIGKILL|outlived" "$DEMO/cluster.log" 2>/dev/null | sed 's/^/  /' || true
  fi
  if [[ -d $CLUSTER_DIR ]]; then  # supervisor died or never got going: stop what it left
    "$PY" "$HARNESS" down --base-dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
  fi
  rm -rf "$DEMO"
  say "stopped"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() {
  say "$*" >&2
  exit 1
}

say "starting etcd + 3 Patroni/PostgreSQL 15 nodes in $CLUSTER_DIR"
# setsid: Ctrl-C reaches this script only, which then stops pgfront before the cluster.
setsid "$PY" "$HARNESS" up --base-dir "$CLUSTER_DIR" --fixed-ports --nodes 3 --scope demo \
  >"$DEMO/cluster-up.json" 2>"$DEMO/cluster.log" </dev/null &
CLUSTER_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '"ready": true' "$DEMO/cluster-up.json" 2>/dev/null; do
  if ! kill -0 "$CLUSTER_PID" 2>/dev/null; then
    tail -n 60 "$DEMO/cluster.log" >&2 || true
    fail "the cluster failed to start (log above)"
  fi
  ((SECONDS < deadline)) || { tail -n 60 "$DEMO/cluster.log" >&2; fail "cluster not ready after ${READY_TIMEOUT}s"; }
  sleep 0.3
done
leader=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["leader"])' \
  "$DEMO/cluster-up.json")
say "cluster up (leader $leader)"

# pgfront's configuration
{
  "$PY" - "$DEMO/cluster-up.json" <<'EOF'
import json, sys
s = json.loads(open(sys.argv[1]).readline())
print("cluster:")
print("  name: demo")
print("  nodes:")
for n in s["nodes"]:
    print(f'    - {{name: {n["name"]}, host: {n["host"]}, port: {n["port"]}, api: "{n["api"]}"}}')
EOF
  cat <<'EOF'
health: {interval: 500ms, timeout: 1s, fall: 2, rise: 1, max_replica_lag: 1MB}
listen: {primary: "127.0.0.1:5000", replica: "127.0.0.1:5001"}
admin: {listen: "127.0.0.1:7000"}
pool: {mode: none}
EOF
} >"$CONFIG"

if ((!CLUSTER_ONLY)); then
  say "starting $PGFRONT -c $CONFIG"
  setsid "$PGFRONT" -c "$CONFIG" >>"$DEMO/pgfront.log" 2>&1 </dev/null &
  PGFRONT_PID=$!
  echo "$PGFRONT_PID" >"$DEMO/pgfront.pid"
  deadline=$((SECONDS + LISTEN_TIMEOUT))
  until port_busy 5000; do
    if ! kill -0 "$PGFRONT_PID" 2>/dev/null; then
      tail -n 40 "$DEMO/pgfront.log" >&2 || true
      fail "pgfront exited before listening (log above)"
    fi
    ((SECONDS < deadline)) || { tail -n 40 "$DEMO/pgfront.log" >&2; fail "pgfront not listening on 5000 after ${LISTEN_TIMEOUT}s"; }
    sleep 0.2
  done
fi

cat <<EOF

  The demo is running. Everything is in $DEMO.

EOF
if ((!CLUSTER_ONLY)); then
  cat <<EOF
  Writes (the primary, through pgfront):
    PGPASSWORD=apppass psql -h 127.0.0.1 -p 5000 -U app appdb
  Reads (the replicas, through pgfront):
    PGPASSWORD=apppass psql -h 127.0.0.1 -p 5001 -U app appdb
  pgfront admin: http://127.0.0.1:7000/    log: $DEMO/pgfront.log    config: $CONFIG

EOF
fi
cat <<EOF
  Nodes directly: PostgreSQL 127.0.0.1:5432/5433/5434 (superuser postgres/pgsuper),
  Patroni REST http://127.0.0.1:8008 8009 8010.
  Cluster state and a switchover:
    patronictl -c $CLUSTER_DIR/node1/patroni.yml list
    patronictl -c $CLUSTER_DIR/node1/patroni.yml switchover --force
  Logs: $CLUSTER_DIR/node*/patroni.log, $CLUSTER_DIR/node*/pglog/, $DEMO/cluster.log

  Ctrl-C stops everything (or, from another terminal: $0 --down).
EOF

# Wait for Ctrl-C / SIGTERM; notice if pgfront or the cluster supervisor dies meanwhile.
while true; do
  if ! kill -0 "$CLUSTER_PID" 2>/dev/null; then
    tail -n 20 "$DEMO/cluster.log" >&2 || true
    fail "the cluster supervisor exited"
  fi
  if [[ -n "$PGFRONT_PID" ]] && ! kill -0 "$PGFRONT_PID" 2>/dev/null; then
    rc=0
    wait "$PGFRONT_PID" || rc=$?
    tail -n 20 "$DEMO/pgfront.log" >&2 || true
    PGFRONT_PID=
    fail "pgfront exited with status $rc"
  fi
  sleep 1 &
  SLEEP_PID=$!
  wait "$SLEEP_PID" || true
  SLEEP_PID=
done
