"""Per-process CPU and memory from /proc, and the machine's load average.

CPU is utime + stime of /proc/PID/stat (all threads of the process); a proxy with several
processes (HAProxy in master-worker mode) is measured as the sum over its process tree. The two
are also kept apart: stime is the kernel's work on the proxy's behalf (for a proxy, mostly the
socket reads and writes, including the loopback delivery to the peer), utime the proxy's own. Peak
RSS is VmHWM from /proc/PID/status, reset before each run by writing 5 to /proc/PID/clear_refs
(Linux >= 4.0, needs the right to ptrace the process; root here), so each run gets its own
peak; when the reset is refused a sampler's maximum of VmRSS is used instead.
"""
import os
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    """Fields after the comm of /proc/PID/stat (field 3 is index 0), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    rp = data.rfind(")")
    return data[rp + 2:].split()


def cpu_split_ticks(pid):
    """(utime, stime) of pid in clock ticks, or None when it is gone."""
    f = _stat_fields(pid)
    if not f:
        return None
    return int(f[11]), int(f[12])  # fields 14 and 15


def cpu_ticks(pid):
    """utime + stime of pid in clock ticks, or None when it is gone."""
    split = cpu_split_ticks(pid)
    return sum(split) if split else None


def ppid_of(pid):
    f = _stat_fields(pid)
    return int(f[1]) if f else None


def tree_pids(pid):
    """pid and all its live descendants."""
    if pid is None:
        return []
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            pp = ppid_of(int(d))
            if pp is not None:
                parents.setdefault(pp, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_split_seconds(pids):
    """(utime, stime) summed over pids, in seconds; processes that are gone count 0."""
    user = system = 0
    for p in pids:
        split = cpu_split_ticks(p)
        if split is not None:
            user += split[0]
            system += split[1]
    return user / CLK_TCK, system / CLK_TCK


def cpu_seconds(pids):
    """Sum of utime + stime (seconds) over pids; processes that are gone count 0."""
    return sum(cpu_split_seconds(pids))


def status_kb(pid, key):
    """A 'kB' line of /proc/PID/status (VmRSS, VmHWM, ...) in kB, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_kb(pids):
    vals = [status_kb(p, "VmRSS") for p in pids]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def hwm_kb(pids):
    vals = [status_kb(p, "VmHWM") for p in pids]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def reset_hwm(pids):
    """Resets VmHWM to the current RSS for each pid. True when every reset worked."""
    ok = bool(pids)
    for p in pids:
        try:
            with open(f"/proc/{p}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            ok = False
    return ok


def loadavg():
    """The first three fields of /proc/loadavg as a string, e.g. '1.52 1.20 0.98'."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


class Sampler(threading.Thread):
    """Samples (monotonic time, CPU seconds, RSS kB, user CPU s, kernel CPU s) of a set of pids
    every `interval` s, so a CPU delta can be taken over a window that excludes a run's
    connection phase."""

    def __init__(self, pids_fn, interval=0.1):
        super().__init__(daemon=True)
        self.pids_fn = pids_fn
        self.interval = interval
        self.samples = []
        self._stop_ev = threading.Event()

    def sample(self):
        pids = self.pids_fn()
        user, system = cpu_split_seconds(pids)
        self.samples.append((time.monotonic(), user + system, rss_kb(pids) or 0, user, system))

    def run(self):
        while not self._stop_ev.is_set():
            self.sample()
            self._stop_ev.wait(self.interval)

    def stop(self):
        self._stop_ev.set()
        self.join(timeout=5)
        self.sample()

    def _window(self, t0, t1):
        """The samples nearest to t0 (at or before) and t1 (at or after; None: the last)."""
        before = [s for s in self.samples if s[0] <= t0]
        start = before[-1] if before else self.samples[0]
        if t1 is None:
            return start, self.samples[-1]
        after = [s for s in self.samples if s[0] >= t1]
        return start, after[0] if after else self.samples[-1]

    def cpu_between(self, t0, t1=None):
        """CPU seconds used between the samples nearest to t0 and t1 (or the last sample)."""
        if not self.samples:
            return None
        start, end = self._window(t0, t1)
        return max(0.0, end[1] - start[1])

    def cpu_split_between(self, t0, t1=None):
        """(user, kernel) CPU seconds over the same window as cpu_between."""
        if not self.samples:
            return None
        start, end = self._window(t0, t1)
        return max(0.0, end[3] - start[3]), max(0.0, end[4] - start[4])

    def max_rss(self):
        return max((s[2] for s in self.samples), default=None)
