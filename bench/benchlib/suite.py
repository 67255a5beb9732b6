"""The benchmark run: one harness cluster, the targets in front of the same primary, every
scenario against every target interleaved (A B C D A B C D ...) for several rounds, then the
idle-clients and failover scenarios. Results go to a JSON file the report is made from."""
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types

from . import configs, idle, pgbench, procstat, targets as tg

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))

APP_USER, APP_PASSWORD, APP_DB = "app", "apppass", "appdb"
TARGET_ORDER = ("direct", "pgbouncer", "haproxy", "pgfront", "pgfront-pooled")


class Scenario(types.SimpleNamespace):
    """A pgbench scenario: name, title, clients, builtin, mode, connect, rate (pgbench -R, or None)."""

    rate = None


def pgbench_scenarios(args):
    out = []
    if "select" in args.scenarios:
        for c in args.clients:
            out.append(Scenario(name=f"select-{c}", family="select", title=f"pgbench -S, {c} client(s)",
                                clients=c, builtin="select-only", mode="simple", connect=False))
    if "fixedrate" in args.scenarios and args.fixed_rate > 0:
        c, r = args.fixed_rate_clients, args.fixed_rate
        out.append(Scenario(name=f"fixedrate-{c}", family="fixedrate", title=f"pgbench -S -R {r}, {c} clients",
                            clients=c, builtin="select-only", mode="simple", connect=False, rate=r))
    if "tpcb" in args.scenarios:
        c = args.tpcb_clients
        out.append(Scenario(name=f"tpcb-{c}", family="tpcb", title=f"TPC-B (pgbench default script), {c} clients",
                            clients=c, builtin="tpcb-like", mode="simple", connect=False))
    for mode in ("prepared", "extended"):
        if mode in args.scenarios:
            c = args.mode_clients
            out.append(Scenario(name=f"{mode}-{c}", family=mode, title=f"pgbench -M {mode} -S, {c} clients",
                                clients=c, builtin="select-only", mode=mode, connect=False))
    if "connect" in args.scenarios:
        c = args.connect_clients
        out.append(Scenario(name=f"connect-{c}", family="connect",
                            title=f"connection setup: pgbench -C -S, {c} clients (a new connection per transaction)",
                            clients=c, builtin="select-only", mode="simple", connect=True))
    return out


def round_order(targets, rnd):
    """The targets in the order round rnd (from 1) runs them: rotated by one each round, so
    that no target is always first or last. Writing scenarios and the machine's load drift
    during a run; a fixed order would give the same target the worst slot every round."""
    if not targets:
        return []
    k = (rnd - 1) % len(targets)
    return list(targets[k:]) + list(targets[:k])


def _cmd_version(cmd, pattern=None):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        text = (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    if pattern:
        m = re.search(pattern, text)
        return m.group(0) if m else text.splitlines()[0] if text else "unknown"
    return text.splitlines()[0] if text else "unknown"


def machine_description(pgfront_binary):
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = _cmd_version(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "hostname": platform.node(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1) if mem_kb else None,
        "kernel": platform.release(),
        "os": _os_release(),
        "postgresql": _cmd_version(["/usr/lib/postgresql/15/bin/postgres", "--version"]),
        "pgbench": _cmd_version([pgbench.PGBENCH, "--version"]),
        "pgbouncer": _cmd_version(["/usr/sbin/pgbouncer", "--version"]),
        "haproxy": _cmd_version(["haproxy", "-v"], r"HAProxy version \S+"),
        "patroni": _cmd_version(["/usr/bin/patroni", "--version"]),
        "pgfront": tg.pgfront_version(pgfront_binary),
        "git": commit + (" (with uncommitted changes)" if dirty else ""),
    }


def _os_release():
    try:
        with open("/etc/os-release") as f:
            kv = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return kv.get("PRETTY_NAME", "").strip('"')
    except OSError:
        return "unknown"


def detect_pooled_config(binary, cluster_yaml, common, pool_opts, auth, wd, name="pgfront-pooled"):
    """Finds the pooled config this pgfront build accepts. Returns (text, note, None) or
    (None, None, reason); the reason says "pool.mode X not available in this build" when
    --check-config rejects the mode itself."""
    mode = common["mode"]
    candidates = [(pool_opts, auth, None),
                  ("", auth, f"pool options `{pool_opts}` rejected: pgfront's own pool defaults used"),
                  (pool_opts, "", "the auth section was rejected: run without it"),
                  ("", "", "pool options and auth section rejected: run with neither")]
    tried = []
    for opts, extra, note in candidates:
        text = configs.pgfront_yaml(cluster_yaml, **common, pool_extra=opts, extra=extra)
        ok, problems = tg.check_config(binary, text, wd)
        if ok:
            return text, (f"{name}: {note} ({'; '.join(tried[0][:1])})" if note else None), None
        tried.append(problems)
    mode_lines = [p for ps in tried for p in ps if "pool.mode" in p]
    if mode_lines:
        return None, None, f"pgfront: pool.mode {mode} not available in this build (--check-config: {mode_lines[0]})"
    return None, None, f"{name}: --check-config rejected the pooled config: {'; '.join(tried[0][:2])}"


class Suite:
    def __init__(self, args, log=print):
        self.args = args
        self._t0 = time.monotonic()
        self.log = lambda m: log(f"[{time.monotonic() - self._t0:6.1f}s] {m}")
        self.cluster = None
        self.targets = []
        self.extra_procs = []
        self.unavailable = {}       # target name -> reason (e.g. pooled mode not built)
        self.notes = []
        self.runs = []              # pgbench runs
        self.idle = []              # idle-client results
        self.failover = []          # failover.run_event results
        self.failover_md = None
        self.failover_targets = []
        self.vip = None             # bench/vip_takeover.py's measure() result
        self.failed_first = {}      # (scenario, target) -> reason of a failed round-1 run
        self.workdir = None
        self.started = time.time()
        self.load = {"start": procstat.loadavg()}
        self.error = None
        self.max_connections = None
        self.crashes = []
        self.restarts = {}

    # ---------------------------------------------------------------------------------------
    def run(self):
        a = self.args
        nofile = idle.raise_nofile(20000)
        if nofile < max(a.idle_clients, max(a.clients, default=0)) + 200:
            self.notes.append(f"RLIMIT_NOFILE is {nofile}: 10,000-client scenarios may fail for lack of fds")
        self.workdir = tempfile.mkdtemp(prefix="pgfront-bench-", dir=a.tmpdir)
        os.chmod(self.workdir, 0o755)  # PgBouncer runs as postgres from a subdirectory
        # a private copy: the build may be replaced while the run is going on
        os.makedirs(os.path.join(self.workdir, "bin"))
        self.pgfront_binary = os.path.join(self.workdir, "bin", "pgfront")
        shutil.copy2(a.pgfront, self.pgfront_binary)
        try:
            # now: the private copy goes with the work directory before the report is written
            self.machine = machine_description(self.pgfront_binary)
            if any(sc != "vip" for sc in a.scenarios):
                self.run_cluster_scenarios()
                self.stop_targets_and_cluster()  # the VIP scenario runs on a quiet machine
            if "vip" in a.scenarios:
                self.run_vip()
        except BaseException as e:  # noqa: BLE001 - report what we have, then re-raise
            self.error = f"{type(e).__name__}: {e}"
            raise
        finally:
            self.load["end"] = procstat.loadavg()
            self.finished = time.time()
            self.stop_all()

    def run_cluster_scenarios(self):
        """Every scenario but `vip`: one 3-node cluster, the targets, interleaved runs."""
        from pgcluster import Cluster
        a = self.args
        t0 = time.monotonic()
        self.cluster = Cluster(nodes=3, scope="bench", max_connections=a.max_connections)
        self.cluster.start(timeout=120)
        self.log(f"bench: cluster up in {time.monotonic() - t0:.1f}s")
        self.init_dataset()
        self.start_targets()
        self.warmup()
        scen = pgbench_scenarios(a)
        for rnd in range(1, a.rounds + 1):
            for sc in scen:
                for t in round_order(self.targets, rnd):
                    self.run_pgbench(sc, t, rnd)
        if "idle" in a.scenarios:
            for t in self.targets:
                self.run_idle(t)
        if "failover" in a.scenarios:
            self.run_failover()

    def run_vip(self):
        """bench/vip_takeover.py's measurement: pgfront's VRRP speaker vs keepalived in network
        namespaces with a one-node cluster of its own, then the primary-loss handoff."""
        import vip_takeover
        a = self.args
        self.log(f"bench: vip takeover, {a.vip_rounds} round(s), {' '.join(a.vip_events)}")
        self.vip = vip_takeover.measure(self.pgfront_binary, a.vip_rounds, a.vip_events,
                                        vip_takeover.PRIMARY_LOSS[:a.vip_primary_loss],
                                        log=self.log, command=a.command_line)

    def stop_targets_and_cluster(self):
        for t in list(self.targets) + list(self.extra_procs):
            try:
                t.stop()
            except Exception as e:  # noqa: BLE001
                self.log(f"bench: stopping {t.name} failed: {e}")
        self.extra_procs = []
        if self.cluster is not None:
            try:
                self.cluster.stop()
            except Exception as e:  # noqa: BLE001
                self.log(f"bench: stopping the cluster failed: {e}")
            self.cluster = None

    def stop_all(self):
        import harnessutil
        with harnessutil.cleaning():  # a second SIGTERM must not cut the teardown short
            self.stop_targets_and_cluster()
            if self.workdir and not self.args.keep_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)
            elif self.workdir:
                self.log(f"bench: work directory kept: {self.workdir}")

    # ---------------------------------------------------------------------------------------
    def primary_port(self):
        return self.cluster.primary().pg_port

    def init_dataset(self):
        a = self.args
        t0 = time.monotonic()
        cmd = [pgbench.PGBENCH, "-i", "-q", "-s", str(a.scale), "-h", "127.0.0.1", "-p",
               str(self.primary_port()), "-U", APP_USER, APP_DB]
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.pg_env(), timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"pgbench -i failed: {r.stdout}{r.stderr}")
        primary = self.cluster.primary()
        self.cluster.sql(primary, "CHECKPOINT")
        self.max_connections = int(self.cluster.sql(primary, "SHOW max_connections")[0][0])
        self.cluster.wait_replicas_caught_up(timeout=120)
        self.log(f"bench: pgbench -i -s {a.scale} done in {time.monotonic() - t0:.1f}s")

    def reset_write_state(self):
        """Before each TPC-B run, what pgbench does unless told -n (with -v): vacuum the tables
        it updates and empty pgbench_history, then a checkpoint. Without it every run starts on
        the dead rows and history of all the runs before it, and on a checkpoint due at a
        random point, so the later a target runs the slower it looks. Done directly on the
        primary, outside the measured time."""
        primary = self.cluster.primary()
        for q in ("VACUUM pgbench_branches", "VACUUM pgbench_tellers", "VACUUM pgbench_accounts",
                  "TRUNCATE pgbench_history", "CHECKPOINT"):
            self.cluster.sql(primary, q, dbname=APP_DB, timeout=300)

    def pg_env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({"PGPASSWORD": APP_PASSWORD, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "pgfront-bench"})
        return env

    def free_slots(self):
        """Connection slots an ordinary user can still get on the primary."""
        rows = self.cluster.sql(self.cluster.primary(), (
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"))
        return int(rows[0][0])

    def start_targets(self):
        from pgfront_process import free_port
        a, c = self.args, self.cluster
        primary = c.primary()
        wanted = [t for t in TARGET_ORDER if t in a.targets]
        for name in wanted:
            wd = os.path.join(self.workdir, name)
            if name == "direct":
                t = tg.Direct(c)
            elif name == "pgbouncer":
                t = tg.PgBouncer("pgbouncer", wd, free_port(), "127.0.0.1", primary.pg_port,
                                 pool_size=a.pool_size, max_client_conn=self.max_client_conn())
            elif name == "haproxy":
                t = tg.HAProxy(wd, c, free_port(), free_port(), free_port())
            elif name in ("pgfront", "pgfront-pooled"):
                mode = "none" if name == "pgfront" else a.pgfront_pooled_mode
                port = free_port()
                text, reason = self.pgfront_config(name, mode, port, wd)
                if text is None:
                    self.unavailable[name] = reason
                    self.log(f"bench: {reason}")
                    continue
                t = tg.PgFrontTarget(name, self.pgfront_binary, text, wd, port, mode)
            else:
                continue
            t.start()
            self.targets.append(t)
            self.log(f"bench: {t.describe()} on port {t.port}, pids {t.pids()}")
        # every proxy has seen the cluster healthy before the first run
        deadline = time.monotonic() + 30
        for t in self.targets:
            while time.monotonic() < deadline:
                try:
                    with c.connect(port=t.port, connect_timeout=5) as conn:
                        conn.execute("SELECT 1")
                    break
                except Exception:  # noqa: BLE001
                    time.sleep(0.2)

    def pgfront_config(self, name, mode, port, wd):
        """(config text, None) or (None, reason). Detects what this pgfront build accepts: the
        pooled target is tried with the pool options and an auth section, then without each;
        the first config `--check-config` accepts is used (and any dropped part noted)."""
        from pgfront_process import free_port
        a = self.args
        os.makedirs(wd, exist_ok=True)
        cy = self.cluster.pgfront_cluster_yaml()
        common = dict(primary_port=port, replica_port=free_port(), admin_port=free_port(), mode=mode,
                      workers=a.pgfront_workers)
        if mode == "none":
            base = configs.pgfront_yaml(cy, **common)
            ok, problems = tg.check_config(self.pgfront_binary, base, wd)
            if ok:
                return base, None
            return None, f"pgfront: --check-config rejected the pass-through config: {'; '.join(problems[:2])}"
        userlist = os.path.join(wd, "userlist.txt")
        with open(userlist, "w") as f:
            f.write(self.pgfront_userlist())
        os.chmod(userlist, 0o600)
        if a.pgfront_pooled_extra:
            with open(a.pgfront_pooled_extra) as f:
                auth = f.read()
        else:
            auth = 'auth: {type: scram-sha-256, auth_file: "{userlist}"}\n'
        auth = auth.replace("{userlist}", userlist).replace("{auth_query}", configs.AUTH_QUERY)
        pool_opts = a.pgfront_pool_options
        if pool_opts is None:
            pool_opts = f"default_pool_size: {a.pool_size}, max_client_conn: {self.max_client_conn()}"
        text, note, reason = detect_pooled_config(self.pgfront_binary, cy, common, pool_opts, auth, wd, name)
        if note:
            self.notes.append(note)
        return text, reason

    def pgfront_userlist(self):
        """userlist.txt for pooled pgfront: app's SCRAM secret as auth_query would return it
        (the default, like PgBouncer's setup) or its plaintext password (--pgfront-userlist plain)."""
        if self.args.pgfront_userlist == "plain":
            app = APP_PASSWORD
        else:
            app = self.cluster.sql(self.cluster.primary(), "SELECT passwd FROM pg_shadow WHERE usename = %s",
                                   (APP_USER,))[0][0]
        return f'"{APP_USER}" "{app}"\n' + configs.pgbouncer_userlist()

    def max_client_conn(self):
        return self.args.idle_clients + 2 * max(self.args.clients, default=0) + 500

    def warmup(self):
        """A short -S run per target: caches, PgBouncer's pool and auth_query cache are warm
        before the first measured run, so round 1's first target is not penalised."""
        if self.args.warmup <= 0:
            return
        for t in self.targets:
            cmd = pgbench.command(t.port, 10, 1, self.args.warmup)
            subprocess.run(cmd, capture_output=True, text=True, env=self.pg_env(), timeout=self.args.warmup + 60)

    # ---------------------------------------------------------------------------------------
    def conn_allowance(self, sc, t, jobs):
        """Seconds added to -T for the connection phase: pgbench 15 counts it in -T, and with
        SCRAM each connection costs the client a PBKDF2 (~5-15 ms here), so 2,000 clients need
        10-25 s before the first transaction. Learnt from this target's earlier runs."""
        if sc.connect:
            return 0
        # a lone connection (1 client) says little about many made in parallel: learn from >= 10
        per_conn = [r["initial_connection_ms"] / 1000.0 / math.ceil(r["clients"] / r["jobs"])
                    for r in self.runs if r["target"] == t.name and r.get("initial_connection_ms")
                    and r.get("jobs") and r.get("family") != "connect" and r["clients"] >= 10]
        per = max(per_conn) * 1.3 if per_conn else (0.02 if t.passthrough else 0.012)
        return min(sc.clients * 0.1, math.ceil(sc.clients / max(1, jobs)) * per) + 0.3

    def est_tps(self, sc, t):
        """tps expected of sc on t: its earlier rounds, else the same target's best at >= 50
        clients in the same family, else a guess (used for -t counts and log sampling)."""
        if sc.rate:
            return sc.rate
        prev = [r["tps"] for r in self.runs if r["scenario"] == sc.name and r["target"] == t.name
                and r.get("tps") and r["status"] == "ok"]
        if prev:
            return median_of(prev)
        fam = [r["tps"] for r in self.runs if r["target"] == t.name and r.get("family") == sc.family
               and r.get("tps") and r["status"] == "ok" and r["clients"] >= 50]
        if fam:
            return max(fam)
        return 5000.0

    def run_pgbench(self, sc, t, rnd):
        a = self.args
        key = (sc.name, t.name)
        if key in self.failed_first and not a.retry_failed:
            return
        if rnd > a.big_rounds and sc.clients >= a.big_clients:
            return
        if not self.ensure_alive(t, f"before {sc.name} round {rnd}"):
            self.record_fail(sc, t, rnd, f"{t.name} is not running and could not be restarted")
            return
        free = self.free_slots() if t.passthrough else None
        doomed = t.passthrough and sc.clients > free
        if doomed:
            smaller = [r for r in self.runs if r["target"] == t.name and r.get("family") == sc.family
                       and r["clients"] < sc.clients and r["status"] != "ok" and r.get("predicted_to_fail")]
            if smaller:
                if rnd == 1:
                    self.record_fail(sc, t, rnd, f"as with {smaller[0]['clients']} clients: {smaller[0]['reason']} "
                                                 f"— not attempted", predicted=True)
                    self.failed_first[key] = self.runs[-1]["reason"]
                return
        jobs = 1 if doomed else min(a.jobs, sc.clients)
        count = None
        if sc.clients >= a.count_mode_clients and not sc.connect:
            # -t: the connection phase (seconds for hundreds of SCRAM logins) is not in the count
            count = max(2, math.ceil(self.est_tps(sc, t) * a.duration / sc.clients))
            duration = a.duration
        else:
            duration = a.duration + self.conn_allowance(sc, t, jobs)
        prefix = os.path.join(self.workdir, "pgbench-logs", f"{sc.name}.{t.name}.{rnd}")
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        rate = pgbench.sampling_rate(self.est_tps(sc, t), duration, a.max_log_lines)
        if sc.family == "tpcb":
            self.reset_write_state()
        rec = self._pgbench_once(sc, t, rnd, jobs, duration, prefix, rate, count)
        if rec["status"] != "ok" and rec.get("ran_out_of_time") and count is None:
            longer = a.duration + rec["wall_s"] * 1.3 + 1
            self.log(f"bench: {sc.name} {t.name}: the connection phase used up -T {rec['duration_s']} s; "
                     f"again with -T {math.ceil(longer)}")
            rec = self._pgbench_once(sc, t, rnd, jobs, longer, prefix, rate)
            rec["note"] = "retried with a longer -T: the connection phase took the whole first -T"
        if rec["returncode"] is not None and rec["returncode"] < 0 and jobs > 1:
            self.log(f"bench: pgbench died ({rec['reason']}) with -j {jobs}; again with -j 1")
            rec = self._pgbench_once(sc, t, rnd, 1, duration, prefix, rate, count)
            rec["note"] = "retried with -j 1 after pgbench died with -j 2"
        rec["free_slots"] = free
        rec["predicted_to_fail"] = doomed
        if not t.alive():
            crash = self.note_crash(t, f"during {sc.name} round {rnd}")
            rec["status"] = "fails"
            rec["reason"] = f"{t.name} {crash['how']} during the run ({rec['reason'] or 'pgbench saw no error'})"
        if doomed and rec["status"] != "ok":
            rec["reason"] = (f"{rec['reason']} (pass-through: {sc.clients} clients need {sc.clients} server "
                             f"connections; {free} of max_connections {self.max_connections} were free)")
        self.runs.append(rec)
        if rec["status"] != "ok" and rnd == 1:
            self.failed_first[key] = rec["reason"]
        self.log(self.format_run(rec))

    def _pgbench_once(self, sc, t, rnd, jobs, duration, prefix, rate, count=None):
        cmd = pgbench.command(t.port, sc.clients, jobs, duration, builtin=sc.builtin, mode=sc.mode,
                              connect=sc.connect, log_prefix=prefix, sampling_rate=rate, transactions=count,
                              rate=sc.rate)
        pids = t.pids()
        hwm_reset = procstat.reset_hwm(pids) if pids else False
        sampler = procstat.Sampler(lambda: pids, interval=0.1)
        load_before = procstat.loadavg()
        sampler.start()
        t0 = time.monotonic()
        timeout = math.ceil(duration) * (10 if count else 1) + 60 + sc.clients * 0.05
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.pg_env())
        try:
            out, _ = proc.communicate(timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate(timeout=30)
            rc = None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        t1 = time.monotonic()
        sampler.stop()
        load_after = procstat.loadavg()
        parsed = pgbench.parse_output(out or "")
        lat = pgbench.read_latencies_us(prefix)
        reason = "pgbench timed out" if rc is None else pgbench.fail_reason(parsed, rc, out or "")
        if reason is None and sc.rate and (parsed["tps"] or 0) < 0.95 * sc.rate:
            # CPU per transaction at a lower load is not comparable with the others'
            reason = f"could not keep up with -R {sc.rate}: {parsed['tps'] or 0:,.0f} tps"
        ran_out = (rc == 0 and not parsed["transactions"] and not parsed["errors"] and not count)
        if ran_out:
            reason = (f"no transaction within -T {math.ceil(duration)} s: the {sc.clients} connections took "
                      f"{t1 - t0:.1f} s")
        conn_s = (parsed["initial_connection_ms"] or 0) / 1000.0 if not sc.connect else 0.0
        txns = parsed["transactions"]
        cpu = sampler.cpu_between(t0 + conn_s) if pids else None
        split = sampler.cpu_split_between(t0 + conn_s) if pids else None
        rss = procstat.hwm_kb(pids) if (pids and hwm_reset) else (sampler.max_rss() if pids else None)
        return {
            "scenario": sc.name, "family": sc.family, "clients": sc.clients, "target": t.name, "round": rnd,
            "rate": sc.rate, "status": "ok" if reason is None else "fails", "reason": reason, "returncode": rc,
            "tps": parsed["tps"], "latency_avg_ms": parsed["latency_avg_ms"],
            "p50_ms": _ms(pgbench.percentile(lat, 50)), "p99_ms": _ms(pgbench.percentile(lat, 99)),
            "logged_txns": len(lat), "sampling_rate": round(rate, 4),
            "initial_connection_ms": parsed["initial_connection_ms"],
            "average_connection_ms": parsed["average_connection_ms"],
            "transactions": txns, "failed": parsed["failed"], "aborted_clients": parsed["aborted_clients"],
            "error_count": parsed["error_count"], "errors": parsed["errors"][:3],
            "proxy_cpu_s": round(cpu, 3) if cpu is not None else None,
            "cpu_s_per_1k": round(cpu / txns * 1000, 5) if (cpu is not None and txns) else None,
            "user_cpu_s_per_1k": round(split[0] / txns * 1000, 5) if (split is not None and txns) else None,
            "kernel_cpu_s_per_1k": round(split[1] / txns * 1000, 5) if (split is not None and txns) else None,
            "peak_rss_kb": rss, "hwm_reset": hwm_reset,
            "jobs": jobs, "duration_s": None if count else math.ceil(duration), "per_client_txns": count,
            "wall_s": round(t1 - t0, 2),
            "load_before": load_before, "load_after": load_after, "ran_out_of_time": ran_out,
            "output_tail": (out or "")[-1500:] if reason else None,
            "cmd": " ".join(cmd[:1] + [c for c in cmd[1:] if not c.startswith("--log-prefix")]),
        }

    def note_crash(self, t, when):
        """Records that target t exited (how, its log's tail) once per death."""
        rc = t.returncode()
        how = (f"was killed by signal {-rc}" if rc is not None and rc < 0 else
               f"exited with code {rc}" if rc is not None else "stopped")
        crash = {"target": t.name, "when": when, "returncode": rc, "how": how, "log_tail": t.log_tail(25)}
        if not any(c["target"] == t.name and c.get("pid") == t.last_pid for c in self.crashes):
            crash["pid"] = t.last_pid
            self.crashes.append(crash)
            self.log(f"bench: {t.name} {how} {when}; log tail:\n{crash['log_tail']}")
        return crash

    def ensure_alive(self, t, when):
        """Restarts a target that died (at most --max-restarts times in a run)."""
        if t.alive():
            return True
        self.note_crash(t, when)
        if self.restarts.get(t.name, 0) >= self.args.max_restarts:
            return False
        self.restarts[t.name] = self.restarts.get(t.name, 0) + 1
        try:
            t.start()
            self.log(f"bench: {t.name} restarted (restart {self.restarts[t.name]}), pids {t.pids()}")
            return True
        except Exception as e:  # noqa: BLE001
            self.log(f"bench: restarting {t.name} failed: {e}")
            return False

    def record_fail(self, sc, t, rnd, reason, predicted=False):
        rec = {"scenario": sc.name, "family": sc.family, "clients": sc.clients, "target": t.name, "round": rnd,
               "status": "fails", "reason": reason, "returncode": None, "tps": None, "predicted_to_fail": predicted,
               "load_before": procstat.loadavg(), "load_after": procstat.loadavg()}
        self.runs.append(rec)
        self.log(self.format_run(rec))

    @staticmethod
    def format_run(r):
        if r["status"] == "ok":
            return (f"bench: round {r['round']} {r['scenario']:<12} {r['target']:<15} tps {r['tps']:>9.1f}  "
                    f"lat {r['latency_avg_ms']} ms  p99 {r['p99_ms']} ms  cpu/1k {r['cpu_s_per_1k']}  "
                    f"rss {r['peak_rss_kb']} kB  load {r['load_before']} -> {r['load_after']}")
        return f"bench: round {r['round']} {r['scenario']:<12} {r['target']:<15} fails: {r['reason']}"

    # ---------------------------------------------------------------------------------------
    def run_idle(self, t):
        a = self.args
        n = a.idle_clients
        base = {"scenario": f"idle-{n}", "target": t.name, "clients": n, "load_before": procstat.loadavg()}
        if t.passthrough:
            free = self.free_slots()
            base.update(status="fails", reason=(
                f"pass-through: each idle client holds a server connection; {n} clients need {n}, the "
                f"primary had {free} free of max_connections {self.max_connections} (not attempted)"))
            base["load_after"] = base["load_before"]
            self.idle.append(base)
            self.log(f"bench: idle-{n} {t.name}: fails: {base['reason']}")
            return
        if not self.ensure_alive(t, f"before idle-{n}"):
            base.update(status="fails", reason=f"{t.name} is not running and could not be restarted",
                        load_after=procstat.loadavg())
            self.idle.append(base)
            return
        pids = t.pids()
        time.sleep(0.5)
        rss_before = procstat.rss_kb(pids)
        procstat.reset_hwm(pids)
        cpu0 = procstat.cpu_seconds(pids)

        def hold():
            time.sleep(a.idle_hold)
            return {"rss_kb": procstat.rss_kb(pids), "hwm_kb": procstat.hwm_kb(pids),
                    "cpu_s": procstat.cpu_seconds(pids)}

        res = idle.open_idle(t.port, n, user=APP_USER, password=APP_PASSWORD, dbname=APP_DB, hold=hold,
                             concurrency=a.idle_concurrency, bound=a.idle_bound)
        time.sleep(1.0)
        held = res["held"] or {}
        opened = res["opened"]
        rec = dict(base)
        rec.update({
            "opened": opened, "failed": res["failed"], "errors": res["errors"], "open_s": res["open_seconds"],
            "rss_before_kb": rss_before, "rss_idle_kb": held.get("rss_kb"), "peak_rss_kb": held.get("hwm_kb"),
            "rss_after_close_kb": procstat.rss_kb(pids),
            "per_client_bytes": (round((held["rss_kb"] - rss_before) * 1024 / opened)
                                 if opened and held.get("rss_kb") and rss_before else None),
            "login_cpu_ms_per_1k": (round((held["cpu_s"] - cpu0) / opened * 1e6, 1)
                                    if opened and held.get("cpu_s") is not None else None),
            "load_after": procstat.loadavg(),
        })
        if not t.alive():
            crash = self.note_crash(t, f"during idle-{n}")
            rec.update(status="fails", reason=f"{t.name} {crash['how']} with {opened} idle clients open")
        elif res["failed"] or opened < n:
            top = res["errors"][0][0] if res["errors"] else "?"
            rec.update(status="fails", reason=f"opened {opened} of {n}: {top}")
        else:
            rec.update(status="ok", reason=None)
        self.idle.append(rec)
        self.log(f"bench: idle-{n} {t.name}: {rec['status']} opened {opened} in {rec['open_s']}s, RSS "
                 f"{rss_before} -> {rec['rss_idle_kb']} kB (peak {rec['peak_rss_kb']}), {rec.get('reason') or ''}")

    # ---------------------------------------------------------------------------------------
    def run_failover(self):
        """bench/failover.py's measurement (run_event) with every failover-capable target
        writing at once: pgfront, HAProxy, PgBouncer behind HAProxy (the classic stack), and
        pooled pgfront when this build has it. PgBouncer/direct pointing at a fixed primary
        cannot follow a failover, so they are not in it."""
        import failover
        from pgfront_process import free_port
        a = self.args
        by_name = {t.name: t for t in self.targets if self.ensure_alive(t, "before the failover scenario")}
        ft = []
        for name in ("pgfront", "haproxy"):
            if name in by_name:
                ft.append((name, by_name[name].port))
        if "haproxy" in by_name and "pgbouncer" in a.targets:
            ha = by_name["haproxy"]
            pb = tg.PgBouncer("haproxy+pgbouncer", os.path.join(self.workdir, "pgbouncer-via-haproxy"),
                              free_port(), "127.0.0.1", ha.port, pool_size=a.pool_size, max_client_conn=1000)
            pb.start()
            self.extra_procs.append(pb)
            ft.append((pb.name, pb.port))
        if "pgfront-pooled" in by_name:
            ft.append(("pgfront-pooled", by_name["pgfront-pooled"].port))
        self.failover_targets = [n for n, _ in ft]
        if len(ft) < 1:
            return
        time.sleep(2)
        for rnd in range(1, a.failover_rounds + 1):
            for ev in a.failover_events:
                lb = procstat.loadavg()
                r = failover.run_event(self.cluster, ev, ft, rnd)
                r["load_before"], r["load_after"] = lb, procstat.loadavg()
                self.failover.append(r)
                self.log("bench: failover " + json.dumps({k: v for k, v in r.items() if k != "timeline"}))
        fa = types.SimpleNamespace(rounds=a.failover_rounds, events=a.failover_events)
        self.failover_md = failover.report(self.failover, fa, self.started, rerun=self.args.command_line)

    # ---------------------------------------------------------------------------------------
    def results(self):
        return {
            "started": self.started, "finished": getattr(self, "finished", time.time()),
            "machine": getattr(self, "machine", None) or machine_description(self.args.pgfront),
            "command": self.args.command_line, "profile": self.args.profile,
            "options": {k: v for k, v in vars(self.args).items() if k not in ("command_line",)},
            "load": self.load, "max_connections": self.max_connections,
            "targets": [{"name": t.name, "describe": t.describe(), "passthrough": t.passthrough}
                        for t in self.targets],
            "unavailable": self.unavailable, "notes": self.notes,
            "runs": self.runs, "idle": self.idle,
            "failover": self.failover, "failover_targets": self.failover_targets,
            "failover_md": self.failover_md, "error": self.error, "crashes": self.crashes,
            "vip_takeover": self.vip,
        }


def median_of(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2.0


def _ms(us):
    return round(us / 1000.0, 3) if us is not None else None
