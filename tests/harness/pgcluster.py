#!/usr/bin/python3
"""A local Patroni 3.0.2 + etcd 3.4 + PostgreSQL 15 cluster for end-to-end tests, the demo and
the benchmarks. Stdlib + psycopg (3) only; run it with /usr/bin/python3 (Debian's, which has
python3-psycopg and is the interpreter Patroni itself runs on).

Library:

    sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
    from pgcluster import Cluster
    with Cluster(nodes=3) as c:          # start() on enter, stop() on exit
        c.wait_for_topology(leader="node1", streaming_replicas=2, timeout=60)
        with c.connect() as conn: ...     # app/apppass@appdb on the primary
        c.switchover(candidate="node2")

CLI:

    /usr/bin/python3 tests/harness/pgcluster.py up --base-dir DIR [--fixed-ports] [--nodes 3]
    /usr/bin/python3 tests/harness/pgcluster.py down --base-dir DIR
    /usr/bin/python3 tests/harness/pgcluster.py status|logs|alive --base-dir DIR

What it sets up (everything on 127.0.0.1, every process run by us and stopped by pid):
  * one etcd member (data and log in base_dir); Patroni talks to it through the `etcd3:` section
  * N Patroni nodes node1..nodeN, run as `postgres` with `setpriv`, HOME = the node's
    directory, an environment without any PG* variable (PGPASSWORD in Patroni's environment
    makes pg_basebackup ignore Patroni's pgpass), ttl/loop_wait/retry_timeout 5/1/2
    (retry_timeout 1 breaks Patroni 3.0.2's etcd3 client), unix sockets and logs outside
    data_dir (pg_basebackup/pg_rewind would copy a log directory inside it)
  * scram-sha-256 everywhere; superuser postgres/pgsuper, replicator/reppass,
    rewind_user/rewindpass; roles app/apppass and pgbouncer/bouncerpass; database appdb owned
    by app; pgbouncer.get_auth(text) in postgres and appdb; appdb.public.writes.
"""
import argparse
import base64
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harnessutil as hu  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
PATRONI = "/usr/bin/patroni"
PATRONICTL = "/usr/bin/patronictl"
ETCD = "/usr/bin/etcd"
PG_USER = "postgres"
LOOPBACK = hu.LOOPBACK

SUPERUSER, SUPERUSER_PASSWORD = "postgres", "pgsuper"
REPLICATION_USER, REPLICATION_PASSWORD = "replicator", "reppass"
REWIND_USER, REWIND_PASSWORD = "rewind_user", "rewindpass"
APP_USER, APP_PASSWORD, APP_DB = "app", "apppass", "appdb"
BOUNCER_USER, BOUNCER_PASSWORD = "pgbouncer", "bouncerpass"

LEADER_ROLES = ("leader", "master", "primary", "standby_leader")
REPLICA_ROLES = ("replica", "sync_standby", "standby")
# Patroni drops these tags when false (patroni.__main__.Patroni.get_tags)
BOOL_TAGS = ("clonefrom", "nofailover", "noloadbalance", "nosync")

MARKER = ".pgcluster"
STATE = "state.json"


class ClusterError(RuntimeError):
    pass


def _fs_type(path):
    """Filesystem type of the mount holding path (from /proc/mounts)."""
    path = os.path.realpath(path)
    best, fstype = "", None
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fstype = mnt, parts[2]
    except OSError:
        pass
    return fstype


def _shm_ok(min_free=1 << 30):
    try:
        st = os.statvfs("/dev/shm")
    except OSError:
        return False
    return (_fs_type("/dev/shm") == "tmpfs" and os.access("/dev/shm", os.W_OK)
            and st.f_bavail * st.f_frsize >= min_free)


def default_parent_dir():
    """Where base_dir=None clusters go: $PGCLUSTER_TMPDIR, else /dev/shm (tmpfs: initdb,
    pg_basebackup and etcd's fsyncs cost nothing and removal is instant; on this VM's ext4,
    mounted with `discard`, start-up took twice as long and removing a 370 MB cluster up to
    10 s), else /tmp."""
    env = os.environ.get("PGCLUSTER_TMPDIR")
    if env:
        return env
    return "/dev/shm" if _shm_ok() else "/tmp"


def fixed_ports(nodes=3):
    """The demo's well-known ports: etcd 2379/2380, PostgreSQL 5432.., REST 8008.."""
    return {"etcd_client": 2379, "etcd_peer": 2380,
            "pg": [5432 + i for i in range(nodes)], "api": [8008 + i for i in range(nodes)]}


# --------------------------------------------------------------------------------------------
# small helpers

_no_proxy_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(url, method="GET", body=None, timeout=2.0):
    """(status, parsed JSON or text) -- never goes through an http_proxy from the environment.
    Raises OSError when nothing answers."""
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _no_proxy_opener.open(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw.decode() or "null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def _yaml_scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v))  # a JSON string is a valid double-quoted YAML scalar


def _yaml_key(k):
    k = str(k)
    if k and all(c.isalnum() or c in "_-." for c in k) and not k[0].isdigit():
        return k
    return json.dumps(k)


def to_yaml(obj, indent=0):
    """Minimal YAML emitter for the Patroni configuration (dicts, lists, scalars)."""
    pad = "  " * indent
    out = []
    for k, v in obj.items():
        if isinstance(v, dict) and v:
            out.append(f"{pad}{_yaml_key(k)}:")
            out.append(to_yaml(v, indent + 1))
        elif isinstance(v, list) and v:
            out.append(f"{pad}{_yaml_key(k)}:")
            for item in v:
                out.append(f"{pad}  - {json.dumps(item) if isinstance(item, (dict, list)) else _yaml_scalar(item)}")
        elif isinstance(v, dict):
            out.append(f"{pad}{_yaml_key(k)}: {{}}")
        elif isinstance(v, list):
            out.append(f"{pad}{_yaml_key(k)}: []")
        else:
            out.append(f"{pad}{_yaml_key(k)}: {_yaml_scalar(v)}")
    return "\n".join(out)


def _write_atomic(path, text, mode=0o644, owner=None):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    if owner:
        os.chown(tmp, *owner)
    os.replace(tmp, path)


def _psycopg():
    try:
        import psycopg
    except ImportError as e:  # pragma: no cover
        raise ClusterError("psycopg (python3-psycopg) is needed: run this with /usr/bin/python3, "
                           f"not {sys.executable}") from e
    return psycopg


def _clean_env(home):
    """The environment for Patroni, etcd and patronictl: no PG*, ETCD*, PATRONI* or proxy
    variables leak in from the caller."""
    return {"PATH": f"{PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


# --------------------------------------------------------------------------------------------

class Node:
    """One Patroni + PostgreSQL member."""

    def __init__(self, cluster, name, pg_port, api_port):
        self.cluster = cluster
        self.name = name
        self.host = LOOPBACK
        self.pg_port = pg_port
        self.api_port = api_port
        # With Cluster(extra_address=A) the REST API listens on A only (Patroni takes one
        # address); A is local, so the harness reaches it as well as clients behind it do.
        self.api_host = cluster.extra_address or LOOPBACK
        self.api_url = f"http://{self.api_host}:{api_port}"
        self.tags = {}
        self.proc = None  # hu.Proc of Patroni

    # paths follow the cluster's base_dir, which is only known once start() made it
    @property
    def dir(self):
        return os.path.join(self.cluster.base_dir, self.name) if self.cluster.base_dir else None

    @property
    def data_dir(self):
        return self.dir and os.path.join(self.dir, "data")

    @property
    def pg_log_dir(self):
        return self.dir and os.path.join(self.dir, "pglog")

    @property
    def config_path(self):
        return self.dir and os.path.join(self.dir, "patroni.yml")

    @property
    def log_path(self):
        return self.dir and os.path.join(self.dir, "patroni.log")

    @property
    def patroni_pid(self):
        return self.proc.pid if self.proc is not None and self.proc.alive() else None

    def patroni_running(self):
        return self.proc is not None and self.proc.alive()

    def _pidfile(self):
        if not self.data_dir:
            return None, None
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as f:
                lines = f.read().splitlines()
            return int(lines[0]), int(lines[2]) if len(lines) > 2 else None
        except (OSError, ValueError, IndexError):
            return None, None

    def postmaster_pid(self):
        """pid of this node's running postmaster (from data_dir/postmaster.pid), or None."""
        pid, started = self._pidfile()
        if not pid or not hu.pid_alive(pid):
            return None
        st = hu.proc_stat(pid)
        if not st or st[3] != "postgres":
            return None  # stale pid file and a recycled pid
        if started is not None:
            boot = _boot_time()
            if boot is not None and abs(boot + st[2] / hu._CLK_TCK - started) > 5:
                return None
        return pid

    def status(self, timeout=2.0):
        """GET /patroni as a dict, or None when the REST API does not answer."""
        try:
            code, body = http_json(self.api_url + "/patroni", timeout=timeout)
        except OSError:
            return None
        return body if isinstance(body, dict) else None

    def __repr__(self):
        return f"<Node {self.name} pg={self.pg_port} api={self.api_port}>"


_boot = None


def _boot_time():
    global _boot
    if _boot is None:
        try:
            with open("/proc/stat") as f:
                for line in f:
                    if line.startswith("btime "):
                        _boot = int(line.split()[1])
        except OSError:
            pass
    return _boot


class Cluster:
    """etcd + N Patroni/PostgreSQL 15 nodes on loopback. See the module docstring."""

    def __init__(self, base_dir=None, nodes=3, scope="pgfront-test", ports="auto", ttl=5,
                 loop_wait=1, retry_timeout=2, keep=False, max_connections=100,
                 pg_parameters=None, pdeathsig=True, log=None, reap_stale=True,
                 extra_address=None, extra_clients=None, ssl_cert_key=None, pg_hba_extra=None):
        """extra_address: an address of this host (e.g. the root end of a veth into test
        network namespaces) that PostgreSQL listens on besides 127.0.0.1 and Patroni's REST
        API listens on instead of it; extra_clients: the CIDR pg_hba lets in from there
        (default extra_address/32). Both None (the default): loopback only.
        ssl_cert_key: (certificate PEM path, key PEM path): every node runs with ssl=on and
        these (copied into base_dir for the postgres user, key mode 0600). None (the
        default): ssl stays off. pg_hba_extra: pg_hba.conf lines put before the harness's own
        host lines (the first match wins), e.g. to make a role hostssl-only."""
        if retry_timeout < 2:
            raise ValueError("retry_timeout < 2 breaks Patroni 3.0.2's etcd3 client")
        self.scope = scope
        self.extra_address = extra_address
        self.extra_clients = extra_clients or (f"{extra_address}/32" if extra_address else None)
        self.ssl_cert_key = tuple(ssl_cert_key) if ssl_cert_key else None
        self.pg_hba_extra = list(pg_hba_extra or [])
        self.n = int(nodes)
        self.ttl, self.loop_wait, self.retry_timeout = ttl, loop_wait, retry_timeout
        self.keep = keep
        self.max_connections = max_connections
        self.pg_parameters = dict(pg_parameters or {})
        self.pdeathsig = pdeathsig
        self.reap_stale = reap_stale
        self._log = log or (lambda msg: print(f"pgcluster: {msg}", file=sys.stderr, flush=True))
        self._requested_base = base_dir
        self._ports_arg = ports
        self.base_dir = os.path.abspath(base_dir) if base_dir else None
        self.nodes = []
        self.etcd = None  # hu.Proc
        self.etcd_client_port = self.etcd_peer_port = None
        self.sock_dir = None
        self._own_sock_dir = False
        self.etcd_data_dir = None
        self._own_etcd_dir = False
        self._reserved = []
        self._created_base = False
        self._started = False
        self._stopped = False
        self._lock = threading.RLock()
        self.timings = {}
        self.cli_pid = None
        pw = pwd.getpwnam(PG_USER)
        self._pg_uid, self._pg_gid = pw.pw_uid, pw.pw_gid
        self._attached = False
        if ports is not None:  # None: attach() fills the ports in from a state file
            # Ports are chosen (and reserved) now, so nodes and pgfront_cluster_yaml() are
            # usable before start().
            hu.register(self)
            try:
                self._setup_ports()
            except BaseException:
                self._release_ports()
                hu.unregister(self)
                raise

    # ---------------------------------------------------------------------------------------
    # context manager

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    def _emergency_cleanup(self):
        self.stop()

    def __repr__(self):
        return f"<Cluster {self.scope} base={self.base_dir} nodes={[n.name for n in self.nodes]}>"

    # ---------------------------------------------------------------------------------------
    # lookup

    def node(self, which):
        """Node by Node, name or index; None -> None."""
        if which is None or isinstance(which, Node):
            return which
        if isinstance(which, int):
            return self.nodes[which]
        for n in self.nodes:
            if n.name == which:
                return n
        raise KeyError(which)

    __getitem__ = node

    @property
    def etcd_url(self):
        return f"http://{LOOPBACK}:{self.etcd_client_port}"

    # ---------------------------------------------------------------------------------------
    # setup

    def _setup_ports(self):
        ports = self._ports_arg
        if ports == "fixed":
            ports = fixed_ports(self.n)
        if ports == "auto":
            self.etcd_client_port = self._reserve_auto()
            self.etcd_peer_port = self._reserve_auto()
            pg = [self._reserve_auto() for _ in range(self.n)]
            api = [self._reserve_auto() for _ in range(self.n)]
        elif isinstance(ports, dict):
            self.etcd_client_port = int(ports["etcd_client"])
            self.etcd_peer_port = int(ports["etcd_peer"])
            pg = [int(p) for p in ports["pg"]]
            api = [int(p) for p in ports["api"]]
            if len(pg) < self.n or len(api) < self.n:
                raise ValueError("ports: need one pg and one api port per node")
            busy = []
            for p in [self.etcd_client_port, self.etcd_peer_port] + pg[:self.n] + api[:self.n]:
                if hu.reserve_port(p):
                    self._reserved.append(p)
                else:
                    busy.append(p)
            if busy:
                raise ClusterError(f"port(s) {busy} on {LOOPBACK} are in use (a demo or another "
                                   "PostgreSQL/etcd/Patroni already running?)")
        else:
            raise ValueError("ports must be 'auto', 'fixed' or a dict")
        self.nodes = [Node(self, f"node{i + 1}", pg[i], api[i]) for i in range(self.n)]

    def _release_ports(self):
        for p in self._reserved:
            hu.release_port(p)
        self._reserved = []

    def _reserve_auto(self):
        p = hu.free_port()
        self._reserved.append(p)
        return p

    def _setup_dirs(self):
        if self.base_dir is None:
            self.base_dir = tempfile.mkdtemp(prefix="pgcluster-", dir=default_parent_dir())
            self._created_base = True
        else:
            if os.path.exists(self.base_dir):
                entries = os.listdir(self.base_dir)
                if entries and MARKER not in entries:
                    raise ClusterError(f"{self.base_dir} exists and is not a pgcluster directory; "
                                       "refusing to use (and later delete) it")
                if MARKER in entries:
                    st = self._read_state(self.base_dir)
                    if st and _state_has_live_processes(st):
                        raise ClusterError(f"a cluster is still running in {self.base_dir} "
                                           f"(stop it with: pgcluster.py down --base-dir {self.base_dir})")
                    for e in entries:
                        p = os.path.join(self.base_dir, e)
                        shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
            else:
                self._created_base = True
            os.makedirs(self.base_dir, exist_ok=True)
        os.chmod(self.base_dir, 0o755)  # postgres must traverse it
        with open(os.path.join(self.base_dir, MARKER), "w") as f:
            f.write(f"pgcluster base directory (scope {self.scope}); removed by stop()\n")
        sock = os.path.join(self.base_dir, "sock")
        if len(sock) + len("/.s.PGSQL.65535.lock") > 100:
            sock = tempfile.mkdtemp(prefix="pgsock-", dir="/tmp")
            self._own_sock_dir = True
        self.sock_dir = sock
        os.makedirs(sock, exist_ok=True)
        os.chmod(sock, 0o755)
        os.chown(sock, self._pg_uid, self._pg_gid)
        os.makedirs(os.path.join(self.base_dir, "etcd"), mode=0o700, exist_ok=True)
        # etcd fsyncs every write; on a busy disk that stalls Patroni's leader-key updates
        # (retry_timeout is 2 s). Its data is throw-away, so it goes to tmpfs when base_dir is
        # on a disk.
        if _fs_type(self.base_dir) != "tmpfs" and _shm_ok():
            self.etcd_data_dir = tempfile.mkdtemp(prefix="pgcluster-etcd-", dir="/dev/shm")
            self._own_etcd_dir = True
        else:
            self.etcd_data_dir = os.path.join(self.base_dir, "etcd", "data")
        if self.ssl_cert_key:
            self._install_ssl_files()
        for n in self.nodes:
            os.makedirs(n.dir, mode=0o700, exist_ok=True)
            os.chown(n.dir, self._pg_uid, self._pg_gid)
            self._write_node_config(n)
        # postgres must be able to reach and write its directory (fails e.g. under /root)
        r = subprocess.run(["setpriv", f"--reuid={PG_USER}", f"--regid={PG_USER}", "--init-groups",
                            "--", "/usr/bin/test", "-w", self.nodes[0].dir],
                           env=_clean_env("/"), timeout=10)
        if r.returncode != 0:
            raise ClusterError(f"user {PG_USER} cannot write {self.nodes[0].dir}: put base_dir "
                               "somewhere every parent directory is world-searchable (e.g. /tmp)")

    def _ssl_paths(self):
        d = os.path.join(self.base_dir, "ssl")
        return os.path.join(d, "server.crt"), os.path.join(d, "server.key")

    def _install_ssl_files(self):
        """PostgreSQL refuses a key file others can read: copies owned by postgres, 0600."""
        cert, key = self._ssl_paths()
        os.makedirs(os.path.dirname(cert), mode=0o755, exist_ok=True)
        for src, dst, mode in ((self.ssl_cert_key[0], cert, 0o644), (self.ssl_cert_key[1], key, 0o600)):
            shutil.copyfile(src, dst)
            os.chmod(dst, mode)
            os.chown(dst, self._pg_uid, self._pg_gid)

    def patroni_config(self, node):
        dcs_params = {
            "max_connections": self.max_connections,
            "wal_level": "replica",
            "hot_standby": "on",
            "wal_log_hints": "on",
            "max_wal_senders": 10,
            "max_replication_slots": 10,
            "wal_keep_size": "128MB",
            "password_encryption": "scram-sha-256",
        }
        local_params = {
            "unix_socket_directories": self.sock_dir,
            "shared_buffers": "128MB",
            "logging_collector": "on",
            "log_directory": node.pg_log_dir,  # outside data_dir on purpose
            "log_filename": "postgresql.log",
            "log_rotation_age": 0,
            "log_rotation_size": 0,
            "log_line_prefix": "%m [%p] %q%u@%d ",
        }
        if self.ssl_cert_key:
            cert, key = self._ssl_paths()
            local_params.update({"ssl": "on", "ssl_cert_file": cert, "ssl_key_file": key})
        for k, v in self.pg_parameters.items():
            (dcs_params if k in dcs_params else local_params)[k] = v
        return {
            "scope": self.scope,
            "namespace": "/service/",
            "name": node.name,
            "log": {"level": "INFO"},
            "restapi": {"listen": f"{node.api_host}:{node.api_port}",
                        "connect_address": f"{node.api_host}:{node.api_port}"},
            "etcd3": {"hosts": f"{LOOPBACK}:{self.etcd_client_port}"},
            "bootstrap": {
                "dcs": {
                    "ttl": self.ttl,
                    "loop_wait": self.loop_wait,
                    "retry_timeout": self.retry_timeout,
                    "maximum_lag_on_failover": 1048576,
                    "postgresql": {"use_pg_rewind": True, "use_slots": True,
                                   "parameters": dcs_params},
                },
                "initdb": [{"encoding": "UTF8"}, "data-checksums", {"auth-local": "peer"},
                           {"auth-host": "scram-sha-256"}],
            },
            "postgresql": {
                "listen": (f"{LOOPBACK},{self.extra_address}:{node.pg_port}" if self.extra_address
                           else f"{LOOPBACK}:{node.pg_port}"),
                "connect_address": f"{LOOPBACK}:{node.pg_port}",
                "data_dir": node.data_dir,
                "bin_dir": PG_BIN,
                "pgpass": os.path.join(node.dir, "pgpass"),
                "authentication": {
                    "superuser": {"username": SUPERUSER, "password": SUPERUSER_PASSWORD},
                    "replication": {"username": REPLICATION_USER, "password": REPLICATION_PASSWORD},
                    "rewind": {"username": REWIND_USER, "password": REWIND_PASSWORD},
                },
                "parameters": local_params,
                "pg_hba": ["local all all peer"] + self.pg_hba_extra + [
                    f"host replication {REPLICATION_USER} 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ] + ([f"host all all {self.extra_clients} scram-sha-256"] if self.extra_clients else []),
            },
            "watchdog": {"mode": "off"},
            "tags": dict(node.tags),
        }

    def _write_node_config(self, node):
        text = ("# generated by tests/harness/pgcluster.py\n"
                + to_yaml(self.patroni_config(node)) + "\n")
        _write_atomic(node.config_path, text, 0o600, (self._pg_uid, self._pg_gid))

    # ---------------------------------------------------------------------------------------
    # state file (lets `pgcluster.py down` stop a cluster whose owner died)

    def _state(self):
        return {
            "scope": self.scope,
            "base_dir": self.base_dir,
            "keep": self.keep,
            "sock_dir": self.sock_dir,
            "own_sock_dir": self._own_sock_dir,
            "etcd_data_dir": self.etcd_data_dir,
            "own_etcd_dir": self._own_etcd_dir,
            "owner": hu.Proc(pid=os.getpid(), name="owner").to_json(),
            "cli": hu.Proc(pid=self.cli_pid).to_json() if self.cli_pid else None,
            "etcd": self.etcd.to_json() if self.etcd else None,
            "etcd_client_port": self.etcd_client_port,
            "etcd_peer_port": self.etcd_peer_port,
            "extra_address": self.extra_address,
            "nodes": [{"name": n.name, "pg_port": n.pg_port, "api_port": n.api_port,
                       "dir": n.dir, "data_dir": n.data_dir,
                       "patroni": n.proc.to_json() if n.proc else None} for n in self.nodes],
        }

    def _save_state(self):
        if self.base_dir and os.path.isdir(self.base_dir):
            try:
                _write_atomic(os.path.join(self.base_dir, STATE), json.dumps(self._state(), indent=1))
            except OSError:
                pass

    @staticmethod
    def _read_state(base_dir):
        try:
            with open(os.path.join(base_dir, STATE)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    @classmethod
    def attach(cls, base_dir):
        """A Cluster object for a cluster started elsewhere (from base_dir/state.json), able to
        query and stop it."""
        base_dir = os.path.abspath(base_dir)
        st = cls._read_state(base_dir)
        if st is None:
            raise ClusterError(f"no {STATE} in {base_dir}")
        c = cls(base_dir=base_dir, nodes=len(st["nodes"]), scope=st["scope"], ports=None,
                extra_address=st.get("extra_address"))
        c.etcd_client_port, c.etcd_peer_port = st["etcd_client_port"], st["etcd_peer_port"]
        c.sock_dir, c._own_sock_dir = st.get("sock_dir"), st.get("own_sock_dir", False)
        c.etcd_data_dir, c._own_etcd_dir = st.get("etcd_data_dir"), st.get("own_etcd_dir", False)
        c.etcd = hu.Proc.from_json(st.get("etcd"))
        c.nodes = []
        for nd in st["nodes"]:
            n = Node(c, nd["name"], nd["pg_port"], nd["api_port"])
            n.proc = hu.Proc.from_json(nd.get("patroni"))
            c.nodes.append(n)
        c._created_base = True
        c._started = True
        c._attached = True
        return c

    # ---------------------------------------------------------------------------------------
    # start

    def start(self, timeout=90):
        with self._lock:
            if self._started:
                return self
            self._started = True
        t0 = time.monotonic()
        deadline = t0 + timeout
        hu.register(self)
        if self.reap_stale and self._requested_base is None:
            reap_stale_clusters(log=self._log)
        try:
            self._setup_dirs()
            self._save_state()
            self._start_etcd(deadline)
            first = self.nodes[0]
            self._spawn_patroni(first)
            # Start the others once node1 holds the bootstrap lock, so node1 is the leader.
            self._wait(lambda: self._initialize_key_exists() or self._is_leader(first), deadline,
                       f"{first.name} to take the initialize key", check_alive=[first])
            for n in self.nodes[1:]:
                self._spawn_patroni(n)
            self._wait(lambda: self._leader_running(first.name), deadline,
                       f"{first.name} to run as leader", check_alive=[first])
            self.timings["leader_seconds"] = round(time.monotonic() - t0, 2)
            self.wait_for_topology(leader=first.name, streaming_replicas=self.n - 1,
                                   timeout=hu.remaining(deadline, 1))
            self._bootstrap_sql(first)
            self.wait_replicas_caught_up(timeout=hu.remaining(deadline, 1))
            self.timings["start_seconds"] = round(time.monotonic() - t0, 2)
            return self
        except BaseException as e:
            if not isinstance(e, (KeyboardInterrupt, SystemExit)):
                self._log(f"start failed after {time.monotonic() - t0:.1f}s: {e}")
                try:
                    self.dump_logs(tail=40, file=sys.stderr)
                except Exception:
                    pass
            self.stop()
            raise

    def _start_etcd(self, deadline):
        d = os.path.join(self.base_dir, "etcd")
        client = f"http://{LOOPBACK}:{self.etcd_client_port}"
        peer = f"http://{LOOPBACK}:{self.etcd_peer_port}"
        cmd = [ETCD, "--name", "etcd0", "--data-dir", self.etcd_data_dir,
               "--listen-client-urls", client, "--advertise-client-urls", client,
               "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
               "--initial-cluster", f"etcd0={peer}", "--initial-cluster-state", "new",
               "--initial-cluster-token", f"{self.scope}-{os.getpid()}-{self.etcd_client_port}",
               "--logger", "zap", "--log-outputs", "stderr"]
        if self.pdeathsig:
            cmd = hu.pdeathsig_prefix() + cmd
        with open(os.path.join(self.base_dir, "etcd.log"), "ab") as log:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 cwd=d, env=_clean_env(d), start_new_session=True, close_fds=True)
        self.etcd = hu.Proc(p, name="etcd")
        self._save_state()

        def healthy():
            if not self.etcd.alive():
                raise ClusterError(f"etcd exited with {self.etcd.returncode}")
            try:
                code, body = http_json(client + "/health", timeout=1)
            except OSError:
                return False
            return code == 200 and isinstance(body, dict) and body.get("health") in ("true", True)

        self._wait(healthy, deadline, "etcd to be healthy")

    def _spawn_patroni(self, node):
        cmd = ["setpriv", f"--reuid={PG_USER}", f"--regid={PG_USER}", "--init-groups"]
        if self.pdeathsig and hu.pdeathsig_usable():
            cmd += ["--pdeathsig", "TERM"]
        cmd += ["--", PATRONI, node.config_path]
        with open(node.log_path, "ab") as log:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 cwd=node.dir, env=_clean_env(node.dir), start_new_session=True,
                                 close_fds=True)
        node.proc = hu.Proc(p, name=f"patroni {node.name}")
        self._save_state()
        return node.proc

    def _initialize_key_exists(self):
        key = f"/service/{self.scope}/initialize".encode()
        try:
            code, body = http_json(self.etcd_url + "/v3/kv/range", "POST",
                                   {"key": base64.b64encode(key).decode()}, timeout=1)
        except OSError:
            return False
        return code == 200 and isinstance(body, dict) and bool(body.get("kvs"))

    def _is_leader(self, node):
        st = node.status(timeout=1)
        return bool(st) and st.get("role") in LEADER_ROLES and st.get("state") == "running"

    def _leader_running(self, name):
        try:
            info = self.cluster_info(timeout=1)
        except ClusterError:
            return False
        return any(m["name"] == name and m.get("role") in LEADER_ROLES and m.get("state") == "running"
                   for m in info.get("members", []))

    def _bootstrap_sql(self, primary):
        psycopg = _psycopg()
        with self._super_conn(primary, "postgres") as conn:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            for role, pw in ((APP_USER, APP_PASSWORD), (BOUNCER_USER, BOUNCER_PASSWORD)):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(psycopg.sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                    psycopg.sql.SQL(verb), psycopg.sql.Identifier(role), psycopg.sql.Literal(pw)))
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (APP_DB,)).fetchone():
                conn.execute(f"CREATE DATABASE {APP_DB} OWNER {APP_USER}")
            self._create_get_auth(conn)
        with self._super_conn(primary, APP_DB) as conn:
            self._create_get_auth(conn)
            conn.execute("CREATE TABLE IF NOT EXISTS public.writes ("
                         " id bigserial PRIMARY KEY, client text, seq bigint,"
                         " at timestamptz DEFAULT now())")
            conn.execute(f"ALTER TABLE public.writes OWNER TO {APP_USER}")

    @staticmethod
    def _create_get_auth(conn):
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS pgbouncer AUTHORIZATION {BOUNCER_USER}")
        conn.execute(
            "CREATE OR REPLACE FUNCTION pgbouncer.get_auth(p_usename text)"
            " RETURNS TABLE(usename text, passwd text)"
            " LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS"
            " $$ SELECT s.usename::text, s.passwd::text FROM pg_catalog.pg_shadow AS s"
            " WHERE s.usename = p_usename $$")
        conn.execute("REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC")
        conn.execute(f"GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO {BOUNCER_USER}")

    def _super_conn(self, node, dbname, timeout=10):
        psycopg = _psycopg()
        conninfo = psycopg.conninfo.make_conninfo(
            host=LOOPBACK, port=node.pg_port, dbname=dbname, user=SUPERUSER,
            password=SUPERUSER_PASSWORD, connect_timeout=max(2, int(timeout)),
            application_name="pgcluster-harness")
        return psycopg.connect(conninfo, autocommit=True)

    # ---------------------------------------------------------------------------------------
    # waiting

    def _wait(self, pred, deadline, what, interval=0.1, check_alive=()):
        last = None
        while True:
            for n in check_alive:
                if not n.patroni_running():
                    raise ClusterError(f"Patroni on {n.name} exited ({n.proc.returncode}) while "
                                       f"waiting for {what}; see {n.log_path}")
            try:
                v = pred()
                if v:
                    return v
            except ClusterError:
                raise
            except Exception as e:  # the cluster is moving: retry until the deadline
                last = e
            if time.monotonic() >= deadline:
                raise ClusterError(f"timed out waiting for {what}" + (f" (last error: {last!r})" if last else ""))
            time.sleep(interval)

    def wait_for(self, predicate_or_topology, timeout=60, interval=0.2, what=None):
        """Polls a callable until it returns something truthy (exceptions count as not yet) and
        returns that value; a dict is passed to wait_for_topology(**dict)."""
        if isinstance(predicate_or_topology, dict):
            return self.wait_for_topology(timeout=timeout, **predicate_or_topology)
        return self._wait(predicate_or_topology, hu.deadline_after(timeout),
                          what or getattr(predicate_or_topology, "__name__", "condition"), interval)

    def _topology(self, leader=None, streaming_replicas=None, not_leader=None):
        info = self.cluster_info(timeout=1)
        leaders = [m for m in info.get("members", []) if m.get("role") in LEADER_ROLES]
        if len(leaders) != 1:
            return None
        m = leaders[0]
        if m.get("state") != "running":
            return None
        if leader is not None and m["name"] != leader:
            return None
        if not_leader is not None and m["name"] == not_leader:
            return None
        node = self.node(m["name"])
        if streaming_replicas:
            st = node.status(timeout=1) or {}
            # a replica counts when it streams from the leader AND its Patroni lists it as a
            # running replica (PostgreSQL keeps streaming after its Patroni was killed)
            names = {r["name"] for r in info.get("members", [])
                     if r.get("role") in REPLICA_ROLES and r.get("state") in ("running", "streaming")}
            streaming = {r.get("application_name") for r in st.get("replication", []) or []
                         if r.get("state") == "streaming"} & names
            if len(streaming) < streaming_replicas:
                return None
        return node

    def wait_for_topology(self, leader=None, streaming_replicas=None, timeout=60, writable=True):
        """Waits until /cluster shows one running leader (named `leader` if given) that streams to
        at least `streaming_replicas` members, and (writable=True) answers
        pg_is_in_recovery() = false. Returns the leader's Node."""
        def ok():
            node = self._topology(leader, streaming_replicas)
            if node is None:
                return None
            if writable and self.sql(node, "SELECT pg_is_in_recovery()", timeout=3)[0][0]:
                return None
            return node
        what = f"topology leader={leader or 'any'} streaming_replicas={streaming_replicas or 0}"
        return self._wait(ok, hu.deadline_after(timeout), what, interval=0.2)

    def wait_for_leader(self, not_name=None, timeout=60, name=None, writable=True):
        """Waits for a running, writable leader (other than not_name; equal to name if given)."""
        def ok():
            node = self._topology(leader=name, not_leader=not_name)
            if node is None:
                return None
            if writable and self.sql(node, "SELECT pg_is_in_recovery()", timeout=3)[0][0]:
                return None
            return node
        what = "a leader" + (f" other than {not_name}" if not_name else "") + (f" = {name}" if name else "")
        return self._wait(ok, hu.deadline_after(timeout), what, interval=0.1)

    def wait_replicas_caught_up(self, timeout=30, nodes=None):
        """Waits until the given (default: all current) replicas replayed the primary's current
        WAL position."""
        primary = self.primary()
        if primary is None:
            raise ClusterError("no leader")
        lsn = self.sql(primary, "SELECT pg_current_wal_lsn()::text")[0][0]
        targets = [self.node(n) for n in nodes] if nodes else self.replicas()

        def ok():
            for n in targets:
                r = self.sql(n, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,), timeout=3)
                if not r[0][0]:
                    return False
            return True
        self._wait(ok, hu.deadline_after(timeout), f"replicas to replay {lsn}", interval=0.1)

    # ---------------------------------------------------------------------------------------
    # queries

    def cluster_info(self, timeout=2.0):
        """GET /cluster from the first node that answers."""
        errors = []
        ordered = sorted(self.nodes, key=lambda n: not n.patroni_running())
        for n in ordered:
            try:
                code, body = http_json(n.api_url + "/cluster", timeout=timeout)
                if code == 200 and isinstance(body, dict):
                    return body
                errors.append(f"{n.name}: HTTP {code}")
            except OSError as e:
                errors.append(f"{n.name}: {e}")
        raise ClusterError("no Patroni REST API answers /cluster: " + "; ".join(errors))

    def primary(self):
        """Node of the current leader according to /cluster, or None."""
        try:
            info = self.cluster_info()
        except ClusterError:
            return None
        for m in info.get("members", []):
            if m.get("role") in LEADER_ROLES:
                return self.node(m["name"])
        return None

    def replicas(self, running_only=False):
        """Nodes /cluster lists as replicas, sorted by name."""
        info = self.cluster_info()
        out = [self.node(m["name"]) for m in info.get("members", [])
               if m.get("role") in REPLICA_ROLES and (not running_only or m.get("state") in ("running", "streaming"))]
        return sorted(out, key=lambda n: n.name)

    def connect(self, node=None, dbname=APP_DB, user=APP_USER, password=APP_PASSWORD, port=None,
                host=LOOPBACK, **kw):
        """psycopg connection to a node (default: the primary) or to any port (e.g. pgfront's)."""
        psycopg = _psycopg()
        if port is None:
            n = self.node(node) or self.primary()
            if n is None:
                raise ClusterError("no leader to connect to")
            port = n.pg_port
        kw.setdefault("connect_timeout", 10)
        return psycopg.connect(host=host, port=port, dbname=dbname, user=user, password=password, **kw)

    def sql(self, node, query, params=None, dbname="postgres", timeout=10):
        """Runs query as the superuser over TCP (password in the connection string) on node
        (Node, name or None = primary); returns fetchall() rows, or None without a result."""
        n = self.node(node) or self.primary()
        if n is None:
            raise ClusterError("no leader")
        with self._super_conn(n, dbname, timeout) as conn:
            if timeout:
                conn.execute(f"SET statement_timeout = {int(timeout * 1000)}")
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else None

    def patronictl(self, *args, timeout=60):
        cfg = next((n.config_path for n in self.nodes if os.path.exists(n.config_path)), None)
        return subprocess.run([PATRONICTL, "-c", cfg, *args], capture_output=True, text=True,
                              timeout=timeout, env=_clean_env(self.base_dir), stdin=subprocess.DEVNULL)

    # ---------------------------------------------------------------------------------------
    # actions

    def switchover(self, candidate=None, timeout=60):
        """patronictl switchover --force [--candidate X]; returns the new leader's Node once it
        is running and writable."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        old = self.wait_for_leader(timeout=hu.remaining(deadline, 1), writable=False)
        cand = self.node(candidate).name if candidate is not None else None
        args = ["switchover", self.scope, "--leader", old.name, "--force"]
        if cand:
            args += ["--candidate", cand]
        r = self.patronictl(*args, timeout=hu.remaining(deadline, 5))
        out = (r.stdout or "") + (r.stderr or "")
        if r.returncode != 0 or ("Successfully" not in out and "falling back to DCS" not in out):
            raise ClusterError(f"patronictl switchover failed (rc={r.returncode}):\n{out}")
        new = self.wait_for_leader(not_name=old.name, name=cand, timeout=hu.remaining(deadline, 1))
        self.timings["switchover_seconds"] = round(time.monotonic() - t0, 2)
        return new

    def kill_postmaster(self, node, timeout=10):
        """SIGKILL the node's postmaster (Patroni stays up and reacts). Returns the killed pid."""
        n = self.node(node)
        pid = n.postmaster_pid()
        if pid is None:
            raise ClusterError(f"{n.name}: no running postmaster")
        start = hu.pid_start_time(pid)
        os.kill(pid, signal.SIGKILL)
        hu.wait_pids_gone([(pid, start)], timeout)
        return pid

    def kill_patroni(self, node, timeout=10):
        """SIGKILL Patroni only: its REST API disappears, PostgreSQL keeps running."""
        n = self.node(node)
        if n.proc is None or not n.proc.alive():
            raise ClusterError(f"{n.name}: Patroni is not running")
        n.proc.kill(timeout)
        self._save_state()

    def start_patroni(self, node, timeout=60, wait=True):
        """(Re)starts Patroni on node; with wait, returns once its REST API reports a running
        PostgreSQL."""
        n = self.node(node)
        if n.patroni_running():
            raise ClusterError(f"{n.name}: Patroni is already running")
        self._spawn_patroni(n)
        if wait:
            self._wait(lambda: (n.status(timeout=1) or {}).get("state") == "running",
                       hu.deadline_after(timeout), f"Patroni on {n.name} to report running",
                       check_alive=[n])
        return n

    def stop_node(self, node, timeout=30):
        """SIGTERM Patroni (which stops its PostgreSQL); SIGKILL after timeout; makes sure the
        postmaster is gone."""
        n = self.node(node)
        if n.proc is not None:
            n.proc.stop(signal.SIGTERM, timeout=timeout)
        self._stop_postmaster(n, graceful_timeout=10)
        self._save_state()

    def crash_node(self, node, timeout=10):
        """Simulates a machine crash: SIGKILL Patroni, then the postmaster and all its children."""
        n = self.node(node)
        if n.patroni_running():
            n.proc.kill(timeout)
        pid = n.postmaster_pid()
        if pid:
            victims = [(pid, hu.pid_start_time(pid))] + [(c, hu.pid_start_time(c)) for c in hu.children_of(pid)]
            for p, _ in victims:
                hu.kill_quietly(p, signal.SIGKILL)
            hu.wait_pids_gone(victims, timeout)
        self._save_state()

    def set_tags(self, node, tags, timeout=30):
        """Replaces the node's Patroni tags (set_tags(n, {}) clears them): rewrites its yml,
        SIGHUPs Patroni and waits until GET /patroni and /cluster show the tags."""
        n = self.node(node)
        n.tags = dict(tags)
        self._write_node_config(n)
        if not n.patroni_running():
            return
        n.proc.signal(signal.SIGHUP)
        expected = {k: v for k, v in n.tags.items() if k not in BOOL_TAGS or v}

        def same(got):
            got = dict(got or {})
            if "nosync" in got and "nosync" not in expected:
                got.pop("nosync")  # Patroni may add it dynamically
            return got == expected

        def ok():
            st = n.status(timeout=1)
            if not st or not same(st.get("tags")):
                return False
            info = self.cluster_info(timeout=1)
            m = next((m for m in info.get("members", []) if m["name"] == n.name), None)
            return m is not None and same(m.get("tags"))
        self._wait(ok, hu.deadline_after(timeout), f"tags {expected} on {n.name}", interval=0.1)

    # ---------------------------------------------------------------------------------------
    # stop

    def _stop_postmaster(self, node, graceful_timeout=10):
        pid = node.postmaster_pid()
        if not pid:
            return
        start = hu.pid_start_time(pid)
        kids = [(c, hu.pid_start_time(c)) for c in hu.children_of(pid)]
        self._log(f"{node.name}: postmaster {pid} outlived Patroni; fast shutdown")
        hu.kill_quietly(pid, signal.SIGINT)
        if hu.wait_pids_gone([(pid, start)], graceful_timeout):
            hu.kill_quietly(pid, signal.SIGKILL)
            hu.wait_pids_gone([(pid, start)], 5)
        for p, _ in hu.wait_pids_gone(kids, 5):
            hu.kill_quietly(p, signal.SIGKILL)
        hu.wait_pids_gone(kids, 5)

    def stop(self, timeout=60):
        """Stops everything this cluster started (replicas' Patroni, then the leader's, then any
        postmaster left, then etcd) and removes base_dir unless keep=True. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        t0 = time.monotonic()
        with hu.cleaning():
            try:
                self._stop_all(timeout)
            finally:
                self._release_ports()
                hu.unregister(self)
                self._remove_dirs()
        self.timings["stop_seconds"] = round(time.monotonic() - t0, 2)
        if self.timings["stop_seconds"] > 10:
            self._log(f"slow stop: {self.timings['stop_seconds']}s {self.timings.get('stop_detail')}")

    def _stop_all(self, timeout):
        per = max(5.0, timeout / 3)
        leader = None
        t0 = time.monotonic()
        detail = self.timings["stop_detail"] = {}
        if any(n.patroni_running() for n in self.nodes):
            try:
                leader = self.primary()
            except Exception:
                leader = None
        detail["find_leader"] = round(time.monotonic() - t0, 2)
        groups = [[n for n in self.nodes if n is not leader], [leader] if leader else []]
        for group in groups:
            running = [n for n in group if n.proc is not None and n.proc.alive()]
            for n in running:
                n.proc.signal(signal.SIGTERM)
            dl = hu.deadline_after(per)
            for n in running:
                if not n.proc.wait(hu.remaining(dl)):
                    self._log(f"{n.name}: Patroni ignored SIGTERM for {per:.0f}s; SIGKILL")
                    n.proc.kill(5)
                detail[n.name] = round(time.monotonic() - t0, 2)
        detail["patroni"] = round(time.monotonic() - t0, 2)
        for n in self.nodes:
            try:
                self._stop_postmaster(n)
            except Exception as e:
                self._log(f"{n.name}: stopping postmaster: {e!r}")
        # Safety net: anything running as postgres with its cwd in our tree (PostgreSQL children,
        # pg_basebackup, pg_rewind started by a Patroni we had to kill).
        if self.base_dir and os.path.isdir(self.base_dir):
            left = [(p, hu.pid_start_time(p)) for p in hu.pids_with_cwd_under(self.base_dir, self._pg_uid)]
            if left:
                self._log(f"killing leftover processes {[p for p, _ in left]}")
                for p, _ in left:
                    hu.kill_quietly(p, signal.SIGKILL)
                hu.wait_pids_gone(left, 5)
        detail["postmasters"] = round(time.monotonic() - t0, 2)
        if self.etcd is not None and self.etcd.alive():
            self.etcd.signal(signal.SIGTERM)
            if not self.etcd.wait(5):  # a throw-away etcd: no reason to wait longer
                self._log(f"etcd (pid {self.etcd.pid}) still running 5s after SIGTERM; SIGKILL")
                self.etcd.kill(5)
        detail["etcd"] = round(time.monotonic() - t0, 2)
        if self.cli_pid is None:
            self._save_state()

    def _remove_dirs(self):
        if self._own_etcd_dir and self.etcd_data_dir and os.path.basename(
                self.etcd_data_dir).startswith("pgcluster-etcd-"):
            shutil.rmtree(self.etcd_data_dir, ignore_errors=True)
        if self._own_sock_dir and self.sock_dir:
            shutil.rmtree(self.sock_dir, ignore_errors=True)
        if self.keep or not self.base_dir or not os.path.isdir(self.base_dir):
            return
        if not os.path.exists(os.path.join(self.base_dir, MARKER)):
            return
        shutil.rmtree(self.base_dir, ignore_errors=True)

    @classmethod
    def down(cls, base_dir, timeout=90, log=None):
        """Stops a cluster left in base_dir (by `up` or by a test that died) and removes it."""
        log = log or (lambda m: print(f"pgcluster: {m}", file=sys.stderr, flush=True))
        base_dir = os.path.abspath(base_dir)
        if not os.path.isdir(base_dir):
            log(f"{base_dir}: nothing to stop")
            return True
        if not os.path.exists(os.path.join(base_dir, MARKER)):
            raise ClusterError(f"{base_dir} is not a pgcluster directory")
        st = cls._read_state(base_dir)
        cli = hu.Proc.from_json(st.get("cli")) if st else None
        if cli is not None and cli.alive() and cli.pid != os.getpid():
            log(f"asking the cluster supervisor (pid {cli.pid}) to stop")
            cli.signal(signal.SIGTERM)
            if not cli.wait(timeout):
                log(f"supervisor {cli.pid} still running after {timeout}s; stopping its processes myself")
        if st is not None and os.path.isdir(base_dir):
            c = cls.attach(base_dir)
            hu.register(c)
            c.stop()
        elif os.path.isdir(base_dir):
            shutil.rmtree(base_dir, ignore_errors=True)
        return not os.path.exists(base_dir)

    # ---------------------------------------------------------------------------------------
    # output

    def pgfront_cluster_yaml(self, name=None):
        """The `cluster:` section of a pgfront configuration for this cluster."""
        lines = ["cluster:", f"  name: {name or self.scope}", "  nodes:"]
        for n in self.nodes:
            lines.append(f'    - {{name: {n.name}, host: {n.host}, port: {n.pg_port}, api: "{n.api_url}"}}')
        return "\n".join(lines) + "\n"

    def summary(self):
        leader = None
        try:
            leader = self.primary()
        except Exception:
            pass
        return {
            "scope": self.scope,
            "base_dir": self.base_dir,
            "etcd": self.etcd_url,
            "etcd_pid": self.etcd.pid if self.etcd else None,
            "leader": leader.name if leader else None,
            "nodes": [{"name": n.name, "host": n.host, "port": n.pg_port, "api": n.api_url,
                       "data_dir": n.data_dir, "patroni_pid": n.patroni_pid,
                       "postmaster_pid": n.postmaster_pid(), "patroni_config": n.config_path}
                      for n in self.nodes],
            "patronictl": f"patronictl -c {self.nodes[0].config_path}" if self.nodes else None,
            "users": {"superuser": f"{SUPERUSER}/{SUPERUSER_PASSWORD}", "app": f"{APP_USER}/{APP_PASSWORD}",
                      "pgbouncer": f"{BOUNCER_USER}/{BOUNCER_PASSWORD}"},
            "timings": self.timings,
        }

    def log_files(self):
        files = []
        if self.base_dir:
            files.append(os.path.join(self.base_dir, "etcd.log"))
        for n in self.nodes:
            files.append(n.log_path)
            try:
                pg = sorted((os.path.join(n.pg_log_dir, f) for f in os.listdir(n.pg_log_dir)),
                            key=os.path.getmtime)
                files += pg[-2:]
            except OSError:
                pass
        return files

    def dump_logs(self, tail=80, file=None):
        """Prints the tail of the etcd, Patroni and PostgreSQL logs (tests call it on failure)."""
        file = file or sys.stdout
        print(f"===== pgcluster {self.scope} in {self.base_dir} =====", file=file)
        try:
            info = self.cluster_info(timeout=1)
            for m in info.get("members", []):
                print(f"  {m.get('name')}: role={m.get('role')} state={m.get('state')} "
                      f"timeline={m.get('timeline')} lag={m.get('lag')}", file=file)
        except Exception as e:
            print(f"  /cluster: {e}", file=file)
        for n in self.nodes:
            print(f"  {n.name}: patroni_pid={n.patroni_pid} postmaster_pid={n.postmaster_pid()}", file=file)
        for path in self.log_files():
            if os.path.exists(path):
                print(f"----- {path} (last {tail} lines) -----", file=file)
                print(hu.tail_file(path, tail), file=file)
        file.flush()


def reap_stale_clusters(parents=None, log=None):
    """Stops and removes auto-named clusters (pgcluster-* in the temp parents) whose owner
    process is gone and whose processes were not all stopped -- what a test runner that
    SIGKILLed its whole process tree leaves behind (postmasters are not in that tree: Patroni
    double-forks them). Clusters with a live owner are never touched."""
    log = log or (lambda m: print(f"pgcluster: {m}", file=sys.stderr, flush=True))
    parents = parents or sorted({default_parent_dir(), "/dev/shm", "/tmp"})
    for parent in parents:
        try:
            entries = os.listdir(parent)
        except OSError:
            continue
        for e in entries:
            d = os.path.join(parent, e)
            if not e.startswith("pgcluster-") or e.startswith("pgcluster-etcd-"):
                continue
            if not os.path.exists(os.path.join(d, MARKER)):
                continue
            st = Cluster._read_state(d)
            if not st:
                continue
            owner = hu.Proc.from_json(st.get("owner"))
            cli = hu.Proc.from_json(st.get("cli"))
            if (owner is None and cli is None) or (owner is not None and owner.alive()) or \
                    (cli is not None and cli.alive()):
                continue
            dead = owner.pid if owner else cli.pid
            try:
                if st.get("keep"):  # kept for inspection: stop what runs, leave the files
                    if _state_has_live_processes(st):
                        log(f"stopping the processes of {d} (kept; its owner pid {dead} is gone)")
                        c = Cluster.attach(d)
                        c.keep = True
                        c.stop()
                    continue
                log(f"removing stale cluster {d} (its owner pid {dead} is gone)")
                Cluster.down(d, timeout=30, log=log)
            except Exception as ex:  # never let someone else's mess fail our start
                log(f"could not remove {d}: {ex!r}")


def _state_has_live_processes(st):
    procs = [hu.Proc.from_json(st.get("etcd")), hu.Proc.from_json(st.get("cli"))]
    procs += [hu.Proc.from_json(n.get("patroni")) for n in st.get("nodes", [])]
    if any(p is not None and p.alive() for p in procs):
        return True
    for n in st.get("nodes", []):
        try:
            with open(os.path.join(n["data_dir"], "postmaster.pid")) as f:
                pid = int(f.readline())
            st_ = hu.proc_stat(pid)
            if st_ and st_[3] == "postgres" and hu.pid_alive(pid):
                return True
        except (OSError, ValueError, KeyError):
            pass
    return False


# --------------------------------------------------------------------------------------------
# CLI

def _cmd_up(args):
    stop_requested = threading.Event()
    state = {"ready": False}

    def on_signal(signum, frame):
        if stop_requested.is_set():
            return
        stop_requested.set()
        if not state["ready"]:
            raise SystemExit(128 + signum)  # abort start(); the finally below cleans up

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    ports = fixed_ports(args.nodes) if args.fixed_ports else "auto"
    c = Cluster(base_dir=args.base_dir, nodes=args.nodes, scope=args.scope, ports=ports,
                keep=args.keep, max_connections=args.max_connections)
    c.cli_pid = os.getpid()
    rc = 0
    try:
        c.start(timeout=args.timeout)
        summary = c.summary()
        summary["ready"] = True
        summary["supervisor_pid"] = os.getpid()
        text = json.dumps(summary)
        _write_atomic(os.path.join(c.base_dir, "cluster.json"), json.dumps(summary, indent=1) + "\n")
        state["ready"] = True
        print(text, flush=True)
        c._log(f"cluster up in {c.timings.get('start_seconds')}s; Ctrl-C or "
               f"`pgcluster.py down --base-dir {c.base_dir}` stops it")
        reported = set()
        while not stop_requested.wait(1.0):
            for p in [c.etcd] + [n.proc for n in c.nodes]:
                if p is not None and not p.alive() and p.pid not in reported:
                    reported.add(p.pid)
                    c._log(f"warning: {p.name} (pid {p.pid}) exited with {p.returncode}")
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception as e:
        c._log(f"error: {e}")
        rc = 1
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        c._log("stopping")
        c.stop()
        c._log(f"stopped in {c.timings.get('stop_seconds')}s {c.timings.get('stop_detail', '')}")
    return rc if not state["ready"] else 0


def _cmd_down(args):
    ok = Cluster.down(args.base_dir, timeout=args.timeout)
    return 0 if ok else 1


def _cmd_status(args):
    c = Cluster.attach(args.base_dir)
    try:
        print(json.dumps(c.cluster_info(), indent=1))
    except ClusterError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def _cmd_alive(args):
    st = Cluster._read_state(os.path.abspath(args.base_dir))
    alive = bool(st) and _state_has_live_processes(st)
    print("running" if alive else "not running")
    return 0 if alive else 1


def _cmd_logs(args):
    Cluster.attach(args.base_dir).dump_logs(tail=args.tail)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="pgcluster.py", description="local Patroni/etcd/PostgreSQL 15 cluster")
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start a cluster and stay in the foreground until SIGINT/SIGTERM")
    up.add_argument("--base-dir", required=True)
    up.add_argument("--fixed-ports", action="store_true",
                    help="etcd 2379/2380, PostgreSQL 5432.., REST 8008.. (the demo's ports)")
    up.add_argument("--nodes", type=int, default=3)
    up.add_argument("--scope", default="pgfront-test")
    up.add_argument("--max-connections", type=int, default=100)
    up.add_argument("--timeout", type=float, default=90)
    up.add_argument("--keep", action="store_true", help="keep base_dir (logs, data) after stopping")
    down = sub.add_parser("down", help="stop a cluster started with `up` (or left by a dead test)")
    down.add_argument("--base-dir", required=True)
    down.add_argument("--timeout", type=float, default=90)
    st = sub.add_parser("status", help="print GET /cluster")
    st.add_argument("--base-dir", required=True)
    lg = sub.add_parser("logs", help="print the tails of all logs")
    lg.add_argument("--base-dir", required=True)
    lg.add_argument("--tail", type=int, default=80)
    al = sub.add_parser("alive", help="exit 0 when a process of the cluster in base-dir is running")
    al.add_argument("--base-dir", required=True)
    args = ap.parse_args(argv)
    try:
        return {"up": _cmd_up, "down": _cmd_down, "status": _cmd_status, "logs": _cmd_logs,
                "alive": _cmd_alive}[args.cmd](args)
    except ClusterError as e:
        print(f"pgcluster: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
