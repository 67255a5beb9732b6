"""Network namespaces for the VIP tests and the VIP benchmark: a small switched LAN that lives
entirely inside namespaces this process creates, plus one veth into the root namespace so the
hosts can reach a harness Patroni cluster. Stdlib only; run as root.

    lab = Lab(hosts=["h1", "h2", "ka"], extra=["inj"])   # creates everything, or raises
    lab.ns("h1")                          # the namespace name of host h1
    lab.addr("h1")                        # its VRRP-segment address, 198.18.0.1
    lab.cluster_address                   # root end of the uplink, for Cluster(extra_address=)
    proc = lab.popen("h1", [...])         # a process inside h1 (pid = the command's pid)
    w = AddrWatcher(lab.ns("h2"))         # IPv4 address events in h2, with arrival times
    lab.close()                           # kills what it started, deletes links and namespaces

Layout (all addresses in 198.18.0.0/15, nothing touches the host's own interfaces):

    namespace <id>-sw:  br0 = the VRRP segment (multicast 224.0.0.18 stays on it)
                        br1 = the cluster segment, joined by the uplink
    namespace <id>-hN:  eth0 198.18.0.N/24 on br0, eth1 198.19.S.N/24 on br1
    root namespace:     <id> (a veth, 198.19.S.254/24) whose peer sits on br1

The VRRP segment (br0) has no path out of the namespaces: adverts, gratuitous ARP and
malformed test packets never reach the root namespace. The hosts reach the cluster over
eth1, so cutting a host off the cluster (ip rule/route inside its namespace) does not touch
VRRP. IPv6 is off on every link we make (no router solicitations, no MLD on the uplink).

<id> is "pgfv<pid>"; a later run removes namespaces and links whose owner pid is gone
(and the processes left inside them), so a SIGKILLed test leaves nothing behind for long.
"""
import atexit
import ctypes
import os
import re
import signal
import socket
import struct
import shutil
import subprocess
import tempfile
import threading
import time

PREFIX = "pgfv"
VRRP_NET = "198.18.0"  # the VRRP segment, inside the namespaces only
VIP = "198.18.0.100"
IP = "/usr/sbin/ip"

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000
_live_labs = []


class LabError(RuntimeError):
    pass


def run(*cmd, check=True, timeout=20):
    """Runs a short command; returns its stdout. Raises LabError with stderr on failure."""
    p = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise LabError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def in_netns(ns, fn, timeout=30):
    """Runs fn() on a fresh thread that has joined namespace `ns` and returns its result.
    Sockets made there stay in `ns` and may be used from any thread afterwards."""
    box = {}

    def body():
        try:
            with open(f"/run/netns/{ns}") as f:
                if _libc.setns(f.fileno(), _CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns({ns}): {os.strerror(err)}")
            box["value"] = fn()
        except BaseException as e:  # handed to the caller
            box["error"] = e

    t = threading.Thread(target=body, daemon=True, name=f"netns-{ns}")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise LabError(f"operation in namespace {ns} took more than {timeout}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def http_get(ns, host, port, path, timeout=2.0):
    """(status, body bytes) of GET http://host:port/path made from inside namespace ns."""
    def body():
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, payload = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        if b"transfer-encoding: chunked" in head.lower():
            payload = _dechunk(payload)
        return status, payload
    return in_netns(ns, body, timeout=timeout + 5)


def _dechunk(data):
    out = b""
    for _ in range(10000):
        line, _, rest = data.partition(b"\r\n")
        size = int(line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


# ------------------------------------------------------------------------------------------
# rtnetlink in Python: IPv4 addresses of a namespace, as a dump and as they change

_RTM_NEWADDR, _RTM_DELADDR, _RTM_GETADDR = 20, 21, 22
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_DONE, _NLMSG_ERROR = 3, 2
_RTMGRP_IPV4_IFADDR = 0x10
_IFA_ADDRESS, _IFA_LOCAL = 1, 2


def _parse_addr_messages(data):
    """[(type, ifindex, 'a.b.c.d', prefixlen)] of the RTM_NEWADDR/DELADDR in data; also
    returns whether NLMSG_DONE was seen."""
    out, done, off = [], False, 0
    while off + 16 <= len(data):
        length, mtype, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, off)
        if length < 16:
            break
        if mtype == _NLMSG_DONE or mtype == _NLMSG_ERROR:
            done = True
        elif mtype in (_RTM_NEWADDR, _RTM_DELADDR) and length >= 24:
            family, prefixlen, _f, _scope, index = struct.unpack_from("=BBBBI", data, off + 16)
            if family == socket.AF_INET:
                local = address = None
                a = off + 24
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atype in (_IFA_LOCAL, _IFA_ADDRESS) and alen == 8:
                        text = socket.inet_ntoa(data[a + 4:a + 8])
                        if atype == _IFA_LOCAL:
                            local = text
                        else:
                            address = text
                    a += (alen + 3) & ~3
                out.append((mtype, index, local or address, prefixlen))
        off += (length + 3) & ~3
    return out, done


def addresses(ns):
    """{'a.b.c.d', ...}: every IPv4 address in namespace ns, from an rtnetlink dump."""
    def dump():
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        try:
            s.settimeout(2)
            s.bind((0, 0))
            req = struct.pack("=IHHII", 16 + 8, _RTM_GETADDR, _NLM_F_REQUEST | _NLM_F_DUMP, 1, 0)
            req += struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0)
            s.send(req)
            found = set()
            for _ in range(1000):
                msgs, done = _parse_addr_messages(s.recv(65536))
                found.update(m[2] for m in msgs if m[0] == _RTM_NEWADDR)
                if done:
                    return found
            return found
        finally:
            s.close()
    return in_netns(ns, dump)


class AddrWatcher:
    """Records IPv4 address additions and removals in one namespace as they happen, each
    with time.monotonic() at arrival: the moment a VIP is added is measured, not polled."""

    def __init__(self, ns):
        self.ns = ns
        self.events = []  # (monotonic, 'add'|'del', address)
        self._cond = threading.Condition()
        self._closed = False

        def make():
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
            s.bind((0, _RTMGRP_IPV4_IFADDR))
            s.settimeout(0.2)
            return s
        self._sock = in_netns(ns, make)
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"addrwatch-{ns}")
        self._thread.start()

    def _loop(self):
        while not self._closed:
            try:
                data = self._sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            msgs, _ = _parse_addr_messages(data)
            with self._cond:
                for mtype, _index, address, _prefix in msgs:
                    self.events.append((now, "add" if mtype == _RTM_NEWADDR else "del", address))
                self._cond.notify_all()

    def wait_event(self, kind, address, after, timeout):
        """The arrival time of the first `kind` event for address at or after `after`, or None
        once `timeout` seconds passed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, k, a in self.events:
                    if t >= after and k == kind and a == address:
                        return t
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.2))

    def close(self):
        self._closed = True
        self._thread.join(2)
        self._sock.close()


class AdvertSniffer:
    """Receives VRRP (IP protocol 112) in one namespace, to act right after a given router's
    advert: a kill timed that way always lands at the same point of the advert cycle."""

    def __init__(self, ns):
        self._sock = in_netns(ns, lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 112))
        self._sock.setblocking(False)

    def wait_from(self, source, timeout):
        """Drops what is queued, then waits for the next packet from `source`; returns its
        arrival time (monotonic) or None."""
        import select
        for _ in range(10000):
            try:
                self._sock.recv(2048)
            except BlockingIOError:
                break
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._sock], [], [], left)
            if not ready:
                continue
            try:
                data = self._sock.recv(2048)
            except BlockingIOError:
                continue
            if len(data) >= 20 and socket.inet_ntoa(data[12:16]) == source:
                return time.monotonic()

    def close(self):
        self._sock.close()


# ------------------------------------------------------------------------------------------
# the lab

def work_dir(tag):
    """A temporary directory named after this process (pgfv<pid>-TAG-...), so reap_stale()
    can remove it once we are gone even if we were SIGKILLed."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-{tag}-")


def reap_stale(log=print):
    """Removes namespaces, root links and work directories named pgfv<pid>... whose pid is
    dead, killing the processes still inside those namespaces (ours from an earlier run)."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.match(PREFIX + r"(\d+)-", name)
        if m and not _pid_alive(int(m.group(1))) and os.path.isdir(os.path.join(tmp, name)):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
            log(f"netns: removed stale directory {name}")
    try:
        names = [line.split()[0] for line in run(IP, "netns", "list").splitlines() if line.strip()]
    except LabError:
        names = []
    for name in names:
        m = re.fullmatch(PREFIX + r"(\d+)-\w+", name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        for pid in run(IP, "netns", "pids", name, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run(IP, "netns", "del", name, check=False)
        log(f"netns: removed stale namespace {name}")
    for line in run(IP, "-o", "link", "show").splitlines():
        m = re.match(r"\d+: (" + PREFIX + r"(\d+))[@:]", line)
        if m and not _pid_alive(int(m.group(2))):
            run(IP, "link", "del", m.group(1), check=False)
            log(f"netns: removed stale link {m.group(1)}")


def _free_cluster_subnet():
    """A /24 in 198.19.0.0/16 that no route of the root namespace covers yet."""
    routes = run(IP, "-4", "route", "show", "table", "all")
    used = set(re.findall(r"198\.19\.(\d+)\.", routes))
    start = os.getpid() % 200 + 20
    for i in range(200):
        candidate = (start + i) % 250 + 1
        if str(candidate) not in used:
            return candidate
    raise LabError("no free 198.19.x.0/24 for the uplink")


class Lab:
    def __init__(self, hosts=("h1", "h2"), extra=(), uplink=True, log=None):
        """hosts: names of hosts with eth0 (VRRP segment) and eth1 (cluster segment);
        extra: hosts on the VRRP segment only (clients, packet injectors, capture)."""
        self.log = log or (lambda msg: None)
        self.id = f"{PREFIX}{os.getpid()}"
        self.hosts = list(hosts)
        self.extra = list(extra)
        self._procs = []
        self._namespaces = []
        self._root_link = None
        self._closed = False
        self.subnet = None
        self.index = {}
        _live_labs.append(self)
        reap_stale(self.log)
        try:
            self._build(uplink)
        except BaseException:
            self.close()
            raise

    # names and addresses -----------------------------------------------------------------
    @property
    def switch(self):
        return f"{self.id}-sw"

    def ns(self, host):
        return f"{self.id}-{host}"

    def addr(self, host):
        return f"{VRRP_NET}.{self.index[host]}"

    def cluster_addr(self, host):
        return f"198.19.{self.subnet}.{self.index[host]}"

    @property
    def cluster_address(self):
        return f"198.19.{self.subnet}.254"

    @property
    def cluster_clients(self):
        return f"198.19.{self.subnet}.0/24"

    def mac(self, host, dev="eth0"):
        out = run(IP, "-n", self.ns(host), "-o", "link", "show", dev)
        return re.search(r"link/ether ([0-9a-f:]{17})", out).group(1)

    # building ----------------------------------------------------------------------------
    def _add_ns(self, name):
        run(IP, "netns", "add", name)
        self._namespaces.append(name)
        run(IP, "netns", "exec", name, "sysctl", "-q", "-w",
            "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        run(IP, "-n", name, "link", "set", "lo", "up")

    def _build(self, uplink):
        sw = self.switch
        self._add_ns(sw)
        for br in ("br0", "br1"):
            # No STP, no forwarding delay: a port forwards as soon as it is up.
            run(IP, "-n", sw, "link", "add", br, "type", "bridge", "stp_state", "0",
                "forward_delay", "0")
            run(IP, "-n", sw, "link", "set", br, "up")
        if uplink:
            self.subnet = _free_cluster_subnet()
            self._root_link = self.id
            run(IP, "link", "add", self._root_link, "type", "veth", "peer", "name", "upl",
                "netns", sw)
            with open(f"/proc/sys/net/ipv6/conf/{self._root_link}/disable_ipv6", "w") as f:
                f.write("1")
            run(IP, "addr", "add", f"{self.cluster_address}/24", "dev", self._root_link)
            run(IP, "link", "set", self._root_link, "up")
            run(IP, "-n", sw, "link", "set", "upl", "master", "br1", "up")
        for i, host in enumerate(self.hosts + self.extra, start=1):
            self.index[host] = i if host in self.hosts else 200 + self.extra.index(host)
            ns = self.ns(host)
            self._add_ns(ns)
            links = [("eth0", "br0", f"{self.addr(host)}/24")]
            if host in self.hosts and uplink:
                links.append(("eth1", "br1", f"{self.cluster_addr(host)}/24"))
            for dev, br, cidr in links:
                peer = f"{host[:8]}-{dev[-1]}"
                run(IP, "-n", ns, "link", "add", dev, "type", "veth", "peer", "name", peer,
                    "netns", sw)
                run(IP, "-n", sw, "link", "set", peer, "master", br, "up")
                run(IP, "-n", ns, "addr", "add", cidr, "dev", dev)
                run(IP, "-n", ns, "link", "set", dev, "up")
        self.log(f"netns: lab {self.id} up: hosts {self.hosts} extra {self.extra} "
                 f"uplink {self.cluster_address if uplink else None}")

    # processes ---------------------------------------------------------------------------
    def popen(self, host, cmd, log_path=None, **kw):
        """Starts cmd inside host's namespace (ip netns exec execs, so .pid is the command's)
        with SIGTERM on our death; stopped by close() unless stopped before."""
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        full = ["setpriv", "--pdeathsig", "TERM", "--", IP, "netns", "exec", self.ns(host)] + list(cmd)
        try:
            p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True, close_fds=True, **kw)
        finally:
            if log_path:
                out.close()
        self._procs.append(p)
        return p

    def stop(self, proc, sig=signal.SIGTERM, timeout=10):
        """Signals one process we started and reaps it (SIGKILL after the bound)."""
        if proc.poll() is None:
            try:
                os.kill(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        return proc.returncode

    def ip(self, host, *args, check=True):
        return run(IP, "-n", self.ns(host), *args, check=check)

    def has_address(self, host, address=VIP):
        return address in addresses(self.ns(host))

    # cutting a host off the cluster ------------------------------------------------------
    def cut_cluster(self, host, ports, mode="silent"):
        """Cuts this host off the cluster's TCP `ports`, inside its namespace only (policy
        routing: a rule per port to table 77). mode "silent": table 77 routes via an address
        nobody answers ARP for, so packets vanish and requests time out, as in a real
        partition; "reject": a blackhole route, so sends fail at once."""
        ns_args = ("-n", self.ns(host))
        if mode == "silent":
            dead = f"198.19.{self.subnet}.253"
            run(IP, *ns_args, "route", "add", "default", "via", dead, "dev", "eth1",
                "table", "77")
        else:
            run(IP, *ns_args, "route", "add", "blackhole", "default", "table", "77")
        for port in ports:
            run(IP, *ns_args, "rule", "add", "to", self.cluster_address, "ipproto", "tcp",
                "dport", str(port), "table", "77", "pref", "100")

    def restore_cluster(self, host, ports):
        ns_args = ("-n", self.ns(host))
        for port in ports:
            run(IP, *ns_args, "rule", "del", "to", self.cluster_address, "ipproto", "tcp",
                "dport", str(port), "table", "77", "pref", "100", check=False)
        run(IP, *ns_args, "route", "flush", "table", "77", check=False)

    # teardown ----------------------------------------------------------------------------
    def close(self):
        if self._closed:
            return
        self._closed = True
        for p in reversed(self._procs):
            try:
                self.stop(p, signal.SIGKILL, timeout=5)
            except Exception:
                pass
        for ns in reversed(self._namespaces):
            # anything still inside (started by a helper we did not track) goes too
            for pid in run(IP, "netns", "pids", ns, check=False).split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(IP, "netns", "del", ns, check=False)
        if self._root_link:
            run(IP, "link", "del", self._root_link, check=False)
        if self in _live_labs:
            _live_labs.remove(self)
        self.log(f"netns: lab {self.id} removed")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


@atexit.register
def _close_all():
    for lab in list(_live_labs):
        try:
            lab.close()
        except Exception:
            pass


# ------------------------------------------------------------------------------------------
# VRRP speakers in the lab: pgfront and keepalived, configured alike

def pgfront_yaml(cluster_address, nodes, vip, health=None, admin_port=7000, log_level="info",
                 scope="vip"):
    """A pgfront configuration for a host of the lab. nodes: [(name, pg_port, api_port)];
    vip: the keys of the vip: section (interface/address/vrid default to the lab's)."""
    lines = ["cluster:", f"  name: {scope}", "  discover: false", "  nodes:"]
    for name, pg_port, api_port in nodes:
        lines.append(f'    - {{name: {name}, host: {cluster_address}, port: {pg_port}, '
                     f'api: "http://{cluster_address}:{api_port}"}}')
    h = {"interval": "200ms", "failover_interval": "100ms", "timeout": "400ms", "fall": 2,
         "rise": 1}
    h.update(health or {})
    lines.append("health:")
    lines += [f"  {k}: {v}" for k, v in h.items()]
    lines += ["listen:", '  primary: "0.0.0.0:5000"', '  replica: "0.0.0.0:5001"',
              "  shutdown_grace: 2s", "admin:", f'  listen: "127.0.0.1:{admin_port}"',
              "log:", f"  level: {log_level}", "vip:"]
    v = {"interface": "eth0", "address": f"{VIP}/24", "vrid": 51}
    v.update(vip)
    for k, value in v.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = "[" + ", ".join(str(x) for x in value) + "]"
        lines.append(f"  {k}: {value}")
    return "\n".join(lines) + "\n"


def keepalived_conf(version, priority, advert_int, vrid=51, preempt=True, router_id="lab"):
    """keepalived.conf for one instance holding the lab's VIP on eth0 (lab.md's shape)."""
    interval = f"{advert_int:g}"
    return f"""global_defs {{
    router_id {router_id}
    vrrp_version {version}
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id {vrid}
    priority {priority}
    advert_int {interval}
    {"" if preempt else "nopreempt"}
    virtual_ipaddress {{
        {VIP}/24 dev eth0
    }}
}}
"""


class Speaker:
    """One VRRP speaker process in a lab host: pgfront or keepalived."""

    def __init__(self, lab, host, kind, proc, workdir):
        self.lab, self.host, self.kind, self.proc, self.workdir = lab, host, kind, proc, workdir

    @property
    def log_path(self):
        return os.path.join(self.workdir, f"{self.kind}.log")

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def running(self):
        return self.proc.poll() is None

    def status(self, admin_port=7000):
        """pgfront's GET /vip as a dict."""
        import json
        code, body = http_get(self.lab.ns(self.host), "127.0.0.1", admin_port, "/vip")
        if code != 200:
            raise LabError(f"GET /vip on {self.host}: HTTP {code}")
        return json.loads(body)

    def _children(self):
        out = []
        try:
            for task in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{task}/children") as f:
                    out += [int(x) for x in f.read().split()]
        except OSError:
            pass
        return out

    def kill(self):
        """SIGKILL, as a crash: nothing gets to send a priority-0 advert. keepalived's parent
        is stopped first so that it cannot respawn or signal its VRRP child."""
        if not self.running():
            return
        if self.kind == "keepalived":
            os.kill(self.proc.pid, signal.SIGSTOP)
            for child in self._children():
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout=10):
        """SIGTERM (a clean stop: priority-0 advert); returns the exit code."""
        return self.lab.stop(self.proc, signal.SIGTERM, timeout)


def start_pgfront(lab, host, binary, yaml_text, workdir):
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "pgfront.yaml")
    with open(path, "w") as f:
        f.write(yaml_text)
    proc = lab.popen(host, [binary, "-c", path], log_path=os.path.join(workdir, "pgfront.log"))
    return Speaker(lab, host, "pgfront", proc, workdir)


def start_keepalived(lab, host, conf_text, workdir):
    os.makedirs(workdir, exist_ok=True)
    conf = os.path.join(workdir, "keepalived.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    pids = [os.path.join(workdir, n) for n in ("keepalived.pid", "vrrp.pid", "checkers.pid")]
    for path in pids:  # a stale pid file whose pid was reused makes keepalived refuse to start
        if os.path.exists(path):
            os.unlink(path)
    proc = lab.popen(host, ["/usr/sbin/keepalived", "-n", "-l", "-D", "-f", conf,
                            "-p", pids[0], "-r", pids[1], "-c", pids[2]],
                     log_path=os.path.join(workdir, "keepalived.log"))
    return Speaker(lab, host, "keepalived", proc, workdir)


def wait_for(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate until truthy (returned); raises AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the lab is moving; keep trying
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last})")
