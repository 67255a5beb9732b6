#!/usr/bin/python3
"""Self-test of the cluster harness against real etcd/Patroni/PostgreSQL 15.

    /usr/bin/python3 tests/harness/selftest.py [--skip-cli] [--keep]

Starts a 3-node auto-port cluster, checks the topology and the bootstrap objects, runs a
switchover, a kill -9 of the primary's postmaster, kill/start of a replica's Patroni, a crash of
the primary's node (failover) and its rejoin, then stops and checks nothing is left behind.
Also drives the CLI (`up` in the background, `down`, and `down` after the supervisor was
SIGKILLed). Prints the timings; exit status 0 when everything passed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import psycopg  # noqa: E402

import harnessutil as hu  # noqa: E402
from pgcluster import Cluster, ClusterError, default_parent_dir  # noqa: E402
from pgfront_process import PgFront, free_port  # noqa: E402

TIMINGS = {}


def step(name):
    print(f"--- {name}", flush=True)


def timed(key, fn, *a, **kw):
    t = time.monotonic()
    v = fn(*a, **kw)
    TIMINGS[key] = round(time.monotonic() - t, 2)
    print(f"    {key}: {TIMINGS[key]}s", flush=True)
    return v


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def postgres_procs_under(path):
    return hu.pids_with_cwd_under(path)


def check_bootstrap(c):
    primary = c.primary()
    # app logs in over TCP with scram into appdb, owns it and the writes table
    with c.connect(primary, autocommit=True) as conn:
        user, db = conn.execute("SELECT current_user, current_database()").fetchone()
        check((user, db) == ("app", "appdb"), f"app login: {(user, db)}")
        owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname='appdb'").fetchone()[0]
        check(owner == "app", f"appdb owner {owner}")
        towner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename='writes'").fetchone()[0]
        check(towner == "app", f"writes owner {towner}")
        row = conn.execute("INSERT INTO writes(client, seq) VALUES ('selftest', 1) RETURNING id, at").fetchone()
        check(row[0] >= 1 and row[1] is not None, "insert into writes")
        denied = False
        try:
            conn.execute("SELECT * FROM pgbouncer.get_auth('app')")
        except psycopg.errors.InsufficientPrivilege:
            denied = True
        check(denied, "app must not execute pgbouncer.get_auth")
    # hba really is scram: the stored secret is SCRAM, a wrong password is refused
    secret = c.sql(primary, "SELECT rolpassword FROM pg_authid WHERE rolname='app'")[0][0]
    check(secret.startswith("SCRAM-SHA-256$"), "app's password is a SCRAM secret")
    hba = c.sql(primary, "SELECT type, database, user_name, address, auth_method FROM pg_hba_file_rules")
    check(all(r[4] in ("scram-sha-256", "peer") for r in hba), f"hba methods {hba}")
    refused = False
    try:
        c.connect(primary, password="wrong").close()
    except psycopg.OperationalError as e:
        refused = "password authentication failed" in str(e)
    check(refused, "wrong password refused")
    # get_auth works for pgbouncer in both databases and returns the SCRAM secret
    for db in ("postgres", "appdb"):
        with c.connect(primary, dbname=db, user="pgbouncer", password="bouncerpass") as conn:
            rows = conn.execute("SELECT usename, passwd FROM pgbouncer.get_auth('app')").fetchall()
            check(rows == [("app", secret)], f"get_auth in {db}: {rows}")
            sowner = conn.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname='pgbouncer'").fetchone()[0]
            check(sowner == "pgbouncer", f"schema owner in {db}: {sowner}")
            secdef = conn.execute("SELECT prosecdef FROM pg_proc WHERE proname='get_auth'").fetchone()[0]
            check(secdef, "get_auth is SECURITY DEFINER")
    # replicas have it too (bootstrap waits for replay), and are read-only
    for r in c.replicas():
        with c.connect(r) as conn:
            n = conn.execute("SELECT count(*) FROM writes WHERE client='selftest'").fetchone()[0]
            check(n >= 1, f"{r.name} replayed the writes table")
            check(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0], f"{r.name} in recovery")
    mc = c.sql(primary, "SHOW max_connections")[0][0]
    check(mc == "100", f"max_connections {mc}")


def library_test(args):
    c = Cluster(nodes=args.nodes, scope="selftest", keep=args.keep)
    base = None
    try:
        step("start")
        timed("start", c.start, timeout=90)
        base = c.base_dir
        TIMINGS["start_leader_running"] = c.timings.get("leader_seconds")
        print(f"    base_dir {base}; etcd {c.etcd_url}")
        print("    " + c.pgfront_cluster_yaml().replace("\n", "\n    "))
        leader = c.wait_for_topology(leader="node1", streaming_replicas=args.nodes - 1, timeout=5)
        check(leader.name == "node1", "node1 leads")
        check([n.name for n in c.replicas()] == [f"node{i}" for i in range(2, args.nodes + 1)], "replicas")
        for n in c.nodes:
            check(n.patroni_pid and n.postmaster_pid(), f"{n.name} pids")
            check(n.api_url == f"http://127.0.0.1:{n.api_port}", "api_url")
            check(not n.pg_log_dir.startswith(n.data_dir + "/") and os.path.isdir(n.pg_log_dir),
                  "PostgreSQL logs outside data_dir")

        step("bootstrap objects")
        check_bootstrap(c)

        step("set_tags")
        r = c.replicas()[-1]
        timed("set_tags", c.set_tags, r, {"noloadbalance": True})
        check((r.status() or {}).get("tags") == {"noloadbalance": True}, "tag visible")
        c.set_tags(r, {})
        check("tags" not in (r.status() or {}), "tag cleared")

        step("switchover node1 -> node2")
        new = timed("switchover", c.switchover, candidate="node2", timeout=60)
        check(new.name == "node2", f"new leader {new.name}")
        timed("switchover_until_2_streaming", c.wait_for_topology, leader="node2",
              streaming_replicas=args.nodes - 1, timeout=60)
        with c.connect() as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('after-switchover', 1)")
            conn.commit()

        step("switchover without a candidate")
        new = timed("switchover_any", c.switchover, timeout=60)
        check(new.name != "node2", "leader moved")
        c.wait_for_topology(leader=new.name, streaming_replicas=args.nodes - 1, timeout=60)

        step("kill -9 of the primary's postmaster")
        p = c.primary()
        t = time.monotonic()
        pid = c.kill_postmaster(p)
        leader = c.wait_for_leader(timeout=60)
        TIMINGS["kill_postmaster_until_writable"] = round(time.monotonic() - t, 2)
        print(f"    killed {pid} on {p.name}; writable leader {leader.name} after "
              f"{TIMINGS['kill_postmaster_until_writable']}s (new postmaster {leader.postmaster_pid()})")
        c.wait_for_topology(streaming_replicas=args.nodes - 1, timeout=90)
        TIMINGS["kill_postmaster_until_2_streaming"] = round(time.monotonic() - t, 2)

        step("kill_patroni / start_patroni on a replica")
        r = c.replicas()[0]
        pm = r.postmaster_pid()
        c.kill_patroni(r)
        check(r.patroni_pid is None and r.status(timeout=1) is None, "REST gone")
        with c.connect(r) as conn:
            check(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0], "PG still up on the replica")
        t = time.monotonic()
        c.start_patroni(r)
        check(r.postmaster_pid() == pm, "Patroni adopted the running postmaster")
        c.wait_for_topology(streaming_replicas=args.nodes - 1, timeout=60)
        TIMINGS["start_patroni_until_streaming"] = round(time.monotonic() - t, 2)

        step("crash of the primary's node (failover) and rejoin")
        p = c.primary()
        t = time.monotonic()
        c.crash_node(p)
        leader = c.wait_for_leader(not_name=p.name, timeout=60)
        TIMINGS["failover_crash_until_writable"] = round(time.monotonic() - t, 2)
        print(f"    {p.name} crashed; {leader.name} writable after {TIMINGS['failover_crash_until_writable']}s")
        t = time.monotonic()
        c.start_patroni(p, timeout=90)
        c.wait_for_topology(leader=leader.name, streaming_replicas=args.nodes - 1, timeout=90)
        TIMINGS["rejoin_old_primary"] = round(time.monotonic() - t, 2)
        with c.connect() as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('after-failover', 1)")
            conn.commit()

        step("stop_node / start_patroni of a replica, from a thread that then ends")
        r = c.replicas()[0]
        c.stop_node(r)
        check(r.patroni_pid is None and r.postmaster_pid() is None, "node stopped")
        # A parent-death signal would follow the starting thread, not this process.
        starter = threading.Thread(target=lambda: (c.start_patroni(r, wait=False), time.sleep(0.5)))
        starter.start()
        starter.join()
        time.sleep(1.0)
        check(r.patroni_running(), "Patroni started from an ended thread still runs")
        c.wait_for_topology(streaming_replicas=args.nodes - 1, timeout=60)

        step("pgfront_process with a stand-in binary")
        pgfront_process_test(c)
    except BaseException:
        c.dump_logs(tail=60)
        raise
    finally:
        step("stop")
        pids = [n.patroni_pid for n in c.nodes] + [n.postmaster_pid() for n in c.nodes]
        pids += [c.etcd.pid if c.etcd else None]
        pids = [p for p in pids if p]
        c.stop()
        TIMINGS["stop"] = c.timings.get("stop_seconds")
        print(f"    stop: {TIMINGS['stop']}s {c.timings.get('stop_detail')}")
    left = [p for p in pids if hu.pid_alive(p)]
    check(not left, f"processes left: {left}")
    if base and not args.keep:
        check(not os.path.exists(base), f"{base} left behind")


def pgfront_process_test(c):
    """PgFront against a fake 'pgfront' (a python listener honouring -c/SIGHUP/SIGTERM)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="fakepgfront-") as d:
        fake = os.path.join(d, "fake-pgfront")
        with open(fake, "w") as f:
            f.write(f"""#!/usr/bin/python3
import signal, socket, sys, time
cfg = sys.argv[sys.argv.index('-c') + 1]
print('starting with', cfg, open(cfg).read().splitlines()[0], flush=True)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', {port})); s.listen()
def hup(*_): print('configuration reloaded', flush=True)
def term(*_): print('terminating', flush=True); sys.exit(0)
signal.signal(signal.SIGHUP, hup); signal.signal(signal.SIGTERM, term)
while True: time.sleep(0.1)
""")
        os.chmod(fake, 0o755)
        text = c.pgfront_cluster_yaml() + "pool: {mode: none}\n"
        with PgFront(fake, text) as pf:
            pf.wait_listening(port, timeout=10)
            check(pf.pid and pf.config_text == text, "pid/config_text")
            pf.reload()
            deadline = time.monotonic() + 5
            while "configuration reloaded" not in pf.log_text() and time.monotonic() < deadline:
                time.sleep(0.05)
            check("configuration reloaded" in pf.log_text(), "SIGHUP seen")
            check(pf.terminate(timeout=5) == 0, "exit 0 on SIGTERM")
            check("terminating" in pf.log_text(), "log_text")
            workdir = pf.workdir
        check(not os.path.exists(workdir), "PgFront removed its temp workdir")
    hu.release_port(port)


def cli_test(args):
    me = os.path.join(HERE, "pgcluster.py")
    for mode in ("down", "kill9-then-down"):
        step(f"CLI up/{mode}")
        base = tempfile.mkdtemp(prefix="selftest-cli-", dir=default_parent_dir())
        os.rmdir(base)
        out = open(base + ".out", "w+")
        t = time.monotonic()
        p = subprocess.Popen(["/usr/bin/python3", me, "up", "--base-dir", base, "--nodes", "2",
                              "--scope", "selftest-cli"], stdout=out, stderr=subprocess.STDOUT)
        try:
            summary = None
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and p.poll() is None:
                out.seek(0)
                for line in out.read().splitlines():
                    if line.startswith("{") and '"ready": true' in line:
                        summary = json.loads(line)
                if summary:
                    break
                time.sleep(0.2)
            check(summary is not None, "CLI printed its ready JSON")
            TIMINGS[f"cli_up_{mode}"] = round(time.monotonic() - t, 2)
            check(os.path.exists(os.path.join(base, "cluster.json")), "cluster.json")
            check(summary["leader"] == "node1" and len(summary["nodes"]) == 2, "summary")
            pids = [summary["etcd_pid"]] + [n["patroni_pid"] for n in summary["nodes"]] + \
                   [n["postmaster_pid"] for n in summary["nodes"]]
            if mode == "kill9-then-down":
                p.kill()
                p.wait(10)
            t = time.monotonic()
            r = subprocess.run(["/usr/bin/python3", me, "down", "--base-dir", base], timeout=120,
                               capture_output=True, text=True)
            TIMINGS[f"cli_down_{mode}"] = round(time.monotonic() - t, 2)
            check(r.returncode == 0, f"down rc {r.returncode}: {r.stderr}")
            check(p.wait(30) is not None, "supervisor exited")
            left = [x for x in pids if x and hu.pid_alive(x)]
            check(not left, f"processes left after down: {left}")
            check(not os.path.exists(base), f"{base} left behind")
        except BaseException:
            out.seek(0)
            print(out.read()[-5000:])
            raise
        finally:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(60)
                except subprocess.TimeoutExpired:
                    p.kill()
            if os.path.exists(base):
                Cluster.down(base)
            out.close()
            os.unlink(base + ".out")


def port_reservation_test():
    """A reserved port is never the local port of an outgoing connection, yet a server binds
    it. Run in a network namespace of its own (unshare -n, loopback only) whose ephemeral
    range is narrowed to the reserved port and one more."""
    step("port reservation vs outgoing connections")
    script = f"""
import socket, subprocess, sys
sys.path.insert(0, {HERE!r})
import harnessutil as hu
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
port = hu.free_port()
server = socket.socket(); server.bind(("127.0.0.1", port + 2)); server.listen(8)
with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
    f.write(f"{{port}} {{port + 1}}")
used = []
for _ in range(2):
    c = socket.socket()
    try:
        c.connect(server.getsockname()); used.append(c.getsockname()[1])
    except OSError:
        used.append(None)
taker = socket.socket(); taker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
taker.bind(("127.0.0.1", port)); taker.listen(1)
print(port, used)
"""
    r = subprocess.run(["unshare", "-n", sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"port reservation script: {r.stderr[-400:]}")
    port, used = r.stdout.split(" ", 1)
    check(used.strip() == f"[{int(port) + 1}, None]",
          f"outgoing connections used {used.strip()} with {port} reserved (want only {int(port) + 1})")


def workdir_cleanup_test():
    """A PgFront's own work directory is gone when the test process exits, even if the test
    never close()d it (only terminate()d it, to read the log)."""
    step("PgFront work directory removed at exit without close()")
    script = f"""
import sys
sys.path.insert(0, {HERE!r})
from pgfront_process import PgFront
pf = PgFront("/bin/true", "cluster: {{}}\\n")
pf.terminate()
print(pf.workdir)
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"workdir script: {r.stderr[-400:]}")
    workdir = r.stdout.strip()
    check(workdir.startswith("/") and not os.path.exists(workdir), f"{workdir} left behind")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-library", action="store_true")
    args = ap.parse_args()
    t0 = time.monotonic()
    port_reservation_test()
    workdir_cleanup_test()
    if not args.skip_library:
        library_test(args)
    if not args.skip_cli:
        cli_test(args)
    TIMINGS["total"] = round(time.monotonic() - t0, 2)
    print("TIMINGS " + json.dumps(TIMINGS))
    print("selftest: OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, ClusterError) as e:
        print(f"selftest: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
