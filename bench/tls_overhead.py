#!/usr/bin/python3
"""TLS overhead in transaction pooling: `pgbench -n -S -c 20 -T 10` through pgfront against a
one-node harness cluster (pgbench -i -s 10), interleaved round by round:

  baseline       --baseline BIN (e.g. a build from before a change), no TLS
  plain          --pgfront BIN, no TLS (the plaintext path must cost the same)
  client-tls     --pgfront BIN with tls.client (a P-256 certificate made with openssl),
                 pgbench with PGSSLMODE=require

    /usr/bin/python3 bench/tls_overhead.py --pgfront build/app/pgfront [--baseline OLD_BIN]
        [--rounds 3] [--clients 20] [--seconds 10]

Prints tps and average latency per run and the median per target, with the load average
(the numbers mean little on a machine busy with other work). Needs root (the cluster runs
as postgres).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from pgcluster import Cluster  # noqa: E402
from pgfront_process import PgFront, free_port  # noqa: E402
from tls_certs import CertFactory  # noqa: E402


def pgbench(port, tls, clients, seconds):
    env = dict(os.environ, PGPASSWORD="apppass", PGSSLMODE="require" if tls else "disable")
    out = subprocess.run(["pgbench", "-n", "-S", "-c", str(clients), "-T", str(seconds), "-h", "127.0.0.1",
                          "-p", str(port), "-U", "app", "appdb"], env=env, capture_output=True, text=True,
                         timeout=seconds + 60)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    if not tps:
        raise RuntimeError(f"pgbench failed: {out.stdout}\n{out.stderr}")
    return float(tps.group(1)), float(latency.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pgfront", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tls-overhead-") as work, \
            Cluster(nodes=1, scope="tlsbench") as cluster:
        certs = CertFactory(work)
        ca = certs.ca("bench-ca")
        cert = certs.issue(ca, "localhost", san="DNS:localhost,IP:127.0.0.1", file_name="pgfront")
        secret = cluster.sql(cluster.primary(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
        userlist = os.path.join(work, "userlist.txt")
        with open(userlist, "w") as f:
            f.write(f'"app" "{secret}"\n')
        subprocess.run(["pgbench", "-i", "-q", "-s", "10", "-h", "127.0.0.1", "-p", str(cluster.primary().pg_port),
                        "-U", "app", "appdb"], env=dict(os.environ, PGPASSWORD="apppass"), check=True,
                       capture_output=True)
        targets = ([("baseline", args.baseline, False)] if args.baseline else []) + [
            ("plain", args.pgfront, False), ("client-tls", args.pgfront, True)]
        results = {name: [] for name, _, _ in targets}
        for round_number in range(1, args.rounds + 1):
            for name, binary, tls in targets:
                port = free_port()
                config = cluster.pgfront_cluster_yaml() + f"""
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}"}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: transaction, default_pool_size: 20}}
auth: {{type: scram-sha-256, auth_file: "{userlist}"}}
log: {{level: warn}}
"""
                if tls:
                    config += f'tls:\n  client:\n    cert_file: "{cert.cert}"\n    key_file: "{cert.key}"\n'
                with PgFront(binary, config) as proxy:
                    proxy.wait_listening(port)
                    time.sleep(1.0)  # the first topology
                    tps, latency = pgbench(port, tls, args.clients, args.seconds)
                results[name].append(tps)
                print(f"round {round_number} {name:<10} tps {tps:8.0f}  latency {latency:.3f} ms  "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
        for name, values in results.items():
            print(f"{name:<10} median tps {statistics.median(values):8.0f}  runs {[round(v) for v in values]}")


if __name__ == "__main__":
    main()
