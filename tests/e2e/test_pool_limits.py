#!/usr/bin/python3
"""Pool limits and access rules through a real pgfront against a real Patroni cluster: 1,000
concurrent psycopg clients on a pool of 20, max_db_connections and max_user_connections
across pools (waiters are served when room frees), client_idle_timeout and
idle_transaction_timeout (PostgreSQL's SQLSTATEs, only the idle clients closed, a dirty
server closed too), server_check_query, the auth.hba allow list by CIDR/user/database,
trust users, per-database pool modes, min_pool_size (also after a reload), query_wait_timeout,
a client asking for protocol 3.2 (NegotiateProtocolVersion), max_packet_size both ways, and a
login welcomed at once while every server is busy (transaction and session mode), max_client_conn
across workers, server logins by MD5, cleartext password and trust, and a trust client that
leaves its pool the credentials it had. Each test starts its own pgfront; one cluster serves
the module."""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import psycopg

import e2e_common
from e2e_common import start_thread, wait_until

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None
WORKDIR = None
USERLIST = None
SERVER_METHODS = (("md5user", "md5"), ("md5hashuser", "md5"), ("cleartextuser", "password"), ("trustuser", "trust"))


def md5_secret(user, password):
    return "md5" + hashlib.md5((password + user).encode()).hexdigest()


def setUpModule():
    global CLUSTER, WORKDIR, USERLIST
    # Roles the server itself logs in with MD5, a cleartext password or trust (the harness's
    # own rule for everyone else is SCRAM): pgfront's server logins speak each method.
    CLUSTER = Cluster(nodes=1, scope="poollimits", max_connections=200,
                      pg_hba_extra=[f"host all {role} 127.0.0.1/32 {method}" for role, method in SERVER_METHODS])
    CLUSTER.start()
    primary = CLUSTER.primary()
    for role, password in (("plainuser", "plainpass"), ("other", "otherpass"), ("trustee", "trusteepass")):
        CLUSTER.sql(primary, f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    for role, _ in SERVER_METHODS:
        # Stored as an MD5 hash (PostgreSQL keeps a password given as one): the md5 method
        # needs it so, and the others do not mind.
        CLUSTER.sql(primary, f"CREATE ROLE {role} LOGIN PASSWORD '{md5_secret(role, role + 'pass')}'")
    CLUSTER.sql(primary, "CREATE TABLE check_log (at timestamptz DEFAULT clock_timestamp())", dbname="appdb")
    CLUSTER.sql(primary, "GRANT INSERT, SELECT ON check_log TO app", dbname="appdb")
    CLUSTER.sql(primary, "CREATE TABLE idle_log (at timestamptz DEFAULT clock_timestamp())", dbname="appdb")
    CLUSTER.sql(primary, "GRANT INSERT, SELECT ON idle_log TO app, trustee", dbname="appdb")
    CLUSTER.sql(primary, "CREATE FUNCTION pgfront_check() RETURNS int LANGUAGE sql AS "
                         "'INSERT INTO check_log DEFAULT VALUES; SELECT 1'", dbname="appdb")
    secret = CLUSTER.sql(primary, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-pool-limits-")
    USERLIST = os.path.join(WORKDIR.name, "userlist.txt")
    with open(USERLIST, "w") as f:
        # trustee logs in to pgfront without a password (auth.trust_users); pgfront still needs
        # its password for the server login.
        f.write(f'"app" "{secret}"\n"plainuser" "plainpass"\n"other" "otherpass"\n"trustee" "trusteepass"\n')
        # For the server-side methods: plaintext, but md5hashuser's entry is the MD5 hash.
        for role, _ in SERVER_METHODS:
            entry = md5_secret(role, role + "pass") if role == "md5hashuser" else role + "pass"
            f.write(f'"{role}" "{entry}"\n')


def tearDownModule():
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def proxy_yaml(port, pool="", auth=""):
    """A pgfront config in transaction mode; `pool` and `auth` are extra YAML lines (indented
    by two spaces) for those sections, which replace the defaults below (a key given twice
    is an error)."""
    given = {line.split(":")[0].strip() for line in pool.splitlines() if re.match(r"  \w", line)}
    defaults = "".join(f"  {key}: {value}\n" for key, value in (("max_client_conn", "3000"), ("query_wait_timeout", "60s"))
                       if key not in given)
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 10s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool:
  mode: transaction
{defaults}{pool}
auth:
  type: scram-sha-256
  auth_file: "{USERLIST}"
  trust_users: [trustee]
{auth}
log: {{level: debug}}
"""


def connect(port, user="app", password="apppass", dbname="appdb", **kw):
    params = dict(host="127.0.0.1", port=port, dbname=dbname, user=user, password=password, connect_timeout=20,
                  autocommit=True, prepare_threshold=None)
    params.update(kw)
    return psycopg.connect(**params)


def backends(users=("app",), databases=("appdb",)):
    """Server connections of these users to these databases (pgfront's, not the harness's)."""
    rows = CLUSTER.sql(CLUSTER.primary(),
                       "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                       " AND usename = ANY(%s) AND datname = ANY(%s) AND pid <> pg_backend_pid()",
                       (list(users), list(databases)))
    return rows[0][0]


class PeakSampler:
    """Samples backends(...) every 20 ms in a thread; `peak` is the highest count seen."""

    def __init__(self, users, databases):
        self.users, self.databases = users, databases
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        conninfo = psycopg.conninfo.make_conninfo(host="127.0.0.1", port=CLUSTER.primary().pg_port,
                                                  dbname="postgres", user="postgres", password="pgsuper")
        with psycopg.connect(conninfo, autocommit=True) as conn:
            while not self._stop.is_set():
                n = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                                 " AND usename = ANY(%s) AND datname = ANY(%s) AND pid <> pg_backend_pid()",
                                 (list(self.users), list(self.databases))).fetchone()[0]
                self.peak = max(self.peak, n)
                self.samples += 1
                time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


class RawClient:
    """The v3 protocol by hand, for what drivers hide: SQLSTATEs of login refusals and of
    asynchronous FATALs, the authentication method asked for, NegotiateProtocolVersion, and a
    chosen source address (to test CIDR rules from 127.0.0.x)."""

    def __init__(self, port, source=None, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.auth_codes = []
        self.negotiate = None  # (newest minor, [unrecognized options]) from a 'v' message

    def close(self):
        self.sock.close()

    def send(self, kind, body):
        self.sock.sendall(kind + struct.pack("!I", len(body) + 4) + body)

    def read(self):
        header = self._exactly(5)
        return header[0:1], self._exactly(struct.unpack("!I", header[1:5])[0] - 4)

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by pgfront")
            data += chunk
        return data

    @staticmethod
    def fields(body):
        return {chr(p[0]): p[1:].decode() for p in body.split(b"\0") if p}

    def login(self, user, password=None, dbname="appdb", version=196608, options=()):
        """None when logged in (ReadyForQuery seen), else the ErrorResponse's fields."""
        params = b"user\0" + user.encode() + b"\0database\0" + dbname.encode() + b"\0"
        for name, value in options:
            params += name.encode() + b"\0" + value.encode() + b"\0"
        params += b"\0"
        self.sock.sendall(struct.pack("!II", len(params) + 8, version) + params)
        first_bare = nonce = None
        while True:
            kind, body = self.read()
            if kind == b"E":
                return self.fields(body)
            if kind == b"Z":
                return None
            if kind == b"v":
                minor, count = struct.unpack("!Ii", body[:8])
                self.negotiate = (minor, [o.decode() for o in body[8:].split(b"\0")[:count]])
                continue
            if kind != b"R":
                continue
            code = struct.unpack("!I", body[:4])[0]
            self.auth_codes.append(code)
            if code == 0:
                continue
            if password is None:
                return {"asked": code}
            if code == 3:
                self.send(b"p", password.encode() + b"\0")
            elif code == 5:
                inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                self.send(b"p", b"md5" + hashlib.md5(inner.encode() + body[4:8]).hexdigest().encode() + b"\0")
            elif code == 10:
                nonce = base64.b64encode(os.urandom(18)).decode()
                first_bare = f"n=,r={nonce}"
                initial = ("n,," + first_bare).encode()
                self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(initial)) + initial)
            elif code == 11:
                server_first = body[4:].decode()
                attrs = dict(part.split("=", 1) for part in server_first.split(","))
                salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                             int(attrs["i"]))
                client_key = hmac.new(salted, b"Client Key", "sha256").digest()
                final_bare = f"c=biws,r={attrs['r']}"
                auth_message = f"{first_bare},{server_first},{final_bare}".encode()
                signature = hmac.new(hashlib.sha256(client_key).digest(), auth_message, "sha256").digest()
                proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
                self.send(b"p", f"{final_bare},p={proof}".encode())

    def query(self, sql):
        """(rows as lists of text, ErrorResponse fields or None) of a simple query."""
        self.send(b"Q", sql.encode() + b"\0")
        rows, error = [], None
        while True:
            try:
                kind, body = self.read()
            except ConnectionError:
                if error and error.get("S") == "FATAL":
                    return rows, error  # a FATAL error ends the connection, no ReadyForQuery
                raise
            if kind == b"D":
                n = struct.unpack("!h", body[:2])[0]
                pos, row = 2, []
                for _ in range(n):
                    length = struct.unpack("!i", body[pos:pos + 4])[0]
                    pos += 4
                    row.append(None if length < 0 else body[pos:pos + length].decode())
                    pos += max(length, 0)
                rows.append(row)
            elif kind == b"E":
                error = self.fields(body)
            elif kind == b"Z":
                return rows, error

    def wait_error(self, timeout):
        """The fields of the next ErrorResponse pgfront sends unasked within timeout."""
        self.sock.settimeout(timeout)
        kind, body = self.read()
        return self.fields(body) if kind == b"E" else {"unexpected": kind}


class Limits(unittest.TestCase):
    def setUp(self):
        self.proxy = None
        # Servers of an earlier test's pgfront are gone before this one counts.
        roles = ("app", "other", "plainuser", "trustee") + tuple(role for role, _ in SERVER_METHODS)
        wait_until(lambda: backends(roles, ("appdb", "postgres")) == 0, 20,
                   what="no pgfront server connections left over")

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if self.proxy and result and any(test is self for test, _ in result.failures + result.errors):
            print(self.proxy.log_text()[-6000:])
        if self.proxy:
            self.proxy.close()

    def start(self, pool="", auth=""):
        port = free_port()
        self.proxy = PgFront(e2e_common.pgfront_binary(), proxy_yaml(port, pool, auth))
        self.proxy.start()
        self.proxy.wait_listening(port, timeout=10)
        return port

    def test_01_a_thousand_clients_share_a_pool_of_20(self):
        port = self.start(pool="  default_pool_size: 20")
        clients, transactions = 1000, 3

        async def client(n, conns):
            conn = await psycopg.AsyncConnection.connect(host="127.0.0.1", port=port, dbname="appdb", user="app",
                                                         password="apppass", connect_timeout=60, autocommit=True,
                                                         prepare_threshold=None)
            conns.append(conn)
            for i in range(transactions):
                async with conn.transaction():
                    await conn.execute("INSERT INTO writes(client, seq) VALUES (%s, %s)", (f"k-{n}", i))
                    await conn.execute("SELECT pg_sleep(0.005)")

        async def run_all():
            conns = []
            try:
                results = await asyncio.wait_for(
                    asyncio.gather(*(client(n, conns) for n in range(clients)), return_exceptions=True), 240)
            finally:
                for c in conns:
                    await c.close()
            return results, len(conns)

        with PeakSampler(("app",), ("appdb",)) as sampler:
            results, opened = asyncio.run(run_all())
        errors = [repr(r) for r in results if isinstance(r, Exception)]
        self.assertEqual(errors[:5], [])
        self.assertEqual(opened, clients)
        with connect(port) as conn:
            count = conn.execute("SELECT count(*) FROM writes WHERE client LIKE 'k-%'").fetchone()[0]
        self.assertEqual(count, clients * transactions)
        self.assertGreater(sampler.samples, 5)
        self.assertGreater(sampler.peak, 0)
        self.assertLessEqual(sampler.peak, 20)

    def run_clients(self, port, plan, statements=3, sleep=0.2):
        """One thread per (user, password, dbname) in plan, each running `statements`
        pg_sleep statements; returns the errors."""
        errors = []

        def work(user, password, dbname):
            try:
                with connect(port, user=user, password=password, dbname=dbname) as conn:
                    for _ in range(statements):
                        conn.execute("SELECT pg_sleep(%s)", (sleep,))
            except Exception as e:  # reported by the caller
                errors.append(f"{user}@{dbname}: {e!r}")

        threads = [threading.Thread(target=work, args=p) for p in plan]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        return errors

    def test_02_max_db_connections_holds_across_pools_and_waiters_are_served(self):
        # Two users, two pools of 5 each, but at most 3 server connections to appdb in all:
        # a waiter of one pool gets its turn when the other pool's server is given up.
        port = self.start(pool="  default_pool_size: 5\n  max_db_connections: 3")
        plan = [("app", "apppass", "appdb")] * 4 + [("other", "otherpass", "appdb")] * 4
        with PeakSampler(("app", "other"), ("appdb",)) as sampler:
            started = time.monotonic()
            errors = self.run_clients(port, plan)
            elapsed = time.monotonic() - started
        self.assertEqual(errors, [])
        self.assertLessEqual(sampler.peak, 3)
        self.assertGreaterEqual(sampler.peak, 2)
        # 24 statements of 0.2 s on 3 connections take at least 1.6 s.
        self.assertGreater(elapsed, 1.5)

    def test_03_max_user_connections_holds_across_databases(self):
        port = self.start(pool="  default_pool_size: 5\n  users: {app: {max_user_connections: 2}}")
        plan = [("app", "apppass", "appdb")] * 3 + [("app", "apppass", "postgres")] * 3 + \
               [("other", "otherpass", "appdb")] * 3
        with PeakSampler(("app",), ("appdb", "postgres")) as app_sampler, \
                PeakSampler(("other",), ("appdb",)) as other_sampler:
            errors = self.run_clients(port, plan)
        self.assertEqual(errors, [])
        self.assertLessEqual(app_sampler.peak, 2)
        self.assertGreater(other_sampler.peak, 2)  # another user is not held to app's limit

    def test_04_idle_clients_are_closed_with_postgres_sqlstates_and_the_others_are_left_alone(self):
        port = self.start(pool="  client_idle_timeout: 2s\n  idle_transaction_timeout: 1s")
        idle = RawClient(port)
        self.assertIsNone(idle.login("trustee"))
        in_transaction = RawClient(port)
        self.assertIsNone(in_transaction.login("trustee"))
        self.assertIsNone(in_transaction.query("BEGIN")[1])
        dirty_pid = in_transaction.query("INSERT INTO idle_log DEFAULT VALUES RETURNING pg_backend_pid()")
        self.assertIsNone(dirty_pid[1])
        dirty_pid = int(dirty_pid[0][0][0])
        busy = RawClient(port)
        self.assertIsNone(busy.login("trustee"))
        busy.send(b"Q", b"SELECT pg_sleep(3.5)\0")  # waiting for the server is not idle
        # Two clients that keep working all along, outside and inside a transaction, never
        # 1 s idle in the transaction nor 2 s outside.
        active_errors, active_rounds = [], []

        def keep_working():
            try:
                with connect(port) as active, connect(port, autocommit=False) as active_tx:
                    active_tx.execute("SELECT 1")
                    for _ in range(15):
                        assert active.execute("SELECT 1").fetchone()[0] == 1
                        assert active_tx.execute("SELECT 2").fetchone()[0] == 2
                        active_rounds.append(1)
                        time.sleep(0.3)
                    active_tx.commit()
            except Exception as e:  # reported below
                active_errors.append(repr(e))

        worker = threading.Thread(target=keep_working)
        worker.start()
        started = time.monotonic()
        error = in_transaction.wait_error(5)
        self.assertEqual(error.get("C"), "25P03", error)
        self.assertIn("idle_transaction_timeout", error.get("M", ""))
        self.assertGreaterEqual(time.monotonic() - started, 0.7)
        # Its server was inside a transaction: closed, never given to anyone else.
        wait_until(lambda: CLUSTER.sql(CLUSTER.primary(), "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                                       (dirty_pid,))[0][0] == 0, 10, what="the dirty server to be closed")
        error = idle.wait_error(5)
        self.assertEqual(error.get("C"), "57P05", error)
        self.assertIn("client_idle_timeout", error.get("M", ""))
        self.assertGreaterEqual(time.monotonic() - started, 1.5)

        worker.join(30)
        self.assertEqual(active_errors, [])
        self.assertEqual(len(active_rounds), 15)
        busy.sock.settimeout(5)
        kind, _ = busy.read()
        self.assertEqual(kind, b"T")  # the long query's answer, not an error
        for c in (idle, in_transaction, busy):
            c.close()
        with connect(port) as conn:  # the rolled-back insert of the closed client is gone
            self.assertEqual(conn.execute("SELECT count(*) FROM idle_log").fetchone()[0], 0)

    def test_04b_a_client_that_stops_before_its_batchs_sync_is_idle_in_a_transaction(self):
        # Parse/Bind/Execute without Sync: the server ran the INSERT inside the batch's own
        # transaction and waits for the rest. The client holds that server as an open BEGIN
        # would, so idle_transaction_timeout closes it, and its server with the insert.
        port = self.start(pool="  default_pool_size: 1\n  idle_transaction_timeout: 1s")
        count = "SELECT count(*) FROM idle_log"
        with connect(port) as conn:
            before = conn.execute(count).fetchone()[0]
        stopped = RawClient(port)
        self.assertIsNone(stopped.login("trustee"))
        stopped.send(b"P", b"\0INSERT INTO idle_log DEFAULT VALUES\0" + struct.pack("!h", 0))
        stopped.send(b"B", b"\0\0" + struct.pack("!hhh", 0, 0, 0))
        stopped.send(b"E", b"\0" + struct.pack("!i", 0))
        started = time.monotonic()
        # The Flush pgfront adds to a batch without Sync brings the replies so far, as the
        # client's own Flush would; then nothing more comes until the timeout.
        stopped.sock.settimeout(5)
        self.assertEqual([stopped.read()[0] for _ in range(3)], [b"1", b"2", b"C"])
        error = stopped.wait_error(5)
        self.assertEqual(error.get("C"), "25P03", error)
        self.assertIn("idle_transaction_timeout", error.get("M", ""))
        self.assertGreaterEqual(time.monotonic() - started, 0.7)
        stopped.close()
        with connect(port) as conn:  # the pool's one server is free again; the insert is gone
            self.assertEqual(conn.execute(count).fetchone()[0], before)

    def test_04c_a_client_that_stops_halfway_through_a_large_message_is_idle_in_a_transaction(self):
        # A Query too large to hold goes on in pieces, so its first part already holds a
        # server, which waits for the rest: idle_transaction_timeout ends the wait.
        port = self.start(pool="  default_pool_size: 1\n  idle_transaction_timeout: 1s")
        stopped = RawClient(port)
        self.assertIsNone(stopped.login("trustee"))
        stopped.sock.sendall(b"Q" + struct.pack("!I", 1_000_000) + b"SELECT '" + b"x" * 100_000)
        started = time.monotonic()
        error = stopped.wait_error(5)
        self.assertEqual(error.get("C"), "25P03", error)
        self.assertIn("idle_transaction_timeout", error.get("M", ""))
        self.assertGreaterEqual(time.monotonic() - started, 0.7)
        stopped.close()
        with connect(port) as conn:  # the pool's one server (or its replacement) serves others
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_05_server_check_query_runs_on_servers_idle_longer_than_the_delay(self):
        def checks():
            return CLUSTER.sql(CLUSTER.primary(), "SELECT count(*) FROM check_log", dbname="appdb")[0][0]

        port = self.start(pool='  default_pool_size: 1\n  server_check_query: "SELECT pgfront_check()"\n'
                               '  server_check_delay: 0s')
        before = checks()
        with connect(port) as conn:
            pids = {conn.execute("SELECT pg_backend_pid()").fetchone()[0] for _ in range(5)}
        self.assertEqual(len(pids), 1)
        self.assertGreaterEqual(checks() - before, 5)  # every reuse (delay 0), none on the fresh login

        # A longer delay: quick reuses go unchecked, a server idle past the delay is checked.
        self.proxy.write_config(self.proxy.config_text.replace("server_check_delay: 0s", "server_check_delay: 1500ms"))
        self.proxy.reload()
        wait_until(lambda: "configuration reloaded" in self.proxy.log_text(), 10, what="the reload")
        with connect(port) as conn:
            conn.execute("SELECT 1")
            before = checks()
            for _ in range(3):
                conn.execute("SELECT 1")
            self.assertEqual(checks(), before)
            time.sleep(2)
            conn.execute("SELECT 1")
            self.assertEqual(checks(), before + 1)

        # A check that fails closes the server; the client gets a fresh one and never sees it.
        self.proxy.write_config(self.proxy.config_text.replace('"SELECT pgfront_check()"', '"SELECT 1/0"')
                                .replace("server_check_delay: 1500ms", "server_check_delay: 0s"))
        mark = len(self.proxy.log_text())
        self.proxy.reload()
        wait_until(lambda: "configuration reloaded" in self.proxy.log_text()[mark:], 10, what="the reload")
        with connect(port) as conn:
            pids = [conn.execute("SELECT pg_backend_pid()").fetchone()[0] for _ in range(3)]
        self.assertEqual(len(set(pids)), 3)
        self.assertIn("failed server_check_query", self.proxy.log_text()[mark:])

    def test_05b_a_setting_change_reported_to_the_server_check_is_set_back_for_the_client(self):
        # ALTER SYSTEM and a reload reach an idle server at its next query, and the server
        # reports the new value in that reply. When that query is pgfront's check query, pgfront
        # must still learn the server's new value: the client, which never saw it, gets its
        # own value set back on that server instead of silently running with the new one.
        port = self.start(pool='  default_pool_size: 1\n  server_check_query: "SELECT 1"\n'
                               '  server_check_delay: 0s')
        primary = CLUSTER.primary()
        query = "SELECT current_setting('TimeZone'), pg_backend_pid()"
        try:
            with connect(port) as conn:
                zone, pid = conn.execute(query).fetchone()
                other = "Asia/Tokyo" if zone != "Asia/Tokyo" else "America/Lima"
                CLUSTER.sql(primary, f"ALTER SYSTEM SET TimeZone = '{other}'")
                CLUSTER.sql(primary, "SELECT pg_reload_conf()")
                # the reload is asynchronous: a new backend shows when it has been read
                wait_until(lambda: CLUSTER.sql(primary, "SHOW TimeZone")[0][0] == other, 10, what="the reload")
                time.sleep(0.5)  # the idle server got its SIGHUP too
                self.assertEqual(conn.execute(query).fetchone(), (zone, pid))
                self.assertEqual(conn.execute(query).fetchone(), (zone, pid))
        finally:
            CLUSTER.sql(primary, "ALTER SYSTEM RESET TimeZone")
            CLUSTER.sql(primary, "SELECT pg_reload_conf()")

    def test_05c_a_setting_change_reported_to_pgfronts_own_sets_is_set_back_too(self):
        # As test_05b, but the server's first query after the reload is the SET with which
        # pgfront gives it another client's application_name. The change comes back in the
        # reply to that SET: the client's TimeZone must be set back before its query runs.
        port = self.start(pool='  default_pool_size: 1\n  server_check_delay: 3600s')
        primary = CLUSTER.primary()
        query = "SELECT current_setting('TimeZone'), current_setting('application_name'), pg_backend_pid()"
        try:
            with connect(port, application_name="first") as first, \
                    connect(port, application_name="second") as second:
                zone, _, pid = first.execute(query).fetchone()
                other = "Asia/Tokyo" if zone != "Asia/Tokyo" else "America/Lima"
                CLUSTER.sql(primary, f"ALTER SYSTEM SET TimeZone = '{other}'")
                CLUSTER.sql(primary, "SELECT pg_reload_conf()")
                wait_until(lambda: CLUSTER.sql(primary, "SHOW TimeZone")[0][0] == other, 10, what="the reload")
                time.sleep(0.5)  # the idle server got its SIGHUP too
                self.assertEqual(second.execute(query).fetchone(), (zone, "second", pid))
                self.assertEqual(first.execute(query).fetchone(), (zone, "first", pid))
        finally:
            CLUSTER.sql(primary, "ALTER SYSTEM RESET TimeZone")
            CLUSTER.sql(primary, "SELECT pg_reload_conf()")

    def test_05d_a_client_cannot_forge_a_log_line_or_put_control_bytes_in_the_log(self):
        port = self.start()
        forged = "2026-12-07 23:59:59.999 error FORGED user=admin"
        c = RawClient(port)
        error = c.login("evil\n" + forged + "\x01", "wrong")
        c.close()
        self.assertEqual(error.get("C"), "28P01", error)
        wait_until(lambda: "evil\\x0a" in self.proxy.log_text(), 5, what="the refusal logged")
        log = self.proxy.log_text()
        self.assertNotRegex(log, "(?m)^" + re.escape(forged))
        self.assertIn("evil\\x0a" + forged + "\\x01", log)
        self.assertNotIn("\x01", log)

    def test_06_hba_rules_allow_and_deny_by_address_user_and_database(self):
        port = self.start(auth="""  hba:
    - {database: appdb, user: app, address: 127.0.0.1/32, method: scram-sha-256}
    - {database: appdb, user: plainuser, address: 127.0.0.4, method: password}
    - {database: appdb, user: plainuser, address: 127.0.0.0/8, method: md5}
    - {database: postgres, user: all, address: all, method: reject}
    - {database: all, user: trustee, address: 127.0.0.0/8, method: scram-sha-256}""")
        with connect(port) as conn:
            self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "app")
        # app from another address: no rule matches.
        c = RawClient(port, source="127.0.0.2")
        error = c.login("app", "apppass")
        c.close()
        self.assertEqual(error.get("C"), "28000", error)
        self.assertEqual(error.get("M"), 'no pg_hba.conf entry for host "127.0.0.2", user "app", database "appdb", '
                                         'no encryption')
        # The reject rule for the postgres database, whoever asks.
        c = RawClient(port)
        error = c.login("app", "apppass", dbname="postgres")
        c.close()
        self.assertEqual(error.get("C"), "28000", error)
        self.assertIn("pg_hba.conf rejects connection", error.get("M", ""))
        # plainuser: cleartext from 127.0.0.4, MD5 from the rest of 127/8, by the first match.
        for source, code in (("127.0.0.4", 3), ("127.0.0.3", 5)):
            c = RawClient(port, source=source)
            self.assertIsNone(c.login("plainuser", "plainpass"))
            self.assertEqual(c.auth_codes[0], code)
            self.assertEqual(c.query("SELECT current_user")[0], [["plainuser"]])
            c.close()
            c = RawClient(port, source=source)
            self.assertEqual(c.login("plainuser", "wrong").get("C"), "28P01")
            c.close()
        # A trust user still needs a rule that lets it in; trust then skips the password.
        c = RawClient(port, source="127.0.0.9")
        self.assertIsNone(c.login("trustee"))
        self.assertEqual(c.auth_codes, [0])
        self.assertEqual(c.query("SELECT current_user")[0], [["trustee"]])
        c.close()
        c = RawClient(port)
        self.assertEqual(c.login("trustee", dbname="postgres").get("C"), "28000")
        c.close()

    def test_06b_a_client_let_in_by_trust_leaves_the_pool_the_credentials_it_had(self):
        # Each login hands its pool the credentials for the pool's next server logins (a
        # SCRAM client: the keys of its proof). A client that an hba trust rule lets in brings
        # none: the pool keeps those it had, or its next server login fails, for this client
        # and for every client waiting with it.
        port = self.start(pool="  default_pool_size: 2", auth="""  hba:
    - {database: appdb, user: app, address: 127.0.0.2/32, method: trust}
    - {database: all, user: all, address: all, method: scram-sha-256}""")
        with connect(port) as holder:
            holder.execute("BEGIN")  # server 1, logged in with holder's keys, stays busy
            c = RawClient(port, source="127.0.0.2")
            try:
                self.assertIsNone(c.login("app"))
                self.assertEqual(c.auth_codes, [0])
                rows, error = c.query("SELECT current_user")  # needs server 2, a new login
                self.assertIsNone(error, error)
                self.assertEqual(rows, [["app"]])
            finally:
                c.close()
            holder.execute("COMMIT")
        self.assertNotIn("server login failed", self.proxy.log_text())

    def test_06c_server_logins_speak_md5_cleartext_and_trust_too(self):
        # The server asks each of these roles for another method (SERVER_METHODS): MD5 from a
        # plaintext auth_file entry or from its MD5 hash, a cleartext password, or nothing.
        # md5hashuser's entry is a hash, with which only an md5 client can log in to pgfront.
        port = self.start(auth="""  hba:
    - {database: all, user: md5hashuser, address: all, method: md5}
    - {database: all, user: all, address: all, method: scram-sha-256}""")
        for role, method in SERVER_METHODS:
            with self.subTest(role=role, server_method=method):
                c = RawClient(port)
                try:
                    self.assertIsNone(c.login(role, role + "pass"))
                    self.assertEqual(c.auth_codes[0], 5 if role == "md5hashuser" else 10)
                    # Twice: the second transaction may need a second server login.
                    for _ in range(2):
                        rows, error = c.query("SELECT current_user")
                        self.assertIsNone(error, error)
                        self.assertEqual(rows, [[role]])
                finally:
                    c.close()
        self.assertNotIn("server login failed", self.proxy.log_text())
        # The server's own method was used: each role has a backend of pgfront's, which logged
        # in through its pg_hba line (a SCRAM-only rule would have refused md5hashuser's hash).
        roles = [role for role, _ in SERVER_METHODS]
        rows = CLUSTER.sql(CLUSTER.primary(), "SELECT DISTINCT usename::text FROM pg_stat_activity "
                                              "WHERE usename = ANY(%s)", (roles,))
        self.assertEqual(sorted(r[0] for r in rows), sorted(roles))

    def test_07_trust_users_log_in_without_a_password_and_only_they_do(self):
        port = self.start()
        with psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user="trustee", connect_timeout=20) as conn:
            self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "trustee")
        c = RawClient(port)
        self.assertEqual(c.login("app"), {"asked": 10})  # everyone else is asked for SCRAM
        c.close()
        self.assertEqual(e2e_common.scram_login(port, "app", "wrong")["C"], "28P01")

    def test_07b_max_client_conn_holds_for_the_whole_process(self):
        # Two workers, each with its own acceptor (SO_REUSEPORT: the kernel spreads the
        # clients): the limit still counts every client of the process, as PgBouncer's does.
        port = free_port()
        yaml = proxy_yaml(port, pool="  max_client_conn: 3")
        yaml = yaml.replace("\nadmin: {listen: ", "\nadmin: {admin_users: [app], listen: ")
        self.assertIn("admin_users: [app]", yaml)
        yaml = yaml.replace("client_login_timeout: 10s}", "client_login_timeout: 10s, workers: 2}")
        self.assertIn("workers: 2}", yaml)
        self.proxy = PgFront(e2e_common.pgfront_binary(), yaml)
        self.proxy.start()
        self.proxy.wait_listening(port, timeout=10)
        kept, refused = [], []
        try:
            for _ in range(8):
                try:
                    kept.append(connect(port))
                except psycopg.OperationalError as e:
                    refused.append(str(e))
            self.assertEqual(len(kept), 3, refused)
            self.assertEqual(len(refused), 5)
            self.assertTrue(all("no more connections allowed (max_client_conn)" in r for r in refused), refused)
            for conn in kept:
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
            # The admin console is exempt (PgBouncer's "dont limit admin db"): an operator
            # gets in to see why the proxy is full.
            with connect(port, user="app", dbname="pgbouncer") as console:
                clients = console.execute("SHOW CLIENTS").fetchall()
                self.assertGreaterEqual(len(clients), 3, clients)
            kept.pop().close()
            wait_until(lambda: self._logs_in(port), 10, what="a client let in once another left")
        finally:
            for conn in kept:
                conn.close()
        # 16 logins at once, spread over both workers: exactly the limit gets in. A refused
        # login holds no share of the limit while it is told, and connections that have not
        # sent a startup packet yet (a TCP health check, a slow client) are not clients yet:
        # neither costs a client its place.
        wait_until(lambda: self._logs_in(port), 10, what="the limit free again")
        silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
        try:
            outcomes = self._login_burst(port, 16)
        finally:
            for sock in silent:
                sock.close()
        self.assertEqual(sum(1 for o in outcomes if o == "in"), 3, outcomes)
        self.assertTrue(all(o == "in" or "no more connections allowed (max_client_conn)" in o for o in outcomes),
                        outcomes)

    @staticmethod
    def _login_burst(port, count):
        """Logs `count` clients in at the same moment; each holds its connection until all have
        tried. Returns "in" or the error text per client."""
        start, tried = threading.Barrier(count), threading.Barrier(count)

        def login():
            conn = None
            try:
                start.wait(timeout=30)
                conn = connect(port)
                conn.execute("SELECT 1")
                return "in"
            except psycopg.OperationalError as e:
                return str(e)
            finally:
                tried.wait(timeout=30)
                if conn is not None:
                    conn.close()

        results = {}
        threads = [start_thread(results, i, login) for i in range(count)]
        for thread in threads:
            thread.join(timeout=60)
        return [results.get(i, "no outcome") for i in range(count)]

    @staticmethod
    def _logs_in(port):
        try:
            with connect(port) as conn:
                return conn.execute("SELECT 1").fetchone()[0] == 1
        except psycopg.OperationalError:
            return False

    def test_08_session_mode_database_keeps_session_state_a_transaction_mode_one_does_not(self):
        port = self.start(pool="  default_pool_size: 2\n  databases: {appdb: {mode: session}}")
        for dbname, keeps in (("appdb", True), ("postgres", False)):
            with self.subTest(dbname=dbname):
                a = connect(port, dbname=dbname)
                b = connect(port, dbname=dbname, autocommit=False)
                a.execute("CREATE TEMP TABLE scratch (x int)")
                pid_a = a.execute("SELECT pg_backend_pid()").fetchone()[0]
                # b holds a server inside a transaction; in transaction mode that may be the
                # server a just used, so a's next transaction runs elsewhere.
                b.execute("SELECT pg_backend_pid()")
                if keeps:
                    self.assertEqual(a.execute("SELECT count(*) FROM scratch").fetchone()[0], 0)
                    self.assertEqual(a.execute("SELECT pg_backend_pid()").fetchone()[0], pid_a)
                else:
                    pid_b = b.execute("SELECT pg_backend_pid()").fetchone()[0]
                    self.assertEqual(pid_b, pid_a)  # the most recently used server went to b
                    with self.assertRaises(psycopg.errors.UndefinedTable):
                        a.execute("SELECT count(*) FROM scratch")
                b.rollback()
                a.close()
                b.close()

    def test_09_a_newer_minor_or_a_pq_option_gets_negotiate_protocol_version_and_works(self):
        port = self.start()
        # As PostgreSQL 15: a newer minor version, or any _pq_. option even at 3.0, is answered
        # with NegotiateProtocolVersion naming the options not taken; without either, nothing.
        for version, options, negotiate in (((3 << 16) | 2, [("_pq_.pgfront_test", "on")], (0, ["_pq_.pgfront_test"])),
                                            (3 << 16, [("_pq_.pgfront_test", "on")], (0, ["_pq_.pgfront_test"])),
                                            ((3 << 16) | 2, [], (0, [])),
                                            (3 << 16, [], None)):
            with self.subTest(minor=version & 0xFFFF, options=options):
                c = RawClient(port)
                self.assertIsNone(c.login("trustee", version=version, options=options))
                self.assertEqual(c.negotiate, negotiate)
                rows, error = c.query("SELECT 40 + 2")
                self.assertIsNone(error)
                self.assertEqual(rows, [["42"]])
                c.close()

    def test_09b_another_major_version_and_a_bad_layout_get_postgresqls_errors(self):
        port = self.start()
        for major, minor in ((4, 0), (2, 0), (1234, 1)):  # 1234.5678 would be a CancelRequest
            with self.subTest(version=f"{major}.{minor}"):
                c = RawClient(port)
                error = c.login("app", "apppass", version=(major << 16) | minor)
                c.close()
                self.assertEqual(error.get("C"), "0A000", error)
                self.assertEqual(error.get("M"), f"unsupported frontend protocol {major}.{minor}: "
                                                 "server supports 3.0 to 3.0")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            body = struct.pack("!I", 3 << 16) + b"user\0app\0database"  # no value, no terminator
            s.sendall(struct.pack("!I", len(body) + 4) + body)
            fields = e2e_common.read_error_response(s)
            self.assertEqual((fields or {}).get("C"), "08P01", fields)
            self.assertEqual(fields.get("M"), "invalid startup packet layout")
        with connect(port) as conn:  # and the next client is served
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_09c_a_reload_switches_pooling_modes_live_and_refuses_mode_none(self):
        port = self.start()
        admin = re.search(r'admin: \{listen: "([^"]+)"\}', self.proxy.config_text).group(1)

        def status():
            with urllib.request.urlopen(f"http://{admin}/status", timeout=5) as answer:
                return json.load(answer)

        def reload_with(text, outcome):
            mark = len(self.proxy.log_text())
            self.proxy.write_config(text)
            self.proxy.reload()
            wait_until(lambda: outcome in self.proxy.log_text()[mark:], 10, what=outcome)
            return self.proxy.log_text()[mark:]

        transaction_mode = self.proxy.config_text
        listen = status()["listen"]
        self.assertEqual(status()["pool_mode"], "transaction")
        # Between pooling modes: new clients get the new one, nothing waits for a restart.
        log = reload_with(transaction_mode.replace("  mode: transaction\n", "  mode: session\n"),
                          "configuration reloaded")
        self.assertNotIn("pool.mode changes only after a restart", log)
        self.assertEqual(status()["pool_mode"], "session")
        with connect(port) as conn:
            conn.execute("CREATE TEMP TABLE session_kept (x int)")
            self.assertEqual(conn.execute("SELECT count(*) FROM session_kept").fetchone()[0], 0)
        # To none: refused whole, the running configuration stays and logins go on working
        # (the file has no auth: section, which pooled logins would need).
        pass_through = re.sub(r"(?ms)^pool:.*?(?=^log:)", "pool:\n  mode: none\n", transaction_mode)
        self.assertIn("  mode: none\n", pass_through)
        log = reload_with(pass_through, "reload rejected")
        self.assertIn("pool.mode cannot change between none and a pooling mode", log)
        self.assertEqual(status()["pool_mode"], "session")
        with connect(port) as conn:
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
        # A listen address waits for a restart, and /status keeps saying what is listening.
        moved = transaction_mode.replace(f'primary: "127.0.0.1:{port}"', f'primary: "127.0.0.1:{free_port()}"')
        self.assertNotEqual(moved, transaction_mode)
        log = reload_with(moved, "configuration reloaded")
        self.assertIn("listen.primary changes only after a restart", log)
        self.assertEqual(status()["listen"], listen)
        self.assertEqual(status()["pool_mode"], "transaction")
        with connect(port) as conn:
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_10_min_pool_size_keeps_servers_warm_and_a_reload_raises_it(self):
        port = self.start(pool="  default_pool_size: 6\n  databases: {appdb: {min_pool_size: 3}}")
        with connect(port) as conn:  # the pool exists from the first client on
            conn.execute("SELECT 1")
        wait_until(lambda: backends() == 3, 10, what="3 warm server connections")
        time.sleep(0.5)
        self.assertEqual(backends(), 3)
        self.proxy.write_config(self.proxy.config_text.replace("min_pool_size: 3", "min_pool_size: 5"))
        self.proxy.reload()
        wait_until(lambda: backends() == 5, 10, what="5 warm server connections after the reload")

    def test_11_query_wait_timeout_fails_the_waiting_client_only(self):
        port = self.start(pool="  default_pool_size: 1\n  query_wait_timeout: 1s")
        # A pool's first login waits for its first server login (ParameterStatus), so log in first.
        waiter = RawClient(port)
        self.assertIsNone(waiter.login("app", "apppass"))
        holder = connect(port, autocommit=False)
        holder.execute("SELECT 1")  # holds the only server inside a transaction
        started = time.monotonic()
        rows, error = waiter.query("SELECT 1")
        self.assertEqual(error.get("C"), "57014", error)
        self.assertIn("query_wait_timeout", error.get("M", ""))
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        waiter.close()
        self.assertEqual(holder.execute("SELECT 2").fetchone()[0], 2)
        holder.commit()
        holder.close()

    def test_12_max_packet_size_refuses_longer_messages_either_way_and_only_that_client(self):
        port = self.start(pool="  max_packet_size: 1MB")
        bystander = connect(port)
        with connect(port) as conn:  # up to the limit, both ways
            self.assertEqual(conn.execute("SELECT length(%s)", ("y" * 900_000,)).fetchone()[0], 900_000)
            self.assertEqual(len(conn.execute("SELECT repeat('x', 900000)").fetchone()[0]), 900_000)
        # A client message over the limit is refused from its header: pgfront does not wait
        # for (or buffer) the 64 MB it announces.
        client = RawClient(port)
        self.assertIsNone(client.login("app", "apppass"))
        client.sock.sendall(b"Q" + struct.pack("!I", 64 * 1024 * 1024) + b"SELECT ")
        error = client.wait_error(5)
        self.assertEqual(error.get("C"), "08P01", error)
        self.assertIn("pool.max_packet_size (1MB)", error.get("M", ""))
        self.assertTrue(e2e_common.connection_closed(client.sock, 5))
        client.close()
        # A Sync is never long: one announcing 100 kB (under the limit) is a lost stream, as
        # PostgreSQL judges it (its small-message limit of 10,000 bytes).
        client = RawClient(port)
        self.assertIsNone(client.login("app", "apppass"))
        client.sock.sendall(b"S" + struct.pack("!I", 100_000))
        error = client.wait_error(5)
        self.assertEqual(error.get("C"), "08P01", error)
        self.assertIn("invalid message length", error.get("M", ""))
        self.assertTrue(e2e_common.connection_closed(client.sock, 5))
        client.close()
        # A server message over the limit (one 2 MB row) ends that client with 54000; its
        # server, left mid-reply, is closed rather than lent again.
        client = RawClient(port)
        self.assertIsNone(client.login("app", "apppass"))
        client.query("BEGIN")
        victim = int(client.query("SELECT pg_backend_pid()")[0][0][0])
        _, error = client.query("SELECT repeat('x', 2 * 1024 * 1024)")
        self.assertEqual(error.get("C"), "54000", error)
        self.assertIn("pool.max_packet_size (1MB)", error.get("M", ""))
        self.assertTrue(e2e_common.connection_closed(client.sock, 5))
        client.close()
        wait_until(lambda: CLUSTER.sql(CLUSTER.primary(), "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                                       (victim,))[0][0] == 0, 10, what="the server left mid-reply closed")
        self.assertEqual(bystander.execute("SELECT 3").fetchone()[0], 3)
        bystander.close()

    def test_12b_a_message_postgresql_would_refuse_needs_no_server_to_be_refused(self):
        # A PasswordMessage after the login, or a type the protocol does not have, is refused
        # with 08P01 as PostgreSQL refuses it, at once: not after waiting for a server while
        # the pool is busy (up to query_wait_timeout), as the PasswordMessage was.
        port = self.start(pool="  default_pool_size: 1")
        holder = connect(port)
        holder.execute("BEGIN")  # the pool's one server stays busy
        try:
            for kind, message in ((b"p", "invalid frontend message type 112"),
                                  (b"z", "invalid message from client: unknown message type")):
                client = RawClient(port)
                self.assertIsNone(client.login("app", "apppass"))
                started = time.monotonic()
                client.send(kind, b"apppass\0")
                error = client.wait_error(10)
                self.assertLess(time.monotonic() - started, 2.0, "refused only after a wait")
                self.assertEqual(error.get("C"), "08P01", error)
                self.assertEqual(error.get("M"), message, error)
                self.assertTrue(e2e_common.connection_closed(client.sock, 5))
                client.close()
            self.assertEqual(holder.execute("SELECT 1").fetchone()[0], 1)
            holder.execute("COMMIT")
        finally:
            holder.close()

    def test_13_a_cancel_from_an_idle_client_reaches_no_one(self):
        # Transaction mode, one server: the idle client's last server is running another
        # client's query. The idle client's cancel must not touch it.
        port = self.start(pool="  default_pool_size: 1")
        idle = connect(port)
        server = idle.execute("SELECT pg_backend_pid()").fetchone()[0]
        result = {}
        with connect(port) as busy:
            def run():
                try:
                    result["row"] = busy.execute("SELECT pg_backend_pid(), pg_sleep(2)").fetchone()
                except Exception as e:  # checked below
                    result["error"] = e

            worker = threading.Thread(target=run)
            worker.start()
            wait_until(lambda: CLUSTER.sql(CLUSTER.primary(), "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
                                           " AND query LIKE %s", (server, "%pg_sleep(2)%"))[0][0] == 1, 5,
                       what="the other client's query on the idle client's old server")
            idle.cancel()
            worker.join(15)
        idle.close()
        self.assertNotIn("error", result)
        self.assertEqual(result["row"][0], server, "the query ran on the idle client's old server")

    def login_without_a_server(self, port, application_name):
        """Logs in while the pool's only server is taken: (connection, seconds). The login must
        not wait for the server, and is welcomed with its own application_name."""
        started = time.monotonic()
        conn = connect(port, application_name=application_name)
        seconds = time.monotonic() - started
        self.assertLess(seconds, 2.0, "the login waited for the pool's only server")
        self.assertEqual(conn.pgconn.parameter_status(b"application_name"), application_name.encode())
        return conn, seconds

    def test_13b_with_two_workers_every_cancel_reaches_its_query(self):
        # Each worker accepts on its own (SO_REUSEPORT), so a cancel request often lands on a
        # worker other than its session's, which it then asks for the server in use; 12 or more
        # cancels all landing on their session's own worker has odds of 1 in 4,096 or less.
        port = free_port()
        yaml = proxy_yaml(port).replace("client_login_timeout: 10s}", "client_login_timeout: 10s, workers: 2}")
        self.assertIn("workers: 2}", yaml)
        self.proxy = PgFront(e2e_common.pgfront_binary(), yaml)
        self.proxy.start()
        self.proxy.wait_listening(port, timeout=10)
        for _ in range(12):
            with connect(port) as conn:
                e2e_common.assert_query_cancelled(self, conn, within=5)
        arrivals = re.findall(r"cancel request for session id=\d+ of worker (\d) arrived at worker (\d)",
                              self.proxy.log_text())
        self.assertGreaterEqual(len(arrivals), 12)  # a cancel may have come before its query
        self.assertTrue(any(owner != at for owner, at in arrivals), arrivals)

    def test_13c_a_terminated_server_ends_its_client_at_once(self):
        port = self.start(pool="  default_pool_size: 2")
        e2e_common.assert_terminated_backend_ends_its_client(
            self, self.proxy, lambda: connect(port),
            lambda pid: CLUSTER.sql(CLUSTER.primary(), "SELECT pg_terminate_backend(%s)", (pid,), dbname="appdb"))
        with connect(port) as conn:  # the pool serves on with a fresh server
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_14_a_login_while_every_server_is_busy_is_welcomed_at_once(self):
        # Transaction mode, one server, held inside a transaction. Once the pool has logged in
        # a server, a login needs no server of its own (as with PgBouncer): its first query
        # waits instead. A setting PostgreSQL may spell otherwise ("utc" is reported "UTC")
        # still waits for a server at login, and is reported in the server's spelling.
        port = self.start(pool="  default_pool_size: 1")
        connect(port).close()  # the pool's first server login
        holder = connect(port, autocommit=False)
        holder.execute("SELECT 1")
        late, login_seconds = self.login_without_a_server(port, "late-comer")

        results = {}
        query = start_thread(results, "query", lambda: late.execute("SHOW application_name").fetchone()[0])
        spelled = start_thread(results, "spelled", lambda: connect(port, options="-c TimeZone=utc"))
        time.sleep(1.0)
        self.assertEqual(results, {}, "a query or a login that needs a server did not wait for the busy one")
        holder.commit()
        query.join(15)
        spelled.join(15)
        self.assertEqual(results["query"], "late-comer")
        self.assertIsInstance(results["spelled"], psycopg.Connection, results["spelled"])
        with results["spelled"] as conn:
            self.assertEqual(conn.pgconn.parameter_status(b"TimeZone"), b"UTC")
            self.assertEqual(conn.execute("SHOW TimeZone").fetchone()[0], "UTC")
        late.close()
        holder.close()
        print(f"login with the only server busy: {login_seconds * 1000:.1f} ms", file=sys.stderr)

    def test_15_session_mode_welcomes_at_once_and_gives_the_server_with_the_first_query(self):
        # Session mode, one server, held by a connected client for its whole session. A new
        # client logs in at once (as with PgBouncer); its first query waits for the holder to
        # leave, then runs on that server, reset (DISCARD ALL) and with the new client's settings.
        port = self.start(pool="  default_pool_size: 1\n  databases: {appdb: {mode: session}}")
        connect(port).close()  # the pool's first server login
        holder = connect(port)
        holder.execute("SET work_mem = '7MB'")
        backend = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        late, login_seconds = self.login_without_a_server(port, "session-late")
        results = {}
        waiting = start_thread(results, "row", lambda: late.execute(
            "SELECT pg_backend_pid(), current_setting('application_name'), current_setting('work_mem')").fetchone())
        time.sleep(1.0)
        self.assertEqual(results, {}, "the new client's query did not wait for the only server")
        holder.close()
        waiting.join(15)
        self.assertEqual(results["row"], (backend, "session-late", "4MB"))
        # The server stays the new client's for its session.
        self.assertEqual(late.execute("SELECT pg_backend_pid()").fetchone()[0], backend)
        late.close()
        print(f"session-mode login with the only server taken: {login_seconds * 1000:.1f} ms", file=sys.stderr)


if __name__ == "__main__":
    e2e_common.main()
