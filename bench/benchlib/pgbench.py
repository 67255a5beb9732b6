"""pgbench command lines, output parsing and per-transaction log statistics (PostgreSQL 15)."""
import glob
import math
import os
import re

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"


def command(port, clients, jobs, duration, *, builtin="select-only", mode="simple", connect=False,
            log_prefix=None, sampling_rate=None, host="127.0.0.1", user="app", dbname="appdb",
            pgbench=PGBENCH, transactions=None, rate=None):
    """The pgbench argv for one run: `-T duration`, or `-t transactions` (per client) when
    given. `-n`: the scale-10 dataset is initialised once, before."""
    cmd = [pgbench, "-n", "-h", host, "-p", str(port), "-U", user,
           "-b", builtin, "-M", mode, "-c", str(clients), "-j", str(max(1, min(jobs, clients)))]
    cmd += ["-t", str(int(transactions))] if transactions else ["-T", str(int(math.ceil(duration)))]
    if connect:
        cmd.append("-C")
    if rate:
        cmd += ["-R", str(int(rate))]
    if log_prefix:
        cmd += ["--log", f"--log-prefix={log_prefix}"]
        if sampling_rate is not None and sampling_rate < 1.0:
            cmd.append(f"--sampling-rate={max(0.0001, sampling_rate):.4f}")
    cmd.append(dbname)
    return cmd


_NUM = r"([0-9]+(?:\.[0-9]+)?)"
_PATTERNS = {
    "clients": re.compile(r"^number of clients: (\d+)", re.M),
    "threads": re.compile(r"^number of threads: (\d+)", re.M),
    "duration_s": re.compile(r"^duration: (\d+) s", re.M),
    "transactions": re.compile(r"^number of transactions actually processed: (\d+)", re.M),
    "failed": re.compile(r"^number of failed transactions: (\d+)", re.M),
    "latency_avg_ms": re.compile(r"^latency average = " + _NUM + " ms", re.M),
    "latency_stddev_ms": re.compile(r"^latency stddev = " + _NUM + " ms", re.M),
    "initial_connection_ms": re.compile(r"^initial connection time = " + _NUM + " ms", re.M),
    "average_connection_ms": re.compile(r"^average connection time = " + _NUM + " ms", re.M),
    "tps": re.compile(r"^tps = " + _NUM, re.M),
}
_ABORTED_CLIENT = re.compile(r"client (\d+) (?:script \d+ )?aborted", re.M)
_ERROR_LINE = re.compile(r"^pgbench: error: (.*)$", re.M)
_FATAL = re.compile(r"(FATAL|ERROR):\s+(.*)$", re.M)
_RUN_ABORTED = "Run was aborted"


def parse_output(text):
    """Parses pgbench's combined stdout+stderr. Returns a dict with the numbers found (None when
    absent), `aborted_clients`, `errors` (distinct error lines, most frequent first, at most 5)
    and `run_aborted`."""
    out = {}
    for key, rx in _PATTERNS.items():
        m = rx.search(text)
        if not m:
            out[key] = None
        elif key in ("clients", "threads", "duration_s", "transactions", "failed"):
            out[key] = int(m.group(1))
        else:
            out[key] = float(m.group(1))
    out["aborted_clients"] = len(set(_ABORTED_CLIENT.findall(text)))
    out["run_aborted"] = _RUN_ABORTED in text
    counts = {}
    for m in _ERROR_LINE.finditer(text):
        line = m.group(1).strip()
        if line.startswith(_RUN_ABORTED):
            continue
        # the server's message is what says why; strip client numbers so lines group
        fm = _FATAL.search(line)
        key = f"{fm.group(1)}: {fm.group(2).strip()}" if fm else re.sub(r"client \d+", "client N", line)
        counts[key[:200]] = counts.get(key[:200], 0) + 1
    # libpq prints the server's message on a line of its own after "pgbench: error: ..."
    for m in re.finditer(r"^\s*(FATAL|ERROR):\s+(.*)$", text, re.M):
        key = f"{m.group(1)}: {m.group(2).strip()}"[:200]
        if not any(key in k for k in counts):
            counts[key] = counts.get(key, 0) + 1
    out["errors"] = [k for k, _ in sorted(counts.items(), key=lambda kv: -kv[1])][:5]
    out["error_count"] = sum(counts.values())
    return out


def fail_reason(parsed, returncode, stderr_tail=""):
    """None when the run worked; otherwise a one-line reason."""
    if returncode is not None and returncode < 0:
        return f"pgbench killed by signal {-returncode}"
    if returncode == 0 and parsed.get("tps") is not None and not parsed.get("aborted_clients"):
        return None
    if parsed.get("errors"):
        reason = "; ".join(parsed["errors"][:2])
    elif stderr_tail.strip():
        reason = stderr_tail.strip().splitlines()[-1][:200]
    else:
        reason = f"pgbench exited with {returncode}"
    if parsed.get("aborted_clients"):
        reason = f"{parsed['aborted_clients']} of {parsed.get('clients') or '?'} clients aborted: {reason}"
    return reason


def log_files(prefix):
    """pgbench --log writes PREFIX.PID and PREFIX.PID.THREAD."""
    return sorted(glob.glob(glob.escape(prefix) + ".*"))


def read_latencies_us(prefix, remove=True):
    """Latencies (µs) of the logged transactions (failed/skipped ones are not latencies)."""
    lat = []
    for path in log_files(prefix):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    # client_id transaction_no time script_no time_epoch time_us [schedule_lag]
                    if len(parts) >= 6 and parts[2].isdigit():
                        lat.append(int(parts[2]))
        finally:
            if remove:
                try:
                    os.unlink(path)
                except OSError:
                    pass
    return lat


def percentile(values, q):
    """Nearest-rank percentile of values (0 < q <= 100); None for an empty list."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(math.ceil(q / 100.0 * len(v))) - 1))
    return v[k]


def sampling_rate(est_tps, duration, max_lines):
    """A --sampling-rate that keeps a run's log under max_lines lines (1.0 = every txn)."""
    expected = max(1.0, est_tps) * max(1.0, duration)
    return min(1.0, max_lines / expected)
