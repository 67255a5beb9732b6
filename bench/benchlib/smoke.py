"""`bench/run --smoke`: seconds, no cluster, no load. Checks that the benchmark scripts still
work: config generation (PgBouncer parsed, HAProxy `haproxy -c`, pgfront `--check-config`),
pgbench output and log parsing on captured samples, the /proc readers on this process, the
idle client's SCRAM and asyncio plumbing against an in-process fake server, and the report
and plots from a small synthetic result set. Exit 0 when everything passed."""
import asyncio
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import types

from . import configs, idle, pgbench, procstat, report, targets as tg, vip_report

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(BENCH, "testdata")


class Checks:
    def __init__(self):
        self.failed = []
        self.passed = 0
        self.skipped = []

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed.append(what)
            print(f"smoke: FAIL {what}")

    def eq(self, got, want, what):
        self.ok(got == want, f"{what}: got {got!r}, want {want!r}")

    def skip(self, what):
        self.skipped.append(what)
        print(f"smoke: skipped {what}")


def _fake_cluster():
    nodes = [types.SimpleNamespace(name=f"node{i}", pg_port=25432 + i, api_port=28008 + i) for i in range(1, 4)]
    yaml = "cluster:\n  name: smoke\n  nodes:\n" + "".join(
        f'    - {{name: {n.name}, host: 127.0.0.1, port: {n.pg_port}, api: "http://127.0.0.1:{n.api_port}"}}\n'
        for n in nodes)
    return types.SimpleNamespace(nodes=nodes, pgfront_cluster_yaml=lambda name=None: yaml)


def check_configs(c, args, tmp):
    ini = configs.pgbouncer_ini(listen_port=26432, server_host="127.0.0.1", server_port=25432, workdir=tmp)
    parsed = configs.parse_ini(ini)
    pgb = parsed.get("pgbouncer", {})
    c.eq(pgb.get("pool_mode"), "transaction", "pgbouncer pool_mode")
    c.eq(pgb.get("auth_type"), "scram-sha-256", "pgbouncer auth_type")
    c.eq(pgb.get("auth_user"), "pgbouncer", "pgbouncer auth_user")
    c.eq(pgb.get("auth_query"), "SELECT usename, passwd FROM pgbouncer.get_auth($1)", "pgbouncer auth_query")
    c.eq(pgb.get("default_pool_size"), "20", "pgbouncer default_pool_size")
    c.ok(int(pgb.get("max_client_conn", "0")) >= 10000, "pgbouncer max_client_conn >= 10000")
    c.eq(parsed.get("databases", {}).get("appdb"), "host=127.0.0.1 port=25432 dbname=appdb", "pgbouncer [databases]")
    c.eq(configs.pgbouncer_userlist(), '"pgbouncer" "bouncerpass"\n', "userlist: auth_user's plaintext password")

    cluster = _fake_cluster()
    cfg = configs.haproxy_cfg(cluster, 26000, 26001, 26002)
    for want in ("mode tcp", "option httpchk OPTIONS /primary",
                 "default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions",
                 "server node1 127.0.0.1:25433 maxconn 1000 check port 28009"):
        c.ok(want in cfg, f"haproxy.cfg has `{want}`")
    if shutil.which("haproxy"):
        path = os.path.join(tmp, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        r = subprocess.run(["haproxy", "-c", "-q", "-f", path], capture_output=True, text=True, timeout=30)
        c.ok(r.returncode == 0, f"haproxy -c accepts the generated config: {r.stdout}{r.stderr}")
    else:
        c.skip("haproxy -c (haproxy not installed)")

    cy = cluster.pgfront_cluster_yaml()
    text = configs.pgfront_yaml(cy, primary_port=26010, replica_port=26011, admin_port=26012, mode="none")
    c.ok("pool: {mode: none}" in text and "connect_wait: 30s" in text, "pgfront yaml (pass-through)")
    pooled = configs.pgfront_yaml(cy, primary_port=26010, replica_port=26011, admin_port=26012,
                                  mode="transaction", pool_extra="default_pool_size: 20", extra="x: {y: 1}\n")
    c.ok("pool: {mode: transaction, default_pool_size: 20}" in pooled and pooled.endswith("x: {y: 1}\n"),
         "pgfront yaml (pooled, extra sections)")
    if args.pgfront and os.access(args.pgfront, os.X_OK):
        ok, problems = tg.check_config(args.pgfront, text, tmp)
        c.ok(ok, f"pgfront --check-config accepts the pass-through config: {problems}")
        from .suite import detect_pooled_config
        userlist = os.path.join(tmp, "userlist.txt")
        with open(userlist, "w") as f:
            f.write('"app" "apppass"\n')
        common = dict(primary_port=26010, replica_port=26011, admin_port=26012, mode="transaction", workers=1)
        text, note, reason = detect_pooled_config(
            args.pgfront, cy, common, "default_pool_size: 20, max_client_conn: 12000",
            f'auth: {{type: scram-sha-256, auth_file: "{userlist}"}}\n', tmp)
        # either this build takes a transaction-pooling config, or it says pool.mode is not there
        c.ok(bool(text) or "pool.mode transaction not available in this build" in (reason or ""),
             f"pooled pgfront detection: {reason}")
        print(f"smoke: pgfront pool.mode transaction: {'accepted' if text else reason}{' — ' + note if note else ''}")
        c.ok(bool(tg.pgfront_version(args.pgfront)), "pgfront --version")
    else:
        c.skip(f"pgfront --check-config ({args.pgfront} not built)")


def _read(name):
    with open(os.path.join(DATA, name)) as f:
        return f.read()


def check_pgbench(c, tmp):
    r = pgbench.parse_output(_read("pgbench-select-ok.txt"))
    c.eq(r["clients"], 50, "select-ok clients")
    c.eq(r["transactions"], 16251, "select-ok transactions")
    c.eq(r["tps"], 6992.51954, "select-ok tps")
    c.eq(r["latency_avg_ms"], 7.15, "select-ok latency")
    c.eq(r["initial_connection_ms"], 716.611, "select-ok initial connection time")
    c.eq(pgbench.fail_reason(r, 0), None, "select-ok is not a failure")

    r = pgbench.parse_output(_read("pgbench-connect-ok.txt"))
    c.eq(r["average_connection_ms"], 64.902, "-C average connection time")
    c.eq(r["tps"], 30.301253, "-C tps")

    r = pgbench.parse_output(_read("pgbench-too-many-clients.txt"))
    reason = pgbench.fail_reason(r, 1)
    c.ok(r["tps"] is None and reason and "reserved for non-replication superuser" in reason,
         f"too-many-clients reason: {reason}")

    r = pgbench.parse_output(_read("pgbench-prepared-aborted.txt"))
    reason = pgbench.fail_reason(r, 2)
    c.eq(r["aborted_clients"], 49, "prepared-aborted aborted clients")
    c.ok(r["run_aborted"] and reason and 'prepared statement "P_0"' in reason, f"prepared-aborted reason: {reason}")

    c.eq(pgbench.fail_reason({"tps": None}, -11), "pgbench killed by signal 11", "signal reason")

    cmd = pgbench.command(6432, 2000, 2, 3.2, builtin="select-only", mode="prepared", connect=True,
                          log_prefix="/x/l", sampling_rate=0.25)
    for want in ("-n", "-S" if False else "select-only", "prepared", "-C", "--log", "--log-prefix=/x/l",
                 "--sampling-rate=0.2500", "appdb"):
        c.ok(want in cmd, f"pgbench command has {want}: {cmd}")
    c.eq(cmd[cmd.index("-T") + 1], "4", "-T rounds up")
    c.eq(cmd[cmd.index("-j") + 1], "2", "-j")
    c.eq(pgbench.command(1, 1, 2, 1)[pgbench.command(1, 1, 2, 1).index("-j") + 1], "1", "-j <= clients")
    cmd = pgbench.command(1, 400, 2, 3, transactions=25)
    c.ok("-T" not in cmd and cmd[cmd.index("-t") + 1] == "25", f"-t instead of -T: {cmd}")
    cmd = pgbench.command(1, 50, 2, 3, rate=8000)
    c.ok("-R" in cmd and cmd[cmd.index("-R") + 1] == "8000", f"-R for a fixed rate: {cmd}")
    c.ok("-R" not in pgbench.command(1, 50, 2, 3), "no -R without a rate")

    prefix = os.path.join(tmp, "pgbench_log")
    with open(prefix + ".123", "w") as f:
        for i in range(1, 101):
            f.write(f"0 {i} {i * 10} 0 1700000000 {i}\n")
        f.write("0 101 failed 0 1700000000 1\n")
    with open(prefix + ".123.1", "w") as f:
        f.write("1 1 5 0 1700000000 1\n")
    lat = pgbench.read_latencies_us(prefix)
    c.eq(len(lat), 101, "log lines read (failed ones skipped)")
    c.eq(pgbench.percentile(lat, 99), 990, "p99 from the per-transaction log")
    c.eq(pgbench.percentile(lat, 50), 500, "p50")
    c.ok(not pgbench.log_files(prefix), "logs removed after reading")
    c.eq(pgbench.sampling_rate(10000, 20, 300000), 1.0, "sampling rate under the bound")
    c.eq(round(pgbench.sampling_rate(30000, 20, 300000), 3), 0.5, "sampling rate bounded")


def check_round_order(c):
    from .suite import round_order
    names = ["direct", "pgbouncer", "haproxy", "pgfront", "pgfront-pooled"]
    orders = [round_order(names, rnd) for rnd in range(1, 6)]
    c.eq(orders[0], names, "round 1 runs the targets in their listed order")
    c.eq(orders[1][0], "pgbouncer", "round 2 starts with the second target")
    c.ok(all(sorted(o) == sorted(names) for o in orders), "every round runs every target once")
    c.eq({o[-1] for o in orders}, set(names), "over as many rounds as targets, each target runs last once")
    c.eq(round_order([], 3), [], "no targets")


def check_procstat(c):
    me = os.getpid()
    before = procstat.cpu_seconds([me])
    t_end = time.process_time() + 0.15
    x = 0
    while time.process_time() < t_end:
        x += 1
    after = procstat.cpu_seconds([me])
    c.ok(after - before >= 0.05, f"CPU reader sees this process burn CPU ({before} -> {after})")
    c.ok((procstat.rss_kb([me]) or 0) > 1000, "VmRSS of this process")
    c.ok((procstat.hwm_kb([me]) or 0) >= (procstat.rss_kb([me]) or 0), "VmHWM >= VmRSS")
    blob = bytearray(64 * 1024 * 1024)  # raise the peak, free it, reset: VmHWM falls back
    blob[::4096] = b"x" * len(blob[::4096])
    peak = procstat.hwm_kb([me])
    del blob
    if procstat.reset_hwm([me]):
        c.ok(procstat.hwm_kb([me]) < peak - 32 * 1024, "clear_refs 5 resets VmHWM")
    else:
        c.skip("VmHWM reset (clear_refs not writable here)")
    c.ok(me in procstat.tree_pids(me), "tree_pids includes the root")
    child = subprocess.Popen(["sleep", "5"])
    try:
        c.ok(child.pid in procstat.tree_pids(me), "tree_pids includes a child")
    finally:
        child.kill()
        child.wait()
    s = procstat.Sampler(lambda: [me], interval=0.02)
    s.start()
    t0 = time.monotonic()
    t_end = time.process_time() + 0.1
    while time.process_time() < t_end:
        x += 1
    s.stop()
    c.ok(len(s.samples) >= 3 and s.cpu_between(t0) >= 0.0 and s.max_rss() > 0, "sampler")
    user, kernel = s.cpu_split_between(t0)
    c.ok(user >= 0.0 and kernel >= 0.0 and abs(user + kernel - s.cpu_between(t0)) < 1e-6,
         "sampler: user + kernel time is the CPU time")
    c.ok(len(procstat.loadavg().split()) == 3, "loadavg")


def check_idle(c):
    # RFC 7677's SCRAM-SHA-256 example
    final, server_sig = idle.scram_client_final(
        "pencil", "n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "rOprNGfwEbeRWgbNEkqO")
    c.eq(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "SCRAM client-final (RFC 7677)")
    c.eq(server_sig, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "SCRAM server signature (RFC 7677)")

    # a fake server: cleartext password, then AuthenticationOk, BackendKeyData, ReadyForQuery
    ready = threading.Event()
    state = {"port": None, "logins": 0, "bad": 0}
    stop = None

    async def serve():
        nonlocal stop
        stop = asyncio.Event()

        async def handle(reader, writer):
            try:
                n = struct.unpack("!i", await reader.readexactly(4))[0]
                await reader.readexactly(n - 4)
                writer.write(b"R" + struct.pack("!ii", 8, 3))
                await writer.drain()
                head = await reader.readexactly(5)
                pw = await reader.readexactly(struct.unpack("!i", head[1:])[0] - 4)
                if pw != b"secret\0":
                    state["bad"] += 1
                    body = b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"
                    writer.write(b"E" + struct.pack("!i", len(body) + 4) + body)
                else:
                    state["logins"] += 1
                    writer.write(b"R" + struct.pack("!ii", 8, 0) + b"K" + struct.pack("!iii", 12, 1, 2)
                                 + b"Z" + struct.pack("!i", 5) + b"I")
                await writer.drain()
                await reader.read()  # until the client closes
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        state["port"] = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await stop.wait()

    loop = asyncio.new_event_loop()
    th = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    th.start()
    ready.wait(5)
    try:
        res = idle.open_idle(state["port"], 300, user="u", password="secret", dbname="d",
                             hold=lambda: "held", concurrency=50, bound=20)
        c.eq((res["opened"], res["failed"], res["held"]), (300, 0, "held"), "idle clients against a fake server")
        res = idle.open_idle(state["port"], 5, user="u", password="wrong", dbname="d", concurrency=5, bound=20)
        c.ok(res["opened"] == 0 and res["failed"] == 5 and "password authentication failed" in res["errors"][0][0],
             f"idle clients report the server's error: {res['errors']}")
    finally:
        loop.call_soon_threadsafe(stop.set)
        th.join(5)


def synthetic_results():
    runs = []
    base = {"latency_avg_ms": 5.0, "p50_ms": 4.0, "initial_connection_ms": 100.0, "average_connection_ms": None,
            "failed": 0, "aborted_clients": 0, "error_count": 0, "errors": [], "jobs": 2, "duration_s": 3,
            "load_before": "1.00 1.00 1.00", "load_after": "1.10 1.00 1.00"}
    tps = {"direct": 9000, "pgbouncer": 8000, "haproxy": 7000, "pgfront": 6800}
    cpu = {"direct": None, "pgbouncer": 0.03, "haproxy": 0.03, "pgfront": 0.033}
    for rnd in (1, 2):
        for sc, fam, clients in (("select-1", "select", 1), ("select-50", "select", 50),
                                 ("select-400", "select", 400), ("prepared-50", "prepared", 50),
                                 ("connect-8", "connect", 8)):
            for t in ("direct", "pgbouncer", "haproxy", "pgfront"):
                r = dict(base, scenario=sc, family=fam, clients=clients, target=t, round=rnd, status="ok",
                         reason=None, tps=tps[t] * (0.5 if clients == 1 else 1) + rnd, p99_ms=10.0 + rnd,
                         cpu_s_per_1k=cpu[t], peak_rss_kb=20000, transactions=1000)
                if fam == "connect":
                    r["average_connection_ms"] = {"direct": 50.0, "pgbouncer": 9.0, "haproxy": 51.0, "pgfront": 55.0}[t]
                if clients == 400 and t != "pgbouncer":
                    r.update(status="fails", reason="FATAL: sorry, too many clients already", tps=None)
                if sc == "prepared-50" and t == "pgbouncer":
                    r.update(status="fails", reason='49 of 50 clients aborted: ERROR: prepared statement "P_0" '
                                                    'already exists', tps=7000.0)
                runs.append(r)
    # the fixed-rate scenario: same load on both, pooled pgfront at 0.5x PgBouncer's CPU, HAProxy
    # (pass-through) fell behind the rate and so has no CPU to compare
    for rnd in (1, 2):
        for t, tps_t, cpu_t, user_t in (("pgbouncer", 7990.0, 0.040, 0.006), ("pgfront-pooled", 7995.0, 0.020, 0.004),
                                        ("haproxy", 6000.0, 0.05, 0.01)):
            r = dict(base, scenario="fixedrate-50", family="fixedrate", clients=50, rate=8000, target=t, round=rnd,
                     status="ok", reason=None, tps=tps_t, p99_ms=3.0, cpu_s_per_1k=cpu_t, user_cpu_s_per_1k=user_t,
                     kernel_cpu_s_per_1k=round(cpu_t - user_t, 5), peak_rss_kb=20000, transactions=80000)
            if t == "haproxy":
                r.update(status="fails", reason="could not keep up with -R 8000: 6,000 tps")
            runs.append(r)
    idle_recs = [
        {"scenario": "idle-10000", "target": "pgbouncer", "clients": 10000, "status": "ok", "reason": None,
         "opened": 10000, "failed": 0, "errors": [], "open_s": 12.0, "rss_before_kb": 8000, "rss_idle_kb": 40000,
         "peak_rss_kb": 41000, "per_client_bytes": 3200, "login_cpu_ms_per_1k": 90.0,
         "load_before": "1 1 1", "load_after": "1 1 1"},
        {"scenario": "idle-10000", "target": "pgfront", "clients": 10000, "status": "fails",
         "reason": "pass-through: each idle client holds a server connection", "load_before": "1 1 1",
         "load_after": "1 1 1"},
    ]
    fo = []
    for ev in ("switchover", "kill"):
        tl = {n: {"ok": [round(-2 + i * 0.02, 3) for i in range(100)] + [round(2 + i * 0.02, 3) for i in range(100)],
                  "errors": [0.5]} for n in ("pgfront", "haproxy", "haproxy+pgbouncer")}
        fo.append({"event": ev, "round": 1, "old_primary": "node1", "promoted_node": "node2",
                   "patroni_promotion_after_event_s": 2.0,
                   "targets": {n: {"longest_gap_s": 2.1 if n == "pgfront" else 4.0,
                                   "promotion_to_first_write_s": 0.05 if n == "pgfront" else 0.9,
                                   "errors": 1, "error_kinds": [["x", 1]], "acknowledged": 200, "missing": 0,
                                   "duplicated": 0} for n in tl},
                   "timeline": {"end_s": 6.0, "targets": tl}, "load_before": "1 1 1", "load_after": "1 1 1"})
    return {
        "started": time.time() - 120, "finished": time.time(),
        "machine": {"hostname": "smoke", "nproc": 2, "cpu": "x", "memory_gib": 1.0, "kernel": "k", "os": "os",
                    "postgresql": "postgres (PostgreSQL) 15", "pgbench": "pgbench 15", "pgbouncer": "PgBouncer 1.18.0",
                    "haproxy": "HAProxy version 2.6", "patroni": "patroni 3.0.2", "pgfront": "pgfront 0.1.0",
                    "git": "abc"},
        "command": "bench/run --quick", "profile": "quick",
        "options": {"scale": 10, "rounds": 2, "duration": 3, "jobs": 2, "warmup": 1, "max_log_lines": 300000,
                    "idle_concurrency": 200, "idle_hold": 2, "scenarios": ["select", "idle", "failover"]},
        "load": {"start": "1.0 1.0 1.0", "end": "2.0 1.0 1.0"}, "max_connections": 100,
        "targets": [{"name": n, "describe": f"{n}: synthetic", "passthrough": n != "pgbouncer"}
                    for n in ("direct", "pgbouncer", "haproxy", "pgfront")],
        "unavailable": {"pgfront-pooled": "pgfront: pool.mode transaction not available in this build (smoke)"},
        "notes": [], "runs": runs, "idle": idle_recs, "failover": fo,
        "failover_targets": ["pgfront", "haproxy", "haproxy+pgbouncer"],
        "failover_md": "## Failover: synthetic\n\n| a | b |\n|---|---|\n", "error": None,
    }


def check_report(c, tmp):
    res = synthetic_results()
    agg = report.aggregate(res["runs"])
    s = agg[("select-50", "pgfront")]
    c.eq((s["ok"], s["runs"], s["tps"]), (2, 2, 6801.5), "median over rounds")
    c.eq(agg[("select-400", "haproxy")]["ok"], 0, "a failing scenario stays visible")
    path = report.write(res, tmp, os.path.join(tmp, "out"))
    with open(path) as f:
        md = f.read()
    for want in ("## Machine and versions", "## Where pgfront is behind", "## Targets from issues 3, 4 and 7",
                 "fails: FATAL: sorry, too many clients already", "pool.mode transaction not available in this build",
                 "## Failover: synthetic", "### idle-10000", "## All runs", "indicative",
                 "pass-through pgfront has 0.97× HAProxy's tps", "bench/run --quick", "0.97×", "1.10×",
                 "### fixedrate-50: pgbench -S at a fixed 8000 tps",
                 "| fixedrate-50: transaction mode CPU/txn ≤ 0.6× PgBouncer at the same fixed load | 0.50× "
                 "(0.0200 vs 0.0400 s/1k); pgfront's kernel time alone: 0.40× | met |", "could not keep up with -R 8000",
                 "## Where the proxy's CPU goes: pgfront (transaction mode) vs PgBouncer",
                 "| fixedrate-50 | 6.00 | 34.00 | 4.00 | 16.00 | 0.67× | 0.47× | 0.40× |"):
        c.ok(want in md, f"RESULTS.md has `{want}`")
    c.ok(os.path.exists(os.path.join(tmp, "out", "failover.md")), "out/failover.md written")
    if shutil.which("gnuplot"):
        for png in ("tps_vs_clients.png", "p99_vs_clients.png", "cpu_per_txn.png", "failover_timeline.png"):
            p = os.path.join(tmp, "plots", png)
            c.ok(os.path.exists(p) and os.path.getsize(p) > 1000, f"plot {png}")
            c.ok(f"plots/{png}" in md, f"RESULTS.md shows {png}")
    else:
        c.skip("plots (gnuplot not installed)")


def synthetic_vip(pgfront_kill_100ms=0.372):
    def takeover(how, label, interval, pf, ka):
        return {"how": how, "config": label, "version": 2 if interval >= 1 else 3, "interval": interval,
                "bound": vip_report.master_down(100, interval), "skew": vip_report.skew(100, interval),
                "pgfront": pf, "keepalived": ka, "pgfront_median": vip_report.median(pf),
                "keepalived_median": vip_report.median(ka)}
    return {"when": "2026-01-01 00:00 UTC", "command": "bench/run --scenarios vip", "minutes": 1.5,
            "args": {"rounds": 3, "events": ["SIGKILL"]}, "load": ["1.00 1.00 1.00", "1.20 1.00 1.00"],
            "takeover": [takeover("SIGKILL", "v2, advert_int 1 s", 1.0, [3.62, 3.63, 3.61], [3.64, 3.66, 3.65]),
                         takeover("SIGKILL", "v3, advert_int 100 ms", 0.1, [pgfront_kill_100ms] * 3,
                                  [0.371, 0.380, 0.375])],
            "primary_loss": [{"health": "interval 200ms, timeout 400ms, fall 2", "no_primary_after": "1s",
                              "rounds": [{"lost": 0.81, "handoff": 1.08, "total": 1.89}],
                              "lost_median": 0.81, "handoff_median": 1.08, "total_median": 1.89}]}


def check_vip(c, args, tmp):
    """The vip scenario without namespaces: its profile settings, the RFC timers, the section,
    its targets, and that it replaces only its own section of a report."""
    c.ok(args.vip_rounds >= 1 and args.vip_events and args.vip_primary_loss is not None,
         f"vip profile settings: {args.vip_rounds} {args.vip_events} {args.vip_primary_loss}")
    c.eq(round(vip_report.master_down(100, 1.0), 6), 3.609375, "Master_Down_Interval, priority 100, 1 s")
    c.eq(round(vip_report.master_down(100, 0.1), 6), 0.360938, "Master_Down_Interval, priority 100, 100 ms")
    res = synthetic_vip()
    md = vip_report.render(res)
    for want in ("## VIP takeover", "| SIGKILL of the Master | v2, advert_int 1 s | Master_Down_Interval 3.609 s "
                 "| **3.620 s** | 3.650 s |", "| interval 200ms, timeout 400ms, fall 2 | 1s | 0.810 s | **1.080 s** |",
                 "pgfront ≤ keepalived | 3.620 vs 3.650 s (-30.0 ms) | met |",
                 "(v3, advert_int 100 ms): pgfront ≤ 0.5 s | 0.372 s (median) | met |"):
        c.ok(want in md, f"VIP section has `{want}`")
    slow = vip_report.targets(synthetic_vip(pgfront_kill_100ms=0.62))
    c.ok(("NOT met" in slow[1][2] and slow[2][2] == "NOT met"), f"VIP targets missed are said so: {slow}")
    old = "# R\n\n## A\na\n\n## VIP takeover\nOLD-VIP-SECTION\n\n## B\nb\n"
    new = vip_report.splice(old, md)
    c.ok(new.startswith("# R\n\n## A\na\n\n## VIP takeover") and new.endswith("## B\nb\n") and "OLD-VIP-SECTION" not in new,
         "splice replaces only the VIP section")
    c.eq(vip_report.extract(new), md.rstrip("\n"), "extract finds the section again")
    c.ok(vip_report.splice("# R\n", md).startswith("# R\n\n## VIP takeover"), "splice appends when absent")
    placed = vip_report.splice("# R\n\n## A\na\n\n## All runs\nx\n", md)
    c.ok(placed.startswith("# R\n\n## A\na\n\n## VIP takeover") and placed.endswith("\n\n## All runs\nx\n"),
         "splice puts a new section before All runs, as the report does")

    # bench/run's report keeps an older VIP section when the run did not measure it...
    d = os.path.join(tmp, "vipreport")
    os.makedirs(d)
    with open(os.path.join(d, "RESULTS.md"), "w") as f:
        f.write("# old\n\n" + md + "\n## All runs\n")
    full = synthetic_results()
    path = report.write(full, d, os.path.join(d, "out"))
    with open(path) as f:
        text = f.read()
    c.ok(md.rstrip("\n") in text and report.VIP_KEPT_NOTE in text and "## Failover: synthetic" in text,
         "a run without the vip scenario keeps the earlier VIP section")
    # ...and shows its own when it did.
    full["vip_takeover"] = synthetic_vip(pgfront_kill_100ms=0.365)
    with open(report.write(full, d, os.path.join(d, "out"))) as f:
        text = f.read()
    c.ok("**0.365 s**" in text and report.VIP_KEPT_NOTE not in text, "a run with the vip scenario reports it")

    # The measuring module imports, and its vip-only write updates just its section.
    import vip_takeover
    results = os.path.join(d, "R2.md")
    with open(results, "w") as f:
        f.write("# kept\n\n## Summary\nx\n")
    vip_takeover.write(res, os.path.join(d, "out2"), results)
    with open(results) as f:
        text = f.read()
    c.ok(text.startswith("# kept\n\n## Summary\nx\n") and "## VIP takeover" in text
         and os.path.exists(os.path.join(d, "out2", "vip_takeover.json")), "vip_takeover.write splices its section")

    # The configurations the scenario starts: pgfront accepts its, keepalived its own.
    import netns
    nodes = [("node1", 25432, 28008)]
    for label, version, interval in vip_takeover.CONFIGS:
        text = netns.pgfront_yaml("198.19.0.254", nodes, {"priority": 150, "version": version,
                                                           "advert_interval": vip_takeover.interval_text(interval)})
        if args.pgfront and os.access(args.pgfront, os.X_OK):
            ok, problems = tg.check_config(args.pgfront, text, tmp)
            c.ok(ok, f"pgfront --check-config accepts the vip scenario's config ({label}): {problems}")
        conf = os.path.join(tmp, f"keepalived-v{version}.conf")
        with open(conf, "w") as f:
            f.write(netns.keepalived_conf(version, 150, interval, router_id="h1"))
        if shutil.which("keepalived") and os.path.exists("/sys/class/net/eth0"):
            r = subprocess.run(["keepalived", "-t", "-f", conf], capture_output=True, text=True, timeout=30)
            c.ok(r.returncode == 0, f"keepalived -t accepts the vip scenario's config ({label}): {r.stderr}")
        else:
            c.skip(f"keepalived -t ({label}): keepalived or eth0 missing")


def run(args):
    c = Checks()
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="pgfront-bench-smoke-")
    try:
        for name, fn in (("configs", lambda: check_configs(c, args, tmp)), ("pgbench", lambda: check_pgbench(c, tmp)),
                         ("round order", lambda: check_round_order(c)),
                         ("procstat", lambda: check_procstat(c)), ("idle", lambda: check_idle(c)),
                         ("report", lambda: check_report(c, tmp)), ("vip", lambda: check_vip(c, args, tmp))):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - one broken part must not hide the others
                import traceback
                traceback.print_exc()
                c.failed.append(f"{name}: {type(e).__name__}: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"smoke: {c.passed} checks passed, {len(c.failed)} failed, {len(c.skipped)} skipped "
          f"in {time.monotonic() - t0:.1f}s")
    for f in c.failed:
        print(f"smoke: FAILED: {f}", file=sys.stderr)
    return 1 if c.failed else 0
