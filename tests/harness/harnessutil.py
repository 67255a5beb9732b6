"""Process, port and cleanup plumbing shared by pgcluster.py and pgfront_process.py.

Stdlib only. Nothing here reads anything outside the repository at run time.

* Processes are tracked as `Proc` (a Popen child, or a bare pid + its start time read from
  /proc so a recycled pid is never signalled). Every wait is bounded.
* Ports: `reserve_port` holds an abstract unix socket named after the port for as long as the
  reservation lives, so two harness users (tests, the demo, benchmarks; any process) never
  hand out the same port, and keeps the TCP port bound on 127.0.0.1 (never listening): that
  checks it is free, and no outgoing connection gets it as its local port meanwhile. Both
  vanish with the process: nothing is left on disk.
* Cleanup: objects that own processes register themselves; an atexit hook stops whatever is
  still registered, and SIGTERM/SIGHUP (when nobody else handles them) raise
  TerminatedBySignal (a KeyboardInterrupt) so `with` blocks and finally clauses run.
"""
import atexit
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

LOOPBACK = "127.0.0.1"


# Auto ports come from below the kernel's default ephemeral range (32768-60999); a reservation
# also keeps its port bound (see _hold_tcp_port), so a host with another range is safe too.
AUTO_PORT_RANGE = (20000, 32000)

_CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# /proc helpers

def proc_stat(pid):
    """(state, ppid, start_time_ticks, comm) of pid, or None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    except OSError:
        return None
    lp, rp = data.find("("), data.rfind(")")
    comm = data[lp + 1:rp]
    rest = data[rp + 2:].split()
    # rest[0] = state (field 3), rest[1] = ppid (field 4), rest[19] = starttime (field 22)
    try:
        return rest[0], int(rest[1]), int(rest[19]), comm
    except (IndexError, ValueError):
        return None


def pid_start_time(pid):
    st = proc_stat(pid)
    return st[2] if st else None


def pid_alive(pid, start_time=None):
    """True when pid exists, is not a zombie and (if given) started at start_time."""
    if not pid or pid <= 0:
        return False
    st = proc_stat(pid)
    if st is None or st[0] in ("Z", "X", "x"):
        return False
    if start_time is not None and st[2] != start_time:
        return False
    return True


def pid_uid(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def pid_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def children_of(pid):
    """Live direct children of pid."""
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st and st[1] == pid and st[0] not in ("Z", "X"):
            out.append(p)
    return out


def pids_with_cwd_under(path, uid=None):
    """Live processes (other than ourselves) whose working directory is inside path."""
    path = os.path.realpath(path).rstrip("/") + "/"
    me = os.getpid()
    out = []
    for p in all_pids():
        if p == me:
            continue
        try:
            cwd = os.readlink(f"/proc/{p}/cwd")
        except OSError:
            continue
        if not (cwd + "/").startswith(path):
            continue
        if uid is not None and pid_uid(p) != uid:
            continue
        if pid_alive(p):
            out.append(p)
    return out


def wait_pids_gone(pids, timeout):
    """Waits until none of (pid, start_time) pairs is alive; returns the ones still alive."""
    deadline = time.monotonic() + timeout
    left = list(pids)
    while True:
        left = [(p, s) for p, s in left if pid_alive(p, s)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def kill_quietly(pid, sig):
    try:
        os.kill(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


# --------------------------------------------------------------------------------------------
# Processes

def pdeathsig_usable():
    """Whether a child started now may get a parent-death signal (stopping it when this test
    process dies without cleaning up). Only on the main thread: Linux sends the signal when
    the *thread* that forked the child exits, so a child started from a short-lived thread
    (a threading.Timer restarting Patroni) would be killed moments after it started."""
    return threading.current_thread() is threading.main_thread()


def pdeathsig_prefix():
    """`setpriv --pdeathsig TERM --` to put before a command, or [] (see pdeathsig_usable)."""
    return ["setpriv", "--pdeathsig", "TERM", "--"] if pdeathsig_usable() else []


class Proc:
    """A process we started: a Popen child, or a pid + start time adopted from a state file."""

    def __init__(self, popen=None, pid=None, start_time=None, name=""):
        self.popen = popen
        self.pid = popen.pid if popen is not None else pid
        self.start_time = start_time if start_time is not None else pid_start_time(self.pid)
        self.name = name
        self.returncode = None

    def alive(self):
        if self.popen is not None:
            rc = self.popen.poll()
            if rc is not None:
                self.returncode = rc
                return False
            return True
        return pid_alive(self.pid, self.start_time)

    def signal(self, sig):
        if self.alive():
            return kill_quietly(self.pid, sig)
        return False

    def wait(self, timeout):
        """True once the process has exited (reaped if it is our child), False at timeout."""
        if self.popen is not None:
            try:
                self.returncode = self.popen.wait(timeout=max(0.0, timeout))
                return True
            except subprocess.TimeoutExpired:
                return False
        return not wait_pids_gone([(self.pid, self.start_time)], timeout)

    def stop(self, sig=None, timeout=30.0, kill_timeout=10.0):
        """sig, wait up to timeout, then SIGKILL and wait up to kill_timeout. Returns the exit
        code when known (children), -9 when it had to be killed, None if it was not running."""
        if not self.alive():
            return self.returncode
        self.signal(signal.SIGTERM if sig is None else sig)
        if self.wait(timeout):
            return self.returncode
        self.signal(signal.SIGKILL)
        self.wait(kill_timeout)
        return self.returncode if self.returncode is not None else -signal.SIGKILL

    def kill(self, timeout=10.0):
        self.signal(signal.SIGKILL)
        self.wait(timeout)
        return self.returncode

    def to_json(self):
        return {"pid": self.pid, "start_time": self.start_time, "name": self.name}

    @classmethod
    def from_json(cls, d):
        if not d or not d.get("pid"):
            return None
        return cls(pid=d["pid"], start_time=d.get("start_time"), name=d.get("name", ""))

    def __repr__(self):
        return f"<Proc {self.name} pid={self.pid} alive={self.alive()}>"


# --------------------------------------------------------------------------------------------
# Ports

_port_lock = threading.Lock()
_reservations = {}  # port -> (abstract unix socket, bound TCP socket or None) while reserved


def _hold_tcp_port(port, host=LOOPBACK):
    """A TCP socket bound (SO_REUSEADDR, never listening) to host:port, or None when the port
    is taken. While it exists the kernel gives the port to no outgoing connection (connect()
    skips ports somebody bound explicitly), so nothing can take it between the reservation
    and the server's own bind; the servers (PostgreSQL, etcd, Patroni, pgfront, PgBouncer,
    HAProxy) all bind with SO_REUSEADDR, which a bound, non-listening socket lets through.
    SO_REUSEADDR here too: without it, connections of a server that just stopped (TIME_WAIT)
    would make the port look busy for a minute, while the servers themselves bind it fine."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        return s
    except OSError:
        s.close()
        return None


def reserve_port(port, check_tcp=True):
    """Reserves port for this process (see module doc). False when taken or not bindable."""
    with _port_lock:
        if port in _reservations:
            return False
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            u.bind(f"\0pgfront-harness-port-{port}")
        except OSError:
            u.close()
            return False
        held = _hold_tcp_port(port) if check_tcp else None
        if check_tcp and held is None:
            u.close()
            return False
        _reservations[port] = (u, held)
        return True


def release_port(port):
    with _port_lock:
        reservation = _reservations.pop(port, None)
    for s in reservation or ():
        if s is not None:
            s.close()


def free_port():
    """A free loopback TCP port, reserved for this process until release_port(port)."""
    lo, hi = AUTO_PORT_RANGE
    rnd = random.Random()
    for _ in range(2000):
        p = rnd.randrange(lo, hi)
        if reserve_port(p):
            return p
    raise RuntimeError("no free port found in %d-%d" % AUTO_PORT_RANGE)


def free_ports(n):
    return [free_port() for _ in range(n)]


def port_users(port):
    """What the kernel has on TCP port `port` (ss -tanpe), for an error message when a
    server could not bind a port we reserved for it."""
    try:
        out = subprocess.run(["ss", "-tanpe", f"( sport = :{port} or dport = :{port} )"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError) as e:
        return f"<ss failed: {e}>"


def port_open(port, host=LOOPBACK, timeout=0.5):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# Cleanup on exit and on signals

_registry_lock = threading.RLock()
_registry = {}        # id -> object with _emergency_cleanup()
_cleaning = threading.Event()


def register(obj):
    with _registry_lock:
        _registry[id(obj)] = obj
    install_signal_handlers()


def unregister(obj):
    with _registry_lock:
        _registry.pop(id(obj), None)


def cleanup_all():
    """Stops everything still registered, newest first. Never raises."""
    _cleaning.set()
    with _registry_lock:
        objs = list(_registry.values())[::-1]
    for o in objs:
        try:
            o._emergency_cleanup()
        except BaseException as e:  # noqa: BLE001 - last-chance cleanup
            print(f"harness: cleanup of {o!r} failed: {e!r}", file=sys.stderr)
        unregister(o)


atexit.register(cleanup_all)

_handlers_installed = False


class TerminatedBySignal(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM/SIGHUP. A KeyboardInterrupt, because unittest and
    pytest record any other exception as one failed test and carry on with the next one, while
    they stop the run on KeyboardInterrupt (with-blocks, finalizers and atexit still run)."""

    def __init__(self, signum):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def stop_on_signal(signum, frame):
    if _cleaning.is_set():
        return  # already tearing down: let it finish
    raise TerminatedBySignal(signum)


def install_signal_handlers():
    """SIGTERM/SIGHUP -> TerminatedBySignal (so with-blocks and atexit clean up), but only where the
    program has not installed its own handler, and only from the main thread."""
    global _handlers_installed
    if _handlers_installed or threading.current_thread() is not threading.main_thread():
        return
    _handlers_installed = True
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, stop_on_signal)
        except (ValueError, OSError):
            pass


class cleaning:
    """Context manager marking a teardown in progress: our signal handler then ignores
    SIGTERM/SIGHUP instead of interrupting the teardown half-way."""

    def __enter__(self):
        self._was = _cleaning.is_set()
        _cleaning.set()
        return self

    def __exit__(self, *exc):
        if not self._was:
            _cleaning.clear()
        return False


def deadline_after(timeout):
    return time.monotonic() + timeout


def remaining(deadline, minimum=0.0):
    return max(minimum, deadline - time.monotonic())


def tail_file(path, lines=80):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return "\n".join(data.splitlines()[-lines:])
