#!/usr/bin/python3
"""Memory of pgfront with many idle clients, on its own: starts a one-node Patroni cluster and
a pgfront in transaction mode (SCRAM with the secret from pg_authid), opens N idle
authenticated clients over raw sockets (bench/benchlib/idle.py), and prints pgfront's VmRSS
and VmHWM before, while they are open, and after they close. Bounded: the opening is capped
at --bound seconds, the hold at --hold seconds.

    sudo /usr/bin/python3 bench/idle_memory.py --pgfront build/app/pgfront [--clients 10000]
"""
import argparse
import json
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
sys.path.insert(0, REPO)

from bench.benchlib import idle  # noqa: E402
from pgcluster import Cluster  # noqa: E402
from pgfront_process import PgFront, free_port  # noqa: E402


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def memory(pid):
    return {"rss_kb": status_kb(pid, "VmRSS"), "hwm_kb": status_kb(pid, "VmHWM")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pgfront", required=True)
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--bound", type=float, default=240.0, help="seconds allowed for opening the clients")
    parser.add_argument("--hold", type=float, default=3.0, help="seconds the clients stay open before measuring")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    idle.raise_nofile(args.clients + 500)

    with tempfile.TemporaryDirectory(prefix="pgfront-idle-mem-") as work, \
            Cluster(nodes=1, scope="idlemem", max_connections=100) as cluster:
        cluster.start()
        secret = cluster.sql(cluster.primary(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
        userlist = os.path.join(work, "userlist.txt")
        with open(userlist, "w") as f:
            f.write(f'"app" "{secret}"\n')
        port = free_port()
        config = cluster.pgfront_cluster_yaml() + f"""
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", workers: {args.workers}}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: transaction, default_pool_size: 20, max_client_conn: {args.clients + 100}}}
auth: {{type: scram-sha-256, auth_file: "{userlist}"}}
log: {{level: warn}}
"""
        with PgFront(os.path.join(REPO, args.pgfront) if not os.path.isabs(args.pgfront) else args.pgfront,
                     config) as proxy:
            proxy.wait_listening(port, timeout=15)
            pid = proxy.pid
            before = memory(pid)

            def hold():
                time.sleep(args.hold)
                return memory(pid)

            result = idle.open_idle(port, args.clients, user="app", password="apppass", dbname="appdb",
                                    hold=hold, concurrency=args.concurrency, bound=args.bound)
            time.sleep(1)
            after = memory(pid)
        report = {"clients": args.clients, "opened": result["opened"], "failed": result["failed"],
                  "errors": result["errors"], "open_seconds": result["open_seconds"],
                  "before": before, "idle": result["held"], "after": after}
        held = result["held"] or {}
        if held.get("rss_kb") is not None and result["opened"]:
            report["kb_per_client"] = round((held["rss_kb"] - before["rss_kb"]) / result["opened"], 2)
        print(json.dumps(report, indent=2))
        return 0 if result["opened"] == args.clients else 1


if __name__ == "__main__":
    sys.exit(main())
