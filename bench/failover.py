#!/usr/bin/python3
"""Failover benchmark: one writer through pgfront and one through HAProxy (configured as in
Patroni's sample: httpchk, inter 1s fall 2 rise 1, on-marked-down shutdown-sessions), both
running at the same time against the same real Patroni cluster, during a switchover and
during a kill -9 of the primary's postmaster. Each writer does one INSERT every 20 ms and
reconnects on error. Reports per target and event: the longest gap without a successful
write, the time from Patroni's promotion to the first successful write, the client errors,
and acknowledged writes missing (or duplicated) afterwards.

    /usr/bin/python3 bench/failover.py --pgfront build/app/pgfront [--rounds 2] [--out bench/out]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import psycopg

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
from pgcluster import Cluster  # noqa: E402
from pgfront_process import PgFront, free_port  # noqa: E402

WRITE_EVERY = 0.020
SETTLE_AFTER = 3.0      # keep writing this long after both targets write again
EVENT_BOUND = 60.0      # no event may take longer than this


class Writer(threading.Thread):
    """INSERTs one row every 20 ms through one port; reconnects on any error."""

    def __init__(self, label, port):
        super().__init__(daemon=True)
        self.label, self.port = label, port
        self.ok = []          # (monotonic time, seq)
        self.errors = []      # (monotonic time, message)
        self.stop_flag = threading.Event()
        self.seq = 0

    def run(self):
        conn = None
        while not self.stop_flag.is_set():
            started = time.monotonic()
            try:
                if conn is None:
                    conn = psycopg.connect(host="127.0.0.1", port=self.port, dbname="appdb", user="app",
                                           password="apppass", connect_timeout=10, autocommit=True)
                self.seq += 1
                conn.execute("INSERT INTO writes(client, seq) VALUES (%s, %s)", (self.label, self.seq))
                self.ok.append((time.monotonic(), self.seq))
            except psycopg.Error as e:
                self.errors.append((time.monotonic(), str(e).strip().splitlines()[0][:160]))
                try:
                    if conn is not None:
                        conn.close()
                except psycopg.Error:
                    pass
                conn = None
            rest = WRITE_EVERY - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
        if conn is not None:
            conn.close()


class PromotionWatch(threading.Thread):
    """Polls every node directly for pg_is_in_recovery() to timestamp the promotion: the
    first moment after the event at which some node accepts writes again."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.event_at = None
        self.promoted_at = None
        self.promoted_node = None
        self.down_seen = False
        self.stop_flag = threading.Event()

    def run(self):
        conns = {}
        while not self.stop_flag.is_set():
            for node in self.cluster.nodes:
                try:
                    if node.name not in conns:
                        conns[node.name] = psycopg.connect(host="127.0.0.1", port=node.pg_port, dbname="postgres",
                                                           user="postgres", password="pgsuper", connect_timeout=1,
                                                           autocommit=True)
                    in_recovery = conns[node.name].execute("SELECT pg_is_in_recovery()").fetchone()[0]
                    now = time.monotonic()
                    if (not in_recovery and self.event_at is not None and self.promoted_at is None
                            and self.down_seen):
                        self.promoted_at, self.promoted_node = now, node.name
                except psycopg.Error:
                    if self.event_at is not None:
                        self.down_seen = True
                    conns.pop(node.name, None)
            time.sleep(0.01)
        for c in conns.values():
            c.close()

    def mark_event(self, expect_down_first=True):
        # A switchover or crash is over only once the old primary stopped taking writes;
        # until then a "not in recovery" answer is the old primary itself.
        self.down_seen = not expect_down_first
        self.event_at = time.monotonic()
        self.promoted_at = None


def haproxy_config(cluster, primary_port, replica_port, stats_port):
    servers = "".join(
        f"    server {n.name} 127.0.0.1:{n.pg_port} maxconn 1000 check port {n.api_port}\n" for n in cluster.nodes)
    return f"""global
    maxconn 4000
defaults
    mode tcp
    retries 2
    timeout client 30m
    timeout connect 4s
    timeout server 30m
    timeout check 5s
listen stats
    mode http
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /
listen primary
    bind 127.0.0.1:{primary_port}
    maxconn 2000
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
{servers}listen replicas
    bind 127.0.0.1:{replica_port}
    maxconn 2000
    balance roundrobin
    option httpchk OPTIONS /replica
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
{servers}"""


def pgfront_config(cluster, primary_port, replica_port, admin_port):
    return cluster.pgfront_cluster_yaml() + f"""
health: {{interval: 500ms, failover_interval: 100ms, timeout: 1s, fall: 2, rise: 1, max_replica_lag: 1MB}}
listen: {{primary: "127.0.0.1:{primary_port}", replica: "127.0.0.1:{replica_port}", connect_wait: 30s}}
admin: {{listen: "127.0.0.1:{admin_port}"}}
pool: {{mode: none}}
"""


def wait_port(port, timeout=15):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def analyse(writer, event_at, promoted_at, end_at):
    times = [t for t, _ in writer.ok]
    before = [t for t in times if t < event_at]
    after = [t for t in times if t >= event_at]
    longest_gap, prev = 0.0, (before[-1] if before else event_at)
    for t in after:
        longest_gap = max(longest_gap, t - prev)
        prev = t
    if not after:
        longest_gap = end_at - prev
    first_after_promotion = next((t for t in after if promoted_at is not None and t >= promoted_at), None)
    errors = [m for t, m in writer.errors if t >= event_at - 1]
    kinds = {}
    for m in errors:
        kinds[m] = kinds.get(m, 0) + 1
    return {
        "longest_gap_s": round(longest_gap, 3),
        "promotion_to_first_write_s": (round(first_after_promotion - promoted_at, 3)
                                       if first_after_promotion is not None else None),
        "errors": len(errors),
        "error_kinds": sorted(kinds.items(), key=lambda kv: -kv[1])[:4],
    }


def check_acknowledged(cluster, writers):
    """Every acknowledged seq must be in the table exactly once."""
    out = {}
    with cluster.connect(cluster.primary()) as conn:
        for w in writers:
            rows = conn.execute("SELECT seq, count(*) FROM writes WHERE client = %s GROUP BY seq",
                                (w.label,)).fetchall()
            counts = dict(rows)
            acked = {seq for _, seq in w.ok}
            out[w.label] = {
                "acknowledged": len(acked),
                "missing": sum(1 for s in acked if s not in counts),
                "duplicated": sum(1 for s, c in counts.items() if c > 1),
            }
    return out


def run_event(cluster, event, targets, round_no):
    watch = PromotionWatch(cluster)
    watch.start()
    writers = [Writer(f"{name}-{event}-{round_no}-{int(time.time())}", port) for name, port in targets]
    for w in writers:
        w.start()
    time.sleep(2.0)
    old = cluster.primary()
    watch.mark_event()
    event_at = time.monotonic()
    if event == "switchover":
        candidate = next(n for n in cluster.replicas())
        threading.Thread(target=cluster.switchover, kwargs={"candidate": candidate.name}, daemon=True).start()
    else:
        cluster.kill_postmaster(old)
    # Until both writers are writing again (and a little longer), bounded.
    deadline = event_at + EVENT_BOUND
    while time.monotonic() < deadline:
        if watch.promoted_at and all(w.ok and w.ok[-1][0] > watch.promoted_at + SETTLE_AFTER for w in writers):
            break
        time.sleep(0.1)
    end_at = time.monotonic()
    for w in writers:
        w.stop_flag.set()
    watch.stop_flag.set()
    for w in writers:
        w.join(timeout=15)
    watch.join(timeout=5)
    cluster.wait_for_topology(streaming_replicas=len(cluster.nodes) - 1, timeout=120)
    acked = check_acknowledged(cluster, writers)
    result = {"event": event, "round": round_no, "old_primary": old.name, "promoted_node": watch.promoted_node,
              "patroni_promotion_after_event_s": (round(watch.promoted_at - event_at, 3)
                                                  if watch.promoted_at else None), "targets": {}}
    for (name, _), w in zip(targets, writers):
        r = analyse(w, event_at, watch.promoted_at, end_at)
        r.update(acked[w.label])
        result["targets"][name] = r
    # Per-write timestamps (seconds since the event) for timelines; not used by analyse().
    result["timeline"] = {
        "end_s": round(end_at - event_at, 3),
        "targets": {name: {"ok": [round(t - event_at, 3) for t, _ in w.ok],
                           "errors": [round(t - event_at, 3) for t, _ in w.errors]}
                    for (name, _), w in zip(targets, writers)},
    }
    return result


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else round((values[mid - 1] + values[mid]) / 2, 3)


def target_names(results):
    """The targets of the results, in the order they were first listed."""
    names = []
    for r in results:
        for name in r["targets"]:
            if name not in names:
                names.append(name)
    return names


def report(results, args, started, rerun=None):
    if rerun is None:
        rerun = f"/usr/bin/python3 bench/failover.py --pgfront build/app/pgfront --rounds {args.rounds}"
    names = target_names(results)
    title = ("pgfront vs HAProxy" if names in ([], ["pgfront", "haproxy"])
             else " vs ".join(n.replace("haproxy", "HAProxy").replace("pgbouncer", "PgBouncer") for n in names))
    lines = [
        f"## Failover: {title} (same run, same cluster)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} on {os.uname().nodename} "
        f"({os.cpu_count()} cores), Patroni ttl 5 / loop_wait 1 / retry_timeout 2, "
        f"{args.rounds} round(s) per event, writer = one INSERT every 20 ms, reconnecting on error.",
        "pgfront: `interval 500ms, failover_interval 100ms, fall 2, rise 1`; HAProxy 2.6: "
        "`inter 1s fall 2 rise 1 on-marked-down shutdown-sessions`, `httpchk OPTIONS /primary`.",
        "",
        f"Rerun: `{rerun}`",
        "",
        "| event | target | promotion → first write (median, s) | longest write gap (median, s) "
        "| client errors (total) | acknowledged writes missing / duplicated |",
        "|---|---|---|---|---|---|",
    ]
    for event in args.events:
        for target in target_names(results):
            rows = [r["targets"][target] for r in results if r["event"] == event and target in r["targets"]]
            if not rows:
                continue
            lines.append(
                f"| {event} | {target} | {median([r['promotion_to_first_write_s'] for r in rows])} "
                f"| {median([r['longest_gap_s'] for r in rows])} | {sum(r['errors'] for r in rows)} "
                f"| {sum(r['missing'] for r in rows)} / {sum(r['duplicated'] for r in rows)} |")
    lines += ["", "Per round (s): promotion is measured from the event to the first moment some node "
              "answers `pg_is_in_recovery() = false` on a direct connection.", ""]
    for r in results:
        lines.append(f"- {r['event']} round {r['round']}: old primary {r['old_primary']}, writable "
                     f"{r['promoted_node']} after {r['patroni_promotion_after_event_s']}; " + "; ".join(
                         f"{name}: first write +{t['promotion_to_first_write_s']} after promotion, gap "
                         f"{t['longest_gap_s']}, {t['errors']} errors {t['error_kinds'][:2]}"
                         for name, t in r["targets"].items()))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pgfront", default=os.path.join(REPO, "build", "app", "pgfront"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--events", nargs="+", default=["switchover", "kill"], choices=["switchover", "kill"])
    parser.add_argument("--out", default=os.path.join(REPO, "bench", "out"))
    parser.add_argument("--keep-workdir", metavar="DIR",
                        help="run in DIR and keep it (pgfront/HAProxy logs and configs, cores) for a post-mortem")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    if args.keep_workdir:
        workdir = args.keep_workdir
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir_holder = tempfile.TemporaryDirectory(prefix="pgfront-bench-failover-")  # noqa: F841
        workdir = workdir_holder.name
    results = []
    with Cluster(nodes=3, scope="bench-failover") as cluster:
        cluster.start()
        ports = {k: free_port() for k in ("pf_primary", "pf_replica", "pf_admin", "ha_primary", "ha_replica",
                                           "ha_stats")}
        ha_cfg = os.path.join(workdir, "haproxy.cfg")
        with open(ha_cfg, "w") as f:
            f.write(haproxy_config(cluster, ports["ha_primary"], ports["ha_replica"], ports["ha_stats"]))
        ha_log = open(os.path.join(workdir, "haproxy.log"), "w")
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", ha_cfg], stdout=ha_log, stderr=subprocess.STDOUT)
        try:
            with PgFront(args.pgfront, pgfront_config(cluster, ports["pf_primary"], ports["pf_replica"],
                                                      ports["pf_admin"]), workdir) as pgfront:
                pgfront.wait_listening(ports["pf_primary"], timeout=15)
                wait_port(ports["ha_primary"])
                time.sleep(3)  # both have seen the cluster healthy
                targets = [("pgfront", ports["pf_primary"]), ("haproxy", ports["ha_primary"])]
                for round_no in range(1, args.rounds + 1):
                    for event in args.events:
                        r = run_event(cluster, event, targets, round_no)
                        print(json.dumps(r), flush=True)
                        results.append(r)
        finally:
            haproxy.send_signal(signal.SIGTERM)
            try:
                haproxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                haproxy.kill()
                haproxy.wait()
            ha_log.close()
    with open(os.path.join(args.out, "failover.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = report(results, args, started)
    with open(os.path.join(args.out, "failover.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
