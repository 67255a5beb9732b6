#!/usr/bin/python3
"""The admin API and proxyctl against a real 3-node Patroni cluster and a real pgfront in
transaction pooling mode: every proxyctl command (text and --json) with its exit code (0 ok,
1 action failed, 2 usage, 3 unreachable), the API's auth and HTTP errors (401, 404, 405,
400, 413), `drain NODE --wait` on a replica under pgbench with zero client errors (and its
timeout report), draining the primary (warning, writes go on), pause/resume of everything
and of one database, kill-client, reload with a broken and a good file, /metrics parsed
line by line (and by promtool) with per-pool counters moving, and a bounded fuzz of the
admin port over raw sockets after which pgfront still serves."""
import concurrent.futures
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import psycopg

import e2e_common
from prometheus_text import check_histograms, parse_metrics, series
from e2e_common import wait_until

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None
PROXY = None
WORKDIR = None
USERLIST = None
PORT = None          # pgfront's primary listener
REPLICA_PORT = None  # pgfront's replica listener
ADMIN_PORT = None
ADMIN_URL = None
POOL_SIZE = 6
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
PROMTOOL = "/usr/bin/promtool"
PG_ENV = {**os.environ, "PGPASSWORD": "apppass"}


def setUpModule():
    global CLUSTER, PROXY, WORKDIR, USERLIST, PORT, REPLICA_PORT, ADMIN_PORT, ADMIN_URL
    CLUSTER = Cluster(nodes=3, scope="admin", max_connections=120)
    CLUSTER.start()
    CLUSTER.wait_for_topology(streaming_replicas=2, timeout=90)
    primary = CLUSTER.primary()
    CLUSTER.sql(primary, "CREATE DATABASE otherdb OWNER app")
    secret = CLUSTER.sql(primary, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
    init = subprocess.run([PGBENCH, "-i", "-s", "1", "-q", "-h", "127.0.0.1", "-p", str(primary.pg_port), "-U", "app",
                           "appdb"], env=PG_ENV, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    CLUSTER.wait_replicas_caught_up(timeout=60)
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-admin-")
    USERLIST = os.path.join(WORKDIR.name, "userlist.txt")
    with open(USERLIST, "w") as f:
        f.write(f'"app" "{secret}"\n')
    PORT, REPLICA_PORT, ADMIN_PORT = free_port(), free_port(), free_port()
    ADMIN_URL = f"http://127.0.0.1:{ADMIN_PORT}"
    PROXY = PgFront(e2e_common.pgfront_binary(), proxy_config())
    PROXY.start()
    for port in (PORT, REPLICA_PORT, ADMIN_PORT):
        PROXY.wait_listening(port, timeout=15)
    wait_until(lambda: api("/status")["primary"] and len(api("/status")["replicas"]) == 2, 30,
               what="pgfront sees a primary and two replicas")


def proxy_config(pool_size=POOL_SIZE, admin_port=None, token=None, ports=None):
    primary_port, replica_port = ports or (PORT, REPLICA_PORT)
    admin = f'admin: {{listen: "127.0.0.1:{admin_port or ADMIN_PORT}"' + (f', token: "{token}"' if token else "") + "}"
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{primary_port}", replica: "127.0.0.1:{replica_port}", client_login_timeout: 10s}}
{admin}
pool:
  mode: transaction
  default_pool_size: {pool_size}
  max_client_conn: 500
  query_wait_timeout: 60s
auth: {{type: scram-sha-256, auth_file: "{USERLIST}"}}
log: {{level: info}}
"""


def tearDownModule():
    if PROXY:
        if not PROXY.running():
            print(f"pgfront exited with {PROXY.returncode}; its log ends:\n{PROXY.log_text()[-4000:]}", file=sys.stderr)
        PROXY.close()  # terminate, then remove its work directory
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


# ------------------------------------------------------------------------------------------
# plumbing

def http_request(method, path, body=None, headers=None, port=None, timeout=30):
    """(status, headers dict with lower-case names, body bytes) of one raw HTTP request."""
    conn = http.client.HTTPConnection("127.0.0.1", port or ADMIN_PORT, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def api(path, port=None):
    status, _, body = http_request("GET", path, port=port)
    if status != 200:
        raise AssertionError(f"GET {path}: HTTP {status} {body[:300]!r}")
    return json.loads(body)


def post(path, payload=None, port=None, token=None, timeout=30):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(payload) if payload is not None else ""
    status, hdrs, raw = http_request("POST", path, body=body, headers=headers, port=port, timeout=timeout)
    return status, hdrs, json.loads(raw) if raw.strip() else None


def ctl(*args, env=None, timeout=120, admin=True):
    """Runs the real proxyctl; --admin goes last (options may stand anywhere)."""
    cmd = [e2e_common.proxyctl_binary(), *args] + (["--admin", ADMIN_URL] if admin else [])
    full_env = {k: v for k, v in os.environ.items() if k not in ("PGFRONT_ADMIN", "PGFRONT_TOKEN")}
    full_env.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)


def ctl_json(*args, **kw):
    run = ctl(*args, "--json", **kw)
    if run.returncode != 0:
        raise AssertionError(f"proxyctl {' '.join(args)} --json: exit {run.returncode}: {run.stderr}")
    return json.loads(run.stdout)


def connect(port=None, dbname="appdb", **kw):
    params = dict(host="127.0.0.1", port=port or PORT, dbname=dbname, user="app", password="apppass",
                  connect_timeout=20, autocommit=True)
    params.update(kw)
    return psycopg.connect(**params)


def node_view(name):
    return api(f"/nodes/{name}")


def client_by_app(application_name):
    """pgfront's /clients entry of the client with this application_name."""
    matches = [c for c in api("/clients")["clients"] if c["application_name"] == application_name]
    if len(matches) != 1:
        raise AssertionError(f"{len(matches)} clients named {application_name!r}")
    return matches[0]


def pool_transactions(role, node, database="appdb"):
    return sum(p["transactions"] for p in api("/pools")["pools"]
               if p["role"] == role and p["node"] == node and p["database"] == database)


def pgbench(*args, port, duration, clients):
    """A bounded pgbench through pgfront, started in the background."""
    cmd = [PGBENCH, "-n", *args, "-c", str(clients), "-j", "2", "-T", str(duration), "-h", "127.0.0.1", "-p", str(port),
           "-U", "app", "appdb"]
    return subprocess.Popen(cmd, env=PG_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def pgbench_result(proc, what):
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or "number of failed transactions: 0" not in out or "aborted" in out + err:
        raise AssertionError(f"pgbench {what} (exit {proc.returncode}):\n{out[-2000:]}\n{err[-3000:]}")
    processed = int(out.split("number of transactions actually processed: ")[1].split()[0].split("/")[0])
    return processed


class InBackground:
    """Runs fn in a thread; done/result/error tell how it went."""

    def __init__(self, fn):
        self.result = None
        self.error = None
        self.finished = threading.Event()

        def body():
            try:
                self.result = fn()
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.error = e
            finally:
                self.finished.set()

        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()

    def wait(self, timeout):
        return self.finished.wait(timeout)


def read_reply(sock, patience):
    """One HTTP reply off sock: stops at the end of its body (Content-Length), at EOF, or when
    `patience` seconds have passed."""
    deadline = time.monotonic() + patience
    reply = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        reply += chunk
        head, sep, body = reply.partition(b"\r\n\r\n")
        if sep:
            m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
            if not m or len(body) >= int(m.group(1)):
                break
    return reply


def scrape():
    status, headers, body = http_request("GET", "/metrics")
    assert status == 200, status
    assert headers["content-type"].startswith("text/plain"), headers
    text = body.decode()
    samples, types = parse_metrics(text)
    check_histograms(samples, types)
    return text, samples, types


# ------------------------------------------------------------------------------------------

class Admin(unittest.TestCase):
    def setUp(self):
        self.log_mark = len(PROXY.log_text())

    def tearDown(self):
        # Nothing a test did may outlive it: resume, undrain.
        try:
            # Unconditionally: the answer is 409 when nothing was paused.
            post("/resume")
            for db in ("appdb", "otherdb"):
                post("/resume", {"database": db})
            for node in api("/nodes")["nodes"]:
                if node["drained"]:
                    post(f"/nodes/{node['name']}/undrain")
        except Exception as e:  # noqa: BLE001 - a failing test already says more
            print(f"tearDown could not reset pgfront: {e!r}", file=sys.stderr)
        result = getattr(self._outcome, "result", None)
        if result and any(test is self for test, _ in result.failures + result.errors):
            print(PROXY.log_text()[self.log_mark:][-6000:])

    # --- reads ---------------------------------------------------------------------------

    def test_01_read_commands_as_text_and_json(self):
        with connect(application_name="reader-01") as conn:
            conn.execute("SELECT 1")
            status = ctl_json("status")
            for key in ("version", "event_loop", "uptime_seconds", "config_file", "config_hash", "cluster",
                        "pool_mode", "listen", "topology_version", "primary", "replicas", "sessions", "paused"):
                self.assertIn(key, status)
            self.assertEqual(status["pool_mode"], "transaction")
            self.assertEqual(status["paused"], {"all": False, "databases": []})
            primary = status["primary"]
            self.assertEqual(primary, CLUSTER.primary().name)

            text = ctl("status")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertIn(f"primary:   {primary}", text.stdout)
            self.assertIn(status["config_hash"], text.stdout)
            self.assertIn("paused:    no", text.stdout)

            nodes = ctl_json("nodes")["nodes"]
            self.assertEqual(sorted(n["name"] for n in nodes), ["node1", "node2", "node3"])
            for n in nodes:
                for key in ("name", "host", "port", "api", "role", "state", "up", "eligible_primary",
                            "eligible_replica", "noloadbalance", "drained", "pause", "read_only_hold", "discovered",
                            "timeline", "lag_bytes", "last_check_ms_ago", "last_error", "consecutive_failures",
                            "patroni_version", "health_history", "clients", "servers_active", "servers_idle"):
                    self.assertIn(key, n)
                self.assertTrue(n["up"])
                self.assertLessEqual(len(n["health_history"]), 10)
                self.assertTrue(n["health_history"], n)
                self.assertTrue(all(h["ok"] for h in n["health_history"][:3]), n["health_history"])
                older = [h["ms_ago"] for h in n["health_history"]]
                self.assertEqual(older, sorted(older), "health_history is not newest first")
            text = ctl("nodes")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertEqual(len(text.stdout.strip().splitlines()), 4, text.stdout)
            self.assertRegex(text.stdout, rf"(?m)^{primary}\s.*\bprimary\b")
            self.assertEqual(node_view(primary)["name"], primary)

            clients = ctl_json("clients")["clients"]
            me = [c for c in clients if c["application_name"] == "reader-01"]
            self.assertEqual(len(me), 1, clients)
            for key in ("id", "role", "address", "database", "user", "application_name", "state", "node",
                        "connected_seconds", "state_seconds", "tls"):
                self.assertIn(key, me[0])
            self.assertEqual((me[0]["role"], me[0]["database"], me[0]["user"], me[0]["state"], me[0]["tls"]),
                             ("primary", "appdb", "app", "idle", False))
            self.assertRegex(me[0]["address"], r"^127\.0\.0\.1:\d+$")
            self.assertEqual(me[0]["node"], "", "an idle transaction-mode client holds no node")
            text = ctl("clients")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertRegex(text.stdout, rf"(?m)^{me[0]['id']}\s+primary\s+127\.0\.0\.1:\d+\s+appdb\s+app\s+reader-01")

            pools = ctl_json("pools")["pools"]
            mine = [p for p in pools if (p["role"], p["node"], p["database"], p["user"]) ==
                    ("primary", primary, "appdb", "app")]
            self.assertEqual(len(mine), 1, pools)
            for key in ("mode", "clients_active", "clients_waiting", "servers_active", "servers_idle",
                        "servers_connecting", "max_wait_seconds", "transactions", "queries", "bytes_received",
                        "bytes_sent", "draining"):
                self.assertIn(key, mine[0])
            self.assertEqual(mine[0]["mode"], "transaction")
            self.assertGreaterEqual(mine[0]["transactions"], 1)
            self.assertGreaterEqual(mine[0]["servers_idle"], 1)
            text = ctl("pools")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertRegex(text.stdout, rf"(?m)^primary\s+{primary}\s+appdb\s+app\s+transaction\s")

            servers = ctl_json("servers")["servers"]
            on_primary = [s for s in servers if s["node"] == primary and s["database"] == "appdb"]
            self.assertTrue(on_primary, servers)
            for key in ("id", "role", "node", "address", "database", "user", "state", "client_id",
                        "connected_seconds", "tls"):
                self.assertIn(key, on_primary[0])
            self.assertTrue(all(s["state"] in ("active", "idle") for s in servers))
            self.assertTrue(all((s["client_id"] == 0) == (s["state"] == "idle") for s in servers), servers)
            text = ctl("servers")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertRegex(text.stdout, rf"(?m)^\d+\s+primary\s+{primary}\s+127\.0\.0\.1:{CLUSTER.node(primary).pg_port}")

            vip = ctl_json("vip")
            self.assertEqual(vip, {"enabled": False})
            text = ctl("vip")
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertIn("not configured", text.stdout)

    def test_02_usage_errors_exit_2_and_an_unreachable_api_exits_3(self):
        for args in ([], ["frobnicate"], ["status", "--verbose"], ["status", "extra"], ["drain"],
                     ["undrain", "a", "b"], ["kill-client"], ["kill-client", "abc"], ["kill-client", "0"],
                     ["pause", "--timeout", "soon"], ["pause", "--timeout", "5"], ["status", "--wait"],
                     ["drain", "node1", "--timeout", "5s"], ["resume", "a", "b"], ["status", "--admin"],
                     ["status", "--admin", "https://127.0.0.1:1"]):
            run = ctl(*args, admin=False, env={"PGFRONT_ADMIN": ADMIN_URL})
            self.assertEqual(run.returncode, 2, f"proxyctl {args}: {run.stdout} {run.stderr}")
            self.assertIn("proxyctl: ", run.stderr)
            self.assertIn("Usage: proxyctl", run.stderr)
            self.assertEqual(run.stdout, "")
        for args in (["--help"], ["drain", "-h"], ["--version"]):
            run = ctl(*args)
            self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("kill-client ID", ctl("--help").stdout)
        self.assertRegex(ctl("--version").stdout, r"^proxyctl \d+\.\d+")

        # Nothing listens on a free port: every command, read or action, says so with 3.
        dead = f"http://127.0.0.1:{free_port()}"
        for args in (["status"], ["nodes", "--json"], ["drain", "node1", "--wait"], ["pause"], ["reload"],
                     ["kill-client", "5"]):
            started = time.monotonic()
            run = ctl(*args, "--admin", dead, admin=False)
            self.assertEqual(run.returncode, 3, f"proxyctl {args}: {run.stdout} {run.stderr}")
            self.assertIn("cannot reach pgfront", run.stderr)
            self.assertLess(time.monotonic() - started, 10)
        # $PGFRONT_ADMIN is the default, --admin overrides it.
        run = ctl("status", admin=False, env={"PGFRONT_ADMIN": ADMIN_URL})
        self.assertEqual(run.returncode, 0, run.stderr)
        run = ctl("status", "--admin", ADMIN_URL, admin=False, env={"PGFRONT_ADMIN": dead})
        self.assertEqual(run.returncode, 0, run.stderr)

    def test_03_http_errors(self):
        def error_body(raw, status):
            body = json.loads(raw)
            self.assertEqual(body["status"], status, body)
            self.assertIsInstance(body["error"], str)
            self.assertTrue(body["error"])
            return body

        for path in ("/nope", "/status/extra", "/nodes/nosuch", "/", "/metricsx"):
            status, headers, raw = http_request("GET", path)
            self.assertEqual(status, 404, path)
            self.assertTrue(headers["content-type"].startswith("application/json"), headers)
            error_body(raw, 404)
        status, _, raw = http_request("POST", "/nodes/nosuch/drain", body="")
        self.assertEqual(status, 404)
        error_body(raw, 404)

        for method, path, allow in (("POST", "/status", "GET"), ("GET", "/reload", "POST"), ("DELETE", "/nodes", "GET"),
                                    ("PUT", "/pause", "POST"), ("GET", "/nodes/node1/drain", "POST"),
                                    ("POST", "/metrics", "GET")):
            status, headers, raw = http_request(method, path, body="" if method in ("POST", "PUT") else None)
            self.assertEqual(status, 405, f"{method} {path}")
            self.assertEqual(headers.get("allow"), allow, f"{method} {path}: {headers}")
            error_body(raw, 405)

        for body in ("{bad json", "[1, 2]", '"text"', "{\"database\": 5}", "{\"timeout_seconds\": \"x\"}",
                     "{\"timeout_seconds\": -1}"):
            status, _, raw = http_request("POST", "/pause", body=body, headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, body)
            error_body(raw, 400)
        self.assertFalse(api("/status")["paused"]["all"], "a refused pause paused anyway")
        status, _, raw = http_request("POST", "/nodes/node1/drain", body="{oops")
        self.assertEqual(status, 400)
        self.assertFalse(node_view("node1")["drained"])
        status, _, raw = http_request("POST", "/clients/abc/kill", body="")
        self.assertEqual(status, 400)
        error_body(raw, 400)

        status, _, raw = http_request("POST", "/pause", body="{" + " " * (65 * 1024) + "}")
        self.assertEqual(status, 413)
        self.assertFalse(api("/status")["paused"]["all"])

    def test_04_token_auth(self):
        token = "s3cret-token"
        admin_port = free_port()
        config = proxy_config(admin_port=admin_port, token=token, ports=(free_port(), free_port()))
        with PgFront(e2e_common.pgfront_binary(), config) as guarded:
            guarded.wait_listening(admin_port, timeout=15)
            node = CLUSTER.replicas()[0].name
            for headers, expected in (({}, 401), ({"Authorization": "Bearer wrong"}, 401),
                                      ({"Authorization": f"Bearer {token}x"}, 401),
                                      ({"Authorization": f"Basic {token}"}, 401),
                                      ({"Authorization": token}, 401),
                                      ({"Authorization": f"Bearer {token}"}, 200)):
                status, hdrs, raw = http_request("POST", f"/nodes/{node}/undrain", body="", headers=headers,
                                                 port=admin_port)
                self.assertEqual(status, expected, headers)
                if expected == 401:
                    self.assertTrue(hdrs.get("www-authenticate", "").startswith("Bearer"), hdrs)
                    self.assertEqual(json.loads(raw)["status"], 401)
            # A refused drain did not drain.
            status, _, _ = http_request("POST", f"/nodes/{node}/drain", body="", port=admin_port)
            self.assertEqual(status, 401)
            self.assertFalse(api(f"/nodes/{node}", port=admin_port)["drained"])
            for path in ("/status", "/nodes", "/pools", "/clients", "/servers", "/vip", "/metrics"):
                status, _, _ = http_request("GET", path, port=admin_port)
                self.assertEqual(status, 200, path)

            url = f"http://127.0.0.1:{admin_port}"
            run = ctl("undrain", node, "--admin", url, admin=False)
            self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
            self.assertIn("401", run.stderr)
            run = ctl("undrain", node, "--admin", url, "--token", "nope", admin=False)
            self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
            run = ctl("--token", token, "undrain", node, "--admin", url, admin=False)
            self.assertEqual(run.returncode, 0, run.stderr)
            run = ctl("undrain", node, admin=False, env={"PGFRONT_ADMIN": url, "PGFRONT_TOKEN": token})
            self.assertEqual(run.returncode, 0, run.stderr)
            run = ctl("status", "--admin", url, admin=False)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(guarded.terminate(), 0)

    def test_05_failing_actions_exit_1(self):
        for args, message in ((["drain", "nosuch"], "no node named"), (["undrain", "nosuch"], "no node named"),
                              (["drain", "nosuch", "--wait"], "no node named"),
                              (["kill-client", "987654321"], "no client"), (["resume"], "nothing is paused"),
                              (["resume", "appdb"], "not paused")):
            run = ctl(*args)
            self.assertEqual(run.returncode, 1, f"proxyctl {args}: {run.stdout} {run.stderr}")
            self.assertIn(message, run.stderr, args)
            run = ctl(*args, "--json")
            self.assertEqual(run.returncode, 1, args)
            self.assertIn("error", json.loads(run.stdout), args)

    # --- drain -------------------------------------------------------------------------

    def test_06_drain_a_replica_under_pgbench(self):
        readers = pgbench("-S", "-M", "extended", port=REPLICA_PORT, duration=20, clients=8)
        writers = pgbench(port=PORT, duration=20, clients=4)
        try:
            busiest = wait_until(lambda: self._busiest_replica(), 15, interval=0.2, what="replica traffic")
            other = next(r.name for r in CLUSTER.replicas() if r.name != busiest)
            view = node_view(busiest)
            self.assertGreater(view["servers_active"] + view["servers_idle"], 0, view)
            started = time.monotonic()
            run = ctl("drain", busiest, "--wait", "--timeout", "30s")
            took = time.monotonic() - started
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertIn(f"{busiest} drained (replica)", run.stdout)
            self.assertIn("nothing uses it any more", run.stdout)
            self.assertNotIn("warning", run.stderr)
            print(f"drain --wait of {busiest} under pgbench: {took:.1f} s\n{run.stdout}", file=sys.stderr)
            self.assertIsNone(readers.poll(), "pgbench ended before the drain was checked: nothing was tested")

            view = node_view(busiest)
            self.assertTrue(view["drained"])
            self.assertFalse(view["eligible_replica"])
            # Nothing comes back while pgbench goes on; the other replica takes the reads.
            before_other = pool_transactions("replica", other)
            before_drained = pool_transactions("replica", busiest)
            for _ in range(10):
                view = node_view(busiest)
                self.assertEqual((view["clients"], view["servers_active"], view["servers_idle"]), (0, 0, 0), view)
                time.sleep(0.2)
            self.assertEqual(pool_transactions("replica", busiest), before_drained)
            self.assertGreater(pool_transactions("replica", other), before_other)
            pools = [p for p in api("/pools")["pools"] if p["node"] == busiest]
            self.assertTrue(all(p["draining"] for p in pools), pools)
            self.assertIn("drained", ctl("nodes").stdout)

            run = ctl("undrain", busiest, "--json")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(json.loads(run.stdout), {"node": busiest, "drained": False, "role": "replica"})
            self.assertFalse(node_view(busiest)["drained"])
            wait_until(lambda: pool_transactions("replica", busiest) > before_drained, 10,
                       what=f"{busiest} serving again after undrain")
            self.assertIsNone(readers.poll(), "pgbench ended before the undrain was checked")
        finally:
            read_count = pgbench_result(readers, "-S on the replica port")
            write_count = pgbench_result(writers, "read-write on the primary port")
        print(f"pgbench during drain/undrain: {read_count} read-only and {write_count} read-write transactions, "
              f"0 failed", file=sys.stderr)
        self.assertGreater(read_count, 100)
        self.assertGreater(write_count, 20)

    def _busiest_replica(self):
        counts = {}
        for p in api("/pools")["pools"]:
            if p["role"] == "replica" and p["database"] == "appdb":
                counts[p["node"]] = counts.get(p["node"], 0) + p["transactions"]
        if not counts or max(counts.values()) < 50:
            return None
        return max(counts, key=counts.get)

    def test_07_drain_wait_times_out_naming_what_still_uses_the_node(self):
        with connect(port=REPLICA_PORT, application_name="holds-replica") as holder:
            holder.execute("BEGIN")
            holder.execute("SELECT 1")
            node = client_by_app("holds-replica")["node"]
            self.assertTrue(node, "the client in a transaction holds no node")
            started = time.monotonic()
            run = ctl("drain", node, "--wait", "--timeout", "2s")
            took = time.monotonic() - started
            self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
            self.assertGreaterEqual(took, 1.9)
            self.assertLess(took, 10)
            self.assertIn(f"drain {node}: still in use after 2s: 1 client, 1 active", run.stderr)
            self.assertIn("holds-replica", run.stderr)  # the client table
            self.assertIn("waiting for 1 client", run.stdout)  # progress
            # Its transaction goes on where it is, and ends normally.
            self.assertEqual(holder.execute("SELECT 2").fetchone()[0], 2)
            # A wait that sees the node empty out: progress first, then done.
            waiting = subprocess.Popen([e2e_common.proxyctl_binary(), "drain", node, "--wait", "--timeout", "20s",
                                        "--admin", ADMIN_URL], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
            try:
                time.sleep(1.5)
                self.assertIsNone(waiting.poll(), "drain --wait returned while a transaction held the node")
                holder.execute("COMMIT")
                out, err = waiting.communicate(timeout=10)
            finally:
                if waiting.poll() is None:
                    waiting.kill()
                    waiting.communicate()
            self.assertEqual(waiting.returncode, 0, out + err)
            self.assertIn(f"{node}: waiting for 1 client, 1 active", out)
            self.assertRegex(out, rf"{node}: nothing uses it any more \(after [12]s\)")
            run = ctl("drain", node, "--wait", "--timeout", "10s", "--json")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            lines = run.stdout.strip().splitlines()
            self.assertEqual(json.loads(lines[0])["drained"], True)
            final = json.loads(lines[-1])
            self.assertEqual((final["name"], final["clients"], final["servers_active"], final["servers_idle"]),
                             (node, 0, 0, 0))
            self.assertEqual(ctl("undrain", node).returncode, 0)

    def test_08_draining_the_primary_warns_and_writes_go_on(self):
        primary = CLUSTER.primary().name
        run = ctl("drain", primary)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn(f"node {primary} is the primary", run.stderr)
        self.assertIn("patronictl switchover", run.stderr)
        self.assertIn(f"{primary} drained (primary)", run.stdout)
        run = ctl("drain", primary, "--json")
        self.assertEqual(run.returncode, 0, run.stderr)
        answer = json.loads(run.stdout)
        self.assertEqual((answer["node"], answer["drained"], answer["role"]), (primary, True, "primary"))
        self.assertIn("patronictl switchover", answer["warning"])
        self.assertIn("warning", run.stderr)
        for i in range(5):
            with connect(application_name=f"writer-{i}") as conn:
                conn.execute("INSERT INTO writes (client, seq) VALUES ('admin-drain-primary', %s)", (i,))
        with connect() as conn:
            n = conn.execute("SELECT count(*) FROM writes WHERE client = 'admin-drain-primary'").fetchone()[0]
        self.assertEqual(n, 5)
        run = ctl("undrain", primary)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn(f"{primary} undrained (primary)", run.stdout)

    # --- pause ---------------------------------------------------------------------------

    def test_09_pause_waits_for_running_transactions_and_holds_new_ones(self):
        with connect(application_name="pause-running") as running, connect(application_name="pause-later") as later:
            later.execute("SELECT 1")
            running.execute("BEGIN")
            running.execute("INSERT INTO writes (client, seq) VALUES ('admin-pause', 1)")
            pause = subprocess.Popen([e2e_common.proxyctl_binary(), "pause", "--timeout", "30s", "--admin", ADMIN_URL],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                wait_until(lambda: api("/status")["paused"]["all"], 5, what="paused")
                time.sleep(0.5)
                self.assertIsNone(pause.poll(), "pause returned while a transaction was still running")
                held = InBackground(lambda: later.execute("SELECT 42").fetchone()[0])
                self.assertFalse(held.wait(1.5), f"a transaction started after pause ran: {held.result} {held.error}")
                self.assertEqual(client_by_app("pause-later")["state"], "paused")
                self.assertIn("paused:    everything", ctl("status").stdout)
                # The transaction that was running goes on to its end.
                running.execute("INSERT INTO writes (client, seq) VALUES ('admin-pause', 2)")
                running.execute("COMMIT")
                out, err = pause.communicate(timeout=20)
                self.assertEqual(pause.returncode, 0, out + err)
                self.assertIn("paused all databases: no server connection in use", out)
                self.assertFalse(held.wait(1.0), "resume was not asked for, yet the held transaction ran")

                run = ctl("resume")
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertIn("resumed all databases", run.stdout)
                self.assertTrue(held.wait(10), "the held transaction did not run after resume")
                self.assertIsNone(held.error)
                self.assertEqual(held.result, 42)
            finally:
                if pause.poll() is None:
                    pause.kill()
                    pause.communicate()
                post("/resume")
            n = running.execute("SELECT count(*) FROM writes WHERE client = 'admin-pause'").fetchone()[0]
            self.assertEqual(n, 2)
        self.assertEqual(api("/status")["paused"], {"all": False, "databases": []})

        # --json, and a pause that cannot complete in its timeout: 200 complete=false, still in force.
        with connect(application_name="pause-blocker") as blocker:
            blocker.execute("BEGIN")
            blocker.execute("SELECT 1")
            started = time.monotonic()
            run = ctl("pause", "--timeout", "1s", "--json")
            self.assertEqual(run.returncode, 1, run.stderr)  # not complete: scripts must not go on
            self.assertGreaterEqual(time.monotonic() - started, 0.9)
            answer = json.loads(run.stdout)
            self.assertEqual((answer["paused"], answer["complete"], answer["database"]), (True, False, None))
            self.assertGreaterEqual(answer["servers_active"], 1)
            self.assertIn("not complete", run.stderr)
            self.assertTrue(api("/status")["paused"]["all"])
            blocker.execute("COMMIT")
            run = ctl("resume", "--json")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(json.loads(run.stdout), {"paused": False, "database": None})
            self.assertEqual(blocker.execute("SELECT 3").fetchone()[0], 3)

    def test_10_pausing_one_database_leaves_the_others_running(self):
        with connect(application_name="db-paused") as paused_conn, \
                connect(dbname="otherdb", application_name="db-other") as other_conn:
            paused_conn.execute("SELECT 1")
            other_conn.execute("SELECT 1")
            run = ctl("pause", "appdb", "--timeout", "10s")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("paused database appdb", run.stdout)
            try:
                self.assertEqual(api("/status")["paused"], {"all": False, "databases": ["appdb"]})
                self.assertIn("paused:    appdb", ctl("status").stdout)
                held = InBackground(lambda: paused_conn.execute("SELECT 'appdb'").fetchone()[0])
                started = time.monotonic()
                for _ in range(5):
                    self.assertEqual(other_conn.execute("SELECT 'otherdb'").fetchone()[0], "otherdb")
                with connect(dbname="otherdb") as fresh:
                    fresh.execute("SELECT 1")
                self.assertLess(time.monotonic() - started, 3)
                self.assertFalse(held.wait(1.0), "appdb ran while paused")
                run = ctl("resume", "appdb", "--json")
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertEqual(json.loads(run.stdout), {"paused": False, "database": "appdb"})
                self.assertTrue(held.wait(10))
                self.assertEqual(held.result, "appdb")
            finally:
                post("/resume", {"database": "appdb"})
        run = ctl("resume", "appdb")
        self.assertEqual(run.returncode, 1)
        self.assertIn("409", run.stderr)

    # --- kill-client ---------------------------------------------------------------------

    def test_11_kill_client_closes_exactly_that_client(self):
        names = ("kill-victim", "kill-bystander-1", "kill-bystander-2")
        conns = {name: connect(application_name=name) for name in names}
        try:
            for c in conns.values():
                c.execute("SELECT 1")
            victim = client_by_app("kill-victim")["id"]
            before = {c["id"] for c in api("/clients")["clients"]}
            run = ctl("kill-client", str(victim))
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stdout.strip(), f"client {victim} killed")
            with self.assertRaises(psycopg.OperationalError) as caught:
                conns["kill-victim"].execute("SELECT 1")
            print(f"the killed client's error: {caught.exception!r} sqlstate={caught.exception.sqlstate}",
                  file=sys.stderr)
            for name in names[1:]:
                self.assertEqual(conns[name].execute("SELECT 7").fetchone()[0], 7)
            after = {c["id"] for c in api("/clients")["clients"]}
            self.assertEqual(before - after, {victim})
            run = ctl("kill-client", str(victim), "--json")
            self.assertEqual(run.returncode, 1)
            self.assertEqual(json.loads(run.stdout)["status"], 404)
            bystander = client_by_app("kill-bystander-1")["id"]
            run = ctl("--json", "kill-client", str(bystander))
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(json.loads(run.stdout), {"killed": bystander})
            with self.assertRaises(psycopg.OperationalError):
                conns["kill-bystander-1"].execute("SELECT 1")
            self.assertEqual(conns["kill-bystander-2"].execute("SELECT 8").fetchone()[0], 8)
        finally:
            for c in conns.values():
                c.close()

    # --- reload ------------------------------------------------------------------------

    def test_12_reload_broken_then_good(self):
        old_hash = api("/status")["config_hash"]
        good = PROXY.config_text
        broken = good.replace("  default_pool_size: ", "  default_pool_size: [").replace(
            "log: {level: info}", "log: {level: info")
        self.assertNotEqual(broken, good)
        try:
            PROXY.write_config(broken)
            run = ctl("reload")
            self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
            self.assertRegex(run.stderr, r"pgfront\.yaml:\d+:\d+: ")
            self.assertIn("keeps its running configuration", run.stderr)
            status, _, answer = post("/reload")
            self.assertEqual(status, 422)
            self.assertEqual(answer["reloaded"], False)
            self.assertTrue(answer["errors"])
            run = ctl("reload", "--json")
            self.assertEqual(run.returncode, 1)
            self.assertEqual(json.loads(run.stdout)["reloaded"], False)
            # Still serving, on the old configuration.
            with connect() as conn:
                self.assertEqual(conn.execute("SELECT 5").fetchone()[0], 5)
            self.assertEqual(api("/status")["config_hash"], old_hash)
            self.assertTrue(PROXY.running())
        finally:
            PROXY.write_config(good)

        PROXY.write_config(proxy_config(pool_size=POOL_SIZE + 3))
        run = ctl("reload")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        match = re.search(r"reloaded: config hash (\S+)", run.stdout)
        self.assertTrue(match, run.stdout)
        new_hash = match.group(1)
        self.assertNotEqual(new_hash, old_hash)
        self.assertEqual(api("/status")["config_hash"], new_hash)
        self.assertIn(new_hash, ctl("status").stdout)
        # Again with --json: same file, same hash, nothing needing a restart.
        answer = ctl_json("reload")
        self.assertEqual((answer["reloaded"], answer["config_hash"], answer["restart_required"]),
                         (True, new_hash, []))
        with connect() as conn:
            self.assertEqual(conn.execute("SELECT 6").fetchone()[0], 6)

    # --- metrics ---------------------------------------------------------------------------

    def test_13_metrics_parse_and_pool_counters_move(self):
        primary = CLUSTER.primary().name
        labels = dict(role="primary", node=primary, database="appdb", user="app")
        with connect() as conn:
            conn.execute("SELECT 1")
        text, before, types = scrape()
        for name, kind in (("pgfront_pool_transactions_total", "counter"), ("pgfront_pool_queries_total", "counter"),
                           ("pgfront_pool_bytes_received_total", "counter"),
                           ("pgfront_pool_bytes_sent_total", "counter"), ("pgfront_pool_wait_seconds", "histogram"),
                           ("pgfront_pool_transaction_duration_seconds", "histogram")):
            family = name[:-len("_total")] if kind == "counter" and name not in types else name
            self.assertEqual(types.get(family), kind, f"{name}: {types.get(family)}")
        if os.path.exists(PROMTOOL):
            check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True,
                                   timeout=30)
            # promtool's lint findings (naming advice) are printed but only a parse error fails.
            self.assertNotIn("error while linting", check.stdout + check.stderr, check.stdout + check.stderr)
            self.assertNotRegex(check.stdout + check.stderr, r"(?i)text format parsing error",
                                check.stdout + check.stderr)
            print(f"promtool check metrics: exit {check.returncode} {(check.stdout + check.stderr)[:1500]}",
                  file=sys.stderr)
        else:
            print("promtool not installed: only the test's own parser checked /metrics", file=sys.stderr)

        transactions = 40
        with connect() as conn:
            for i in range(transactions):
                with conn.transaction():
                    conn.execute("SELECT %s::text", (f"payload-{i}",))
                    conn.execute("SELECT 2")
        _, after, _ = scrape()

        def delta(name):
            return series(after, name, **labels) - series(before, name, **labels)

        self.assertGreaterEqual(delta("pgfront_pool_transactions_total"), transactions)
        self.assertGreaterEqual(delta("pgfront_pool_queries_total"), 3 * transactions)  # BEGIN, 2 SELECTs, COMMIT
        self.assertGreater(delta("pgfront_pool_bytes_received_total"), 40 * transactions)
        self.assertGreater(delta("pgfront_pool_bytes_sent_total"), 40 * transactions)
        self.assertGreaterEqual(delta("pgfront_pool_wait_seconds_count"), transactions)
        self.assertGreaterEqual(delta("pgfront_pool_transaction_duration_seconds_count"), transactions)
        self.assertGreater(delta("pgfront_pool_transaction_duration_seconds_sum"), 0)
        # The JSON view counts the same traffic.
        pool = next(p for p in api("/pools")["pools"]
                    if (p["role"], p["node"], p["database"], p["user"]) == ("primary", primary, "appdb", "app"))
        self.assertGreaterEqual(pool["transactions"], series(after, "pgfront_pool_transactions_total", **labels))

        # A label value that needs escaping: an application_name is not a label, but a
        # database name is: one with a quote and a backslash.
        CLUSTER.sql(CLUSTER.primary(), 'CREATE DATABASE "we\\ird""db" OWNER app')
        with connect(dbname='we\\ird"db') as conn:
            conn.execute("SELECT 1")
        _, samples, _ = scrape()
        self.assertGreaterEqual(series(samples, "pgfront_pool_transactions_total", database='we\\ird"db'), 1)

    # --- fuzz ------------------------------------------------------------------------------

    def test_14_fuzzing_the_admin_port_leaves_pgfront_serving(self):
        rng = random.Random(20261122)
        deadline = time.monotonic() + 30
        outcomes = {"closed": 0}
        lock = threading.Lock()

        def record(reply):
            m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
            key = int(m.group(1)) if m else ("closed" if not reply else "garbage")
            with lock:
                outcomes[key] = outcomes.get(key, 0) + 1

        def send(payload, linger=0.0):
            """Sends payload and reads one reply for at most a second. No half-close: cpp-httplib
            answers nothing to a client that shut its sending side."""
            try:
                with socket.create_connection(("127.0.0.1", ADMIN_PORT), timeout=3) as s:
                    try:
                        s.sendall(payload)
                        if linger:
                            time.sleep(linger)  # slowloris: a partial request, then nothing
                    except OSError:
                        pass
                    record(read_reply(s, 1.0))
            except OSError:
                record(b"")

        known = ["/status", "/nodes", "/nodes/node1", "/pools", "/clients", "/servers", "/vip", "/metrics",
                 "/nodes/node1/drain", "/pause", "/resume", "/reload", "/clients/1/kill"]

        def random_path():
            kind = rng.randrange(6)
            if kind == 0:
                return "/" + "".join(chr(rng.randrange(33, 127)) for _ in range(rng.randrange(0, 40)))
            if kind == 1:
                return "/" + "a" * rng.randrange(1000, 20000)
            if kind == 2:
                return rng.choice(known) + rng.choice(["/..", "%00", "?x=%zz", "//", "#frag", "/%2e%2e/", "?" + "q" * 500])
            if kind == 3:
                return "".join(chr(rng.randrange(0x80, 0x3000)) for _ in range(10))
            if kind == 4:
                return "*"
            return rng.choice(known)

        def garbage():
            kind = rng.randrange(12)
            if kind == 0:
                return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
            if kind == 1:
                return rng.choice([b"GET\r\n\r\n", b"\r\n\r\n", b"GET /status\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                                   b"G ET /status HTTP/1.1\r\n\r\n", b"GET /status HTTP/1.1\n\n",
                                   b"GET /status HTTP/1.1\r\nHost\r\n\r\n", b" / HTTP/1.1\r\n\r\n",
                                   b"GET /status HTTP/1.1\r\n: empty-name\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00",
                                   b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"])
            if kind == 2:  # one huge header
                return (b"GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * rng.choice([9000, 70000, 300000]) +
                        b"\r\n\r\n")
            if kind == 3:  # very many headers
                return b"GET /status HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(rng.choice([200, 3000])))\
                    + b"\r\n"
            if kind == 4:  # invalid Content-Length
                cl = rng.choice([b"-1", b"abc", b"99999999999999999999999", b"1, 2", b"0x10", b"", b" 5 5",
                                 b"18446744073709551616"])
                return b"POST /pause HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl + b"\r\n\r\n{}"
            if kind == 5:  # truncated body
                return b"POST /reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\": "
            if kind == 6:  # conflicting lengths, bad chunking
                return rng.choice([
                    b"POST /pause HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}",
                    b"POST /pause HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                    b"POST /pause HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n{}",
                    b"POST /pause HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{x\r\n0\r\n\r\n"])
            if kind == 7:  # random method and path
                method = rng.choice([b"GET", b"HEAD", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE", b"CONNECT",
                                     b"FOO", b"get", bytes(rng.randrange(65, 91) for _ in range(rng.randrange(1, 20)))])
                return method + b" " + random_path().encode("utf-8", "replace") + b" HTTP/1.1\r\nHost: x\r\n\r\n"
            if kind == 8:  # an action path with a body that is not JSON: refused before acting
                body = rng.choice([b"{", b"{\"database\": ", b"\xff\xfe", b"nul", b"{\"a\":1}}", b"[" * 5000])
                path = rng.choice(["/pause", "/resume", "/reload", "/nodes/node1/drain", "/clients/1/kill"])
                return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            if kind == 9:  # a body far over the limit
                return b"POST /pause HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + b"{" * 100000
            if kind == 10:  # keep-alive: good request then garbage on the same connection
                return b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(rng.randrange(256) for _ in range(200))
            return b"GET " + random_path().encode("utf-8", "replace") + b" HTTP/1.1\r\nHost: x\r\n\r\n"

        # The pgfront's own state must not change: record what a stray action could touch.
        before_hash = api("/status")["config_hash"]
        requests = [garbage() for _ in range(300)]
        sent = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            slow = [pool.submit(send, b"GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ", 1.0) for _ in range(4)]
            futures = []
            for payload in requests:
                if time.monotonic() > deadline:
                    break
                futures.append(pool.submit(send, payload))
                sent += 1
            for f in futures + slow:
                f.result(timeout=max(1, deadline + 15 - time.monotonic()))
        print(f"admin fuzz: {sent} malformed requests + 4 slow ones; replies by status: {outcomes}", file=sys.stderr)
        self.assertEqual(sent, 300)

        self.assertTrue(PROXY.running(), "pgfront died under the admin fuzz")
        self.assertNotIn(500, outcomes, "a malformed request made a handler fail (HTTP 500)")
        status = api("/status")
        nodes = api("/nodes")["nodes"]
        # Undo what malformed requests must not have done, so the serving check below is fair.
        post("/resume")
        for node in nodes:
            post(f"/nodes/{node['name']}/undrain")
        with connect() as conn:
            self.assertEqual(conn.execute("SELECT 9").fetchone()[0], 9)
        self.assertEqual(ctl("status").returncode, 0)
        changed = []
        if status["config_hash"] != before_hash:
            changed.append("config reloaded")
        if status["paused"] != {"all": False, "databases": []}:
            changed.append(f"paused: {status['paused']}")
        changed += [f"{n['name']} drained" for n in nodes if n["drained"]]
        self.assertEqual(changed, [], "malformed requests changed pgfront's state (see test_15)")

    def test_15_invalid_content_length_or_framing_is_refused_not_acted_on(self):
        """RFC 9110 8.6 / 9112 6.3: a Content-Length that is not one decimal number (or several
        that differ) makes the message invalid: 400 (or a closed connection), never the action."""
        acted = []
        for value in (b"abc", b"0x10", b"", b"-1", b" 5 5", b"1, 2", b"99999999999999999999999",
                      b"18446744073709551616", b"2\r\nContent-Length: 9"):
            with socket.create_connection(("127.0.0.1", ADMIN_PORT), timeout=3) as s:
                s.sendall(b"POST /pause HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + value +
                          b"\r\n\r\n{}")
                reply = read_reply(s, 2.0)
            status_line = reply.split(b"\r\n")[0].decode("latin-1")
            paused = api("/status")["paused"]["all"]
            if paused:
                post("/resume")
            # Closing without a reply is tolerated (cpp-httplib does so for some of these);
            # answering 2xx, or acting, is not.
            if paused or (status_line and not re.match(r"HTTP/1\.[01] (400|411|413) ", status_line)):
                acted.append(f"Content-Length: {value!r} -> {status_line or 'no reply'}, paused={paused}")
        self.assertEqual(acted, [], "invalid Content-Length accepted:\n" + "\n".join(acted))


if __name__ == "__main__":
    e2e_common.main()
