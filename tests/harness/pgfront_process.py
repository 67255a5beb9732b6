"""Runs a pgfront binary for a test: writes its configuration, starts `binary -c FILE` with
stdout/stderr in a log file, waits for its ports, signals it, and always stops it (context
manager, atexit, SIGTERM). Stdlib only.

    from pgfront_process import PgFront, free_port
    port = free_port()
    with PgFront(binary, yaml_text, workdir) as pf:     # workdir=None: a temp dir, removed after
        pf.wait_listening(port, timeout=10)
        ...
        pf.reload()                                       # SIGHUP
        rc = pf.terminate(timeout=10)                     # SIGTERM, SIGKILL after the bound
"""
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harnessutil as hu  # noqa: E402
from harnessutil import free_port, free_ports, release_port, port_open  # noqa: E402,F401


class PgFrontError(RuntimeError):
    pass


# Work directories PgFront made and must delete, also when a test only terminate()d its
# pgfront (to read the log afterwards, or to start it again) and never close()d it.
_workdirs_to_remove = {}  # path -> weak reference to its PgFront


def _remove_workdirs():
    for path, ref in list(_workdirs_to_remove.items()):
        pgfront = ref()
        if pgfront is not None:
            try:
                pgfront.close(timeout=5)
            except Exception:  # noqa: BLE001 - exiting: remove what can be removed
                pass
        shutil.rmtree(path, ignore_errors=True)
    _workdirs_to_remove.clear()


atexit.register(_remove_workdirs)


class PgFront:
    # The end-to-end suite sets this: glibc then fills freed memory with a pattern
    # (MALLOC_PERTURB_), so pgfront reading memory it freed fails visibly instead of reading
    # stale but plausible bytes. Benchmarks leave it off: it costs time on every free.
    scramble_freed_memory = False

    def __init__(self, binary, config_yaml_text, workdir=None, args=(), env=None,
                 config_name="pgfront.yaml", log_name="pgfront.log", remove_workdir=None,
                 pdeathsig=True):
        self.binary = os.path.abspath(binary)
        self.config_text = config_yaml_text
        self._made_workdir = workdir is None
        self.workdir = os.path.abspath(workdir) if workdir else tempfile.mkdtemp(prefix="pgfront-")
        os.makedirs(self.workdir, exist_ok=True)
        # By default only a directory we created is removed (after the process stopped).
        self.remove_workdir = self._made_workdir if remove_workdir is None else remove_workdir
        if self.remove_workdir:
            _workdirs_to_remove[self.workdir] = weakref.ref(self)
        self.config_path = os.path.join(self.workdir, config_name)
        self.log_path = os.path.join(self.workdir, log_name)
        self.args = list(args)
        self.env = env
        self.pdeathsig = pdeathsig
        self.proc = None
        self.returncode = None
        self._log_cache = ""
        self.write_config(config_yaml_text)

    # -----------------------------------------------------------------------------------
    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _emergency_cleanup(self):
        self.close(timeout=5)

    def __repr__(self):
        return f"<PgFront pid={self.pid} {self.config_path}>"

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def write_config(self, text):
        """(Re)writes the configuration file (atomically); reload() makes pgfront read it."""
        self.config_text = text
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def start(self):
        if self.proc is not None and self.running():
            raise PgFrontError("pgfront is already running")
        if not os.access(self.binary, os.X_OK):
            raise PgFrontError(f"{self.binary} is not an executable")
        cmd = [self.binary, "-c", self.config_path, *self.args]
        if self.pdeathsig:  # pgfront gets SIGTERM if the test process dies without cleaning up
            cmd = hu.pdeathsig_prefix() + cmd
        env = self.env
        if self.scramble_freed_memory:
            env = dict(os.environ if env is None else env)
            env.setdefault("MALLOC_PERTURB_", "165")
            # Without a tcache every free is scrambled: glibc does not scramble the small
            # chunks it keeps in a thread's tcache.
            env.setdefault("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         env=env, start_new_session=True, close_fds=True)
        self.returncode = None
        hu.register(self)
        return self

    def running(self):
        if self.proc is None:
            return False
        rc = self.proc.poll()
        if rc is not None:
            self.returncode = rc
            return False
        return True

    def wait_listening(self, port, timeout=10, host=hu.LOOPBACK):
        """Waits until host:port accepts TCP connections; fails early if pgfront exits."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.running():
                log = hu.tail_file(self.log_path, 40)
                raise PgFrontError(f"pgfront exited with {self.returncode} before listening on "
                                   f"{port}; log:\n{log}{self._busy_ports_report(log)}")
            if hu.port_open(port, host, timeout=0.5):
                return True
            if time.monotonic() >= deadline:
                raise PgFrontError(f"pgfront not listening on {host}:{port} after {timeout}s; log:\n"
                                   f"{hu.tail_file(self.log_path, 40)}")
            time.sleep(0.05)

    @staticmethod
    def _busy_ports_report(log):
        """For "cannot listen ... on HOST:PORT" in the log: who holds that port, so a clash
        with something outside the harness's reservations explains itself."""
        ports = sorted(set(re.findall(r"cannot listen:.*?:(\d+)\b", log)))
        return "".join(f"\nTCP port {p} now:\n{hu.port_users(int(p))}" for p in ports)

    def send_signal(self, sig):
        if self.running():
            os.kill(self.proc.pid, sig)
            return True
        return False

    def reload(self):
        """SIGHUP: pgfront re-reads its configuration file."""
        if not self.send_signal(signal.SIGHUP):
            raise PgFrontError("pgfront is not running")

    def signal_term(self):
        """SIGTERM without waiting (graceful shutdown starts)."""
        return self.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout=10):
        """Exit code once pgfront exited (negative = killed by that signal); None at timeout."""
        if self.proc is None:
            return None
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def terminate(self, timeout=10):
        """SIGTERM, wait up to timeout, then SIGKILL. Returns the exit code."""
        if self.proc is None:
            return None
        if self.running():
            self.signal_term()
            if self.wait_exit(timeout) is None:
                print(f"pgfront_process: pid {self.pid} ignored SIGTERM for {timeout}s; SIGKILL",
                      file=sys.stderr)
                self.kill()
        else:
            self.wait_exit(0)
        hu.unregister(self)
        return self.returncode

    def kill(self):
        """SIGKILL and reap. Returns the exit code (-9)."""
        if self.proc is None:
            return None
        self.send_signal(signal.SIGKILL)
        self.wait_exit(10)
        hu.unregister(self)
        return self.returncode

    def close(self, timeout=10):
        """terminate() and, when remove_workdir, delete the work directory."""
        try:
            self.terminate(timeout)
        finally:
            hu.unregister(self)
            if self.remove_workdir:
                try:
                    self._log_cache = self.log_text()
                except Exception:
                    pass
                shutil.rmtree(self.workdir, ignore_errors=True)
                _workdirs_to_remove.pop(self.workdir, None)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return self._log_cache
