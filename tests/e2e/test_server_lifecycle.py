#!/usr/bin/python3
"""The life of a pooled server connection, through a real pgfront against a real Patroni
cluster: server_lifetime (replaced between transactions, never inside one; idle ones closed
too), server_idle_timeout down to min_pool_size, the reserve pool (opened only after
reserve_pool_timeout, given back when the burst ends), server_connect_timeout against a
server that accepts and never answers (stall_gate.py), server_login_retry spacing the
logins PostgreSQL refuses, and a server that died while idle never lent. Server connections
are counted in pg_stat_activity, refused logins in PostgreSQL's own log. Each test starts its
own pgfront; one cluster serves the module."""
import os
import tempfile
import threading
import time
import unittest

import psycopg

import e2e_common
from e2e_common import wait_until
from stall_gate import StallGate

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None
WORKDIR = None
USERLIST = None
USERS = ("app", "badlogin")


def setUpModule():
    global CLUSTER, WORKDIR, USERLIST
    CLUSTER = Cluster(nodes=1, scope="serverlife", max_connections=100)
    CLUSTER.start()
    primary = CLUSTER.primary()
    # pgfront holds a password for badlogin that PostgreSQL does not accept: every server
    # login of that user is refused with 28P01.
    CLUSTER.sql(primary, "CREATE ROLE badlogin LOGIN PASSWORD 'serverpass'")
    secret = CLUSTER.sql(primary, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-server-lifecycle-")
    USERLIST = os.path.join(WORKDIR.name, "userlist.txt")
    with open(USERLIST, "w") as f:
        f.write(f'"app" "{secret}"\n"badlogin" "clientpass"\n')


def tearDownModule():
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def proxy_yaml(port, pool="", listen="", pg_port=None):
    """A pgfront config in transaction mode; `pool` is extra YAML lines (indented by two
    spaces) for that section, `listen` extra flow-style keys; pg_port replaces the node's
    PostgreSQL port (to put a StallGate in between). A `pool` line replaces the default
    query_wait_timeout rather than repeating it (a key given twice is an error)."""
    cluster = CLUSTER.pgfront_cluster_yaml()
    wait = "" if "  query_wait_timeout:" in pool else "  query_wait_timeout: 30s\n"
    if pg_port is not None:
        real = CLUSTER.primary().pg_port
        cluster = cluster.replace(f"port: {real},", f"port: {pg_port},")
    return cluster + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 10s{listen}}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool:
  mode: transaction
{wait}{pool}
auth:
  type: scram-sha-256
  auth_file: "{USERLIST}"
log: {{level: debug}}
"""


def connect(port, user="app", password="apppass"):
    return psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user=user, password=password,
                           connect_timeout=20, autocommit=True, prepare_threshold=None)


def server_pids(users=("app",)):
    """Backend pids of pgfront's server connections of these users to appdb."""
    rows = CLUSTER.sql(CLUSTER.primary(),
                       "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
                       " AND usename = ANY(%s) AND datname = 'appdb' AND pid <> pg_backend_pid()",
                       (list(users),))
    return {r[0] for r in rows}


def refused_logins(user):
    """How many logins of `user` PostgreSQL has refused for a wrong password, from its log."""
    path = os.path.join(CLUSTER.primary().pg_log_dir, "postgresql.log")
    with open(path, errors="replace") as f:
        return f.read().count(f'password authentication failed for user "{user}"')


def backend_pid(conn):
    return conn.execute("SELECT pg_backend_pid()").fetchone()[0]


class ServerLifecycle(unittest.TestCase):
    def setUp(self):
        self.proxy = None
        self.gate = None
        wait_until(lambda: not server_pids(USERS), 20, what="no pgfront server connections left over")

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if self.proxy and result and any(test is self for test, _ in result.failures + result.errors):
            print(self.proxy.log_text()[-6000:])
        if self.proxy:
            self.proxy.close()
        if self.gate:
            self.gate.close()

    def start(self, **kw):
        port = free_port()
        self.proxy = PgFront(e2e_common.pgfront_binary(), proxy_yaml(port, **kw))
        self.proxy.start()
        self.proxy.wait_listening(port, timeout=10)
        return port

    def test_01_server_lifetime_replaces_a_server_between_transactions_never_inside_one(self):
        port = self.start(pool="  default_pool_size: 1\n  server_lifetime: 1s")
        with connect(port) as conn:
            first = backend_pid(conn)
            self.assertEqual(backend_pid(conn), first, "a young server is reused")
            time.sleep(0.3)
            with conn.transaction():
                inside = backend_pid(conn)
                conn.execute("SELECT pg_sleep(1.2)")  # the server passes its lifetime in here
                self.assertEqual(backend_pid(conn), inside, "a transaction keeps its server past server_lifetime")
            self.assertEqual(inside, first)
            wait_until(lambda: first not in server_pids(), 5, what="the old server closed when it was given back")
            second = backend_pid(conn)
            self.assertNotEqual(second, first)
            # Idle servers past their lifetime are closed too, with no client traffic.
            started = time.monotonic()
            wait_until(lambda: second not in server_pids(), 5, what="the idle server closed at its lifetime")
            self.assertLess(time.monotonic() - started, 2.5)
            self.assertNotEqual(backend_pid(conn), second)

    def test_02_server_idle_timeout_closes_idle_servers_down_to_min_pool_size(self):
        port = self.start(pool="  default_pool_size: 10\n  min_pool_size: 2\n  server_idle_timeout: 1s")
        conns = [connect(port) for _ in range(8)]
        try:
            for c in conns:  # eight transactions at once: eight servers
                c.execute("BEGIN")
                c.execute("SELECT 1")
            self.assertEqual(len(server_pids()), 8)
            # All given back at once, so their idle deadlines fall within microseconds: the
            # tick for the first must not lose the ones that pass while it runs (it did, and
            # the pool stayed above min_pool_size for good).
            go = threading.Barrier(len(conns))

            def commit(conn):
                go.wait(10)
                conn.execute("COMMIT")
            committers = [threading.Thread(target=commit, args=(c,)) for c in conns]
            for t in committers:
                t.start()
            for t in committers:
                t.join(20)
            idle_from = time.monotonic()
            wait_until(lambda: len(server_pids()) == 2, 6, what="idle servers closed down to min_pool_size")
            self.assertGreater(time.monotonic() - idle_from, 0.8, "closed before server_idle_timeout")
            kept = server_pids()
            time.sleep(2.5)  # more than server_idle_timeout again: min_pool_size keeps these two
            self.assertEqual(server_pids(), kept)
        finally:
            for c in conns:
                c.close()

    def test_03_reserve_pool_opens_after_reserve_pool_timeout_and_is_given_back_after_the_burst(self):
        port = self.start(pool="  default_pool_size: 2\n  reserve_pool_size: 2\n  reserve_pool_timeout: 500ms")
        clients = 4
        conns = [connect(port) for _ in range(clients)]
        starts, errors = [], []
        go = threading.Barrier(clients)

        def work(conn):
            try:
                go.wait(10)
                row = conn.execute("SELECT extract(epoch FROM clock_timestamp())::float8, pg_sleep(1.5)").fetchone()
                starts.append(row[0])
            except Exception as e:  # reported below
                errors.append(repr(e))

        peak = 0
        threads = [threading.Thread(target=work, args=(c,)) for c in conns]
        try:
            for t in threads:
                t.start()
            deadline = time.monotonic() + 20
            while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
                peak = max(peak, len(server_pids()))
                time.sleep(0.05)
            for t in threads:
                t.join(10)
        finally:
            for c in conns:
                c.close()
        self.assertEqual(errors, [])
        self.assertEqual(peak, 4, "two pool servers and two reserve servers")
        starts.sort()
        first = starts[0]
        self.assertLess(starts[1] - first, 0.4, "two clients are served by the pool at once")
        # The other two waited reserve_pool_timeout, not for a pool server (free after 1.5 s).
        for late in starts[2:]:
            self.assertGreaterEqual(late - first, 0.45)
            self.assertLess(late - first, 1.3)
        wait_until(lambda: len(server_pids()) <= 2, 5, what="the reserve servers given back after the burst")

    def test_04_server_connect_timeout_closes_a_server_that_never_answers_and_the_pool_recovers(self):
        self.gate = StallGate(CLUSTER.primary().pg_port)
        self.gate.stall()
        port = self.start(pg_port=self.gate.port, listen=", server_connect_timeout: 1s",
                          pool="  default_pool_size: 2\n  server_login_retry: 200ms\n  query_wait_timeout: 3500ms")
        # The pool's first client needs a server login (for the server's ParameterStatus).
        started = time.monotonic()
        refusal = e2e_common.scram_login(port, "app", "apppass", timeout=15)
        waited = time.monotonic() - started
        self.assertEqual((refusal or {}).get("C"), "57014", refusal)
        self.assertGreater(waited, 3.0)
        self.assertLess(waited, 8.0)
        lifetimes = wait_until(lambda: self.gate.stalled_lifetimes() or None, 5, what="stalled logins given up")
        # Each stalled login was given up at server_connect_timeout, and tried again.
        self.assertGreaterEqual(len(self.gate.stalled), 2)
        for held in lifetimes:
            self.assertGreater(held, 0.8)
            self.assertLess(held, 2.0)
        self.gate.relay()
        with connect(port) as conn:
            self.assertEqual(conn.execute("SELECT 2").fetchone()[0], 2)

    def test_05_server_login_retry_spaces_the_logins_postgresql_refuses(self):
        port = self.start(pool="  server_login_retry: 2s")
        before = refused_logins("badlogin")

        def attempt():
            """(SQLSTATE or None, seconds) of one client's login as badlogin: the pool's first
            client waits for a server login."""
            started = time.monotonic()
            refusal = e2e_common.scram_login(port, "badlogin", "clientpass", timeout=15)
            return (refusal or {}).get("C"), time.monotonic() - started

        state, took = attempt()
        self.assertEqual(state, "28P01")
        self.assertLess(took, 1.5, "the first refusal is answered at once")
        wait_until(lambda: refused_logins("badlogin") == before + 1, 5, what="PostgreSQL logged the refusal")
        # A client right after waits for server_login_retry, then gets a fresh attempt's answer.
        state, took = attempt()
        self.assertEqual(state, "28P01")
        self.assertGreater(took, 1.2)
        self.assertLess(took, 4.0)
        wait_until(lambda: refused_logins("badlogin") == before + 2, 5, what="the second refusal logged")
        time.sleep(0.5)
        self.assertEqual(refused_logins("badlogin"), before + 2, "no logins tried in between")
        # Once PostgreSQL accepts the password, the next attempt after the retry delay logs in.
        CLUSTER.sql(CLUSTER.primary(), "ALTER ROLE badlogin PASSWORD 'clientpass'")
        try:
            time.sleep(2.2)
            state, _ = attempt()
            self.assertIsNone(state)
        finally:
            CLUSTER.sql(CLUSTER.primary(), "ALTER ROLE badlogin PASSWORD 'serverpass'")


    def test_06_a_server_that_died_while_idle_is_not_lent(self):
        # PostgreSQL ends an idle backend with a FATAL and a close; pgfront's lease check sees
        # the bytes waiting on the idle connection, closes it and lends the client a fresh
        # server, so the client's next transaction runs instead of failing.
        port = self.start(pool="  default_pool_size: 1")
        with connect(port) as conn:
            first = backend_pid(conn)
            CLUSTER.sql(CLUSTER.primary(), "SELECT pg_terminate_backend(%s)", (first,))
            wait_until(lambda: first not in server_pids(), 5, what="the backend ended")
            time.sleep(0.1)  # longer than the lease check's 20 ms of trust in a just-used server
            second = backend_pid(conn)
            self.assertNotEqual(second, first)
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

if __name__ == "__main__":
    e2e_common.main()
