"""The compared targets as processes we start and stop (by pid, always, also on failure).

Each target has a `port` clients connect to, `pids()` (the processes whose CPU and memory are
the proxy's cost; empty for the direct connection) and `passthrough` (every client needs its
own server connection, so more clients than the server's free slots cannot work).
"""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

from . import configs, procstat

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
import harnessutil as hu  # noqa: E402
from pgfront_process import PgFront  # noqa: E402


class Target:
    name = "?"
    passthrough = True
    kind = "proxy"

    def __init__(self):
        self.port = None
        self.available = True
        self.unavailable_reason = None

    def pids(self):
        return []

    def main_pid(self):
        p = self.pids()
        return p[0] if p else None

    def alive(self):
        return True

    def returncode(self):
        return None

    def log_tail(self, n=20):
        return ""

    @property
    def last_pid(self):
        return None

    def start(self):
        return self

    def stop(self):
        pass

    def _emergency_cleanup(self):
        self.stop()

    def describe(self):
        return self.name


class Direct(Target):
    name = "direct"
    kind = "direct"

    def __init__(self, cluster):
        super().__init__()
        self.cluster = cluster
        self.port = cluster.primary().pg_port

    def describe(self):
        return f"direct: libpq to the primary's PostgreSQL (port {self.port})"


def _wait_port(port, proc_alive, timeout, what, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc_alive():
            tail = hu.tail_file(log_path, 30) if log_path else ""
            raise RuntimeError(f"{what} exited before listening on {port}\n{tail}")
        if hu.port_open(port, timeout=0.3):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not listening on {port} after {timeout}s")


class PgBouncer(Target):
    """PgBouncer run as `postgres` (it refuses root) from its own directory."""
    passthrough = False
    kind = "pooler"

    def __init__(self, name, workdir, port, server_host, server_port, pool_size=20, max_client_conn=12000,
                 binary="/usr/sbin/pgbouncer", run_as="postgres"):
        super().__init__()
        self.name = name
        self.workdir = workdir
        self.port = port
        self.server = (server_host, server_port)
        self.pool_size = pool_size
        self.max_client_conn = max_client_conn
        self.binary = binary
        self.run_as = run_as
        self.proc = None
        self.ini_path = os.path.join(workdir, "pgbouncer.ini")
        self.log_path = os.path.join(workdir, "pgbouncer.log")

    def write_files(self):
        os.makedirs(self.workdir, exist_ok=True)
        pw = pwd.getpwnam(self.run_as)
        files = {
            "pgbouncer.ini": configs.pgbouncer_ini(listen_port=self.port, server_host=self.server[0],
                                                   server_port=self.server[1], workdir=self.workdir,
                                                   pool_size=self.pool_size, max_client_conn=self.max_client_conn),
            "userlist.txt": configs.pgbouncer_userlist(),
        }
        for fn, text in files.items():
            path = os.path.join(self.workdir, fn)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o600)
            os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(self.workdir, 0o700)
        os.chown(self.workdir, pw.pw_uid, pw.pw_gid)

    def start(self):
        self.write_files()
        cmd = ["setpriv", f"--reuid={self.run_as}", f"--regid={self.run_as}", "--init-groups",
               "--pdeathsig", "TERM", "--", self.binary, self.ini_path]
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "HOME": self.workdir, "LANG": "C.UTF-8"}
        out = open(os.path.join(os.path.dirname(self.workdir), f"{self.name}.stdout"), "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         cwd=self.workdir, env=env, start_new_session=True)
        finally:
            out.close()
        hu.register(self)
        _wait_port(self.port, self.alive, 15, self.name, self.log_path)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pids(self):
        return [self.proc.pid] if self.alive() else []

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # safe shutdown: wait for clients' transactions
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        hu.unregister(self)

    def log_tail(self, n=20):
        return hu.tail_file(self.log_path, n)

    def returncode(self):
        return self.proc.poll() if self.proc is not None else None

    @property
    def last_pid(self):
        return self.proc.pid if self.proc is not None else None

    def describe(self):
        return (f"{self.name}: PgBouncer, transaction pooling, default_pool_size {self.pool_size}, "
                f"auth_type scram-sha-256, auth_user pgbouncer + auth_query, to {self.server[0]}:{self.server[1]}")


class HAProxy(Target):
    def __init__(self, workdir, cluster, port, replica_port, stats_port, binary="haproxy"):
        super().__init__()
        self.name = "haproxy"
        self.workdir = workdir
        self.cluster = cluster
        self.port = port
        self.ports = (port, replica_port, stats_port)
        self.binary = binary
        self.proc = None
        self.cfg_path = os.path.join(workdir, "haproxy.cfg")
        self.log_path = os.path.join(workdir, "haproxy.log")

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        with open(self.cfg_path, "w") as f:
            f.write(configs.haproxy_cfg(self.cluster, *self.ports))
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(["setpriv", "--pdeathsig", "TERM", "--", self.binary, "-db", "-f",
                                          self.cfg_path], stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        hu.register(self)
        _wait_port(self.port, self.alive, 15, "haproxy", self.log_path)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pids(self):
        # one process with threads in -db mode; its tree covers master-worker (-W) too
        return procstat.tree_pids(self.proc.pid) if self.alive() else []

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        hu.unregister(self)

    def returncode(self):
        return self.proc.poll() if self.proc is not None else None

    @property
    def last_pid(self):
        return self.proc.pid if self.proc is not None else None

    def log_tail(self, n=20):
        return hu.tail_file(self.log_path, n)

    def describe(self):
        return ("haproxy: HAProxy, mode tcp, httpchk OPTIONS /primary on each Patroni REST port, "
                "inter 1s fall 2 rise 1 on-marked-down shutdown-sessions (bench/failover.py's config)")


class PgFrontTarget(Target):
    def __init__(self, name, binary, config_text, workdir, port, mode):
        super().__init__()
        self.name = name
        self.binary = binary
        self.config_text = config_text
        self.workdir = workdir
        self.port = port
        self.mode = mode
        self.passthrough = mode == "none"
        self.kind = "proxy" if mode == "none" else "pooler"
        self.pf = None

    def check_config(self, text=None):
        """(ok, problems) from `pgfront --check-config` on text (default: this target's config)."""
        return check_config(self.binary, text if text is not None else self.config_text, self.workdir)

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        if self.pf is None:
            self.pf = PgFront(self.binary, self.config_text, self.workdir)
        self.pf.start()
        self.pf.wait_listening(self.port, timeout=15)
        return self

    def alive(self):
        return self.pf is not None and self.pf.running()

    def pids(self):
        if not self.alive():
            return []
        # PgFront runs `setpriv --pdeathsig TERM -- pgfront`: setpriv execs, so the pid is pgfront's
        return [self.pf.pid]

    def stop(self):
        if self.pf is not None:
            self.pf.terminate(timeout=10)

    def log_tail(self, n=20):
        return hu.tail_file(self.pf.log_path, n) if self.pf else ""

    def returncode(self):
        if self.pf is None or self.pf.proc is None:
            return None
        return self.pf.proc.poll()

    @property
    def last_pid(self):
        return self.pf.pid if self.pf is not None else None

    def describe(self):
        return f"{self.name}: pgfront, pool.mode {self.mode}"


def check_config(binary, text, workdir):
    """Runs `pgfront --check-config -c FILE`; returns (ok, output lines)."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "check-config.yaml")
    with open(path, "w") as f:
        f.write(text)
    try:
        r = subprocess.run([binary, "--check-config", "-c", path], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, [f"cannot run {binary}: {e}"]
    lines = [ln.replace(path, "pgfront.yaml") for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    return r.returncode == 0, lines


def pgfront_version(binary):
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"


def rmtree_quiet(path):
    shutil.rmtree(path, ignore_errors=True)
