#!/usr/bin/python3
"""Transaction pooling that applications don't notice, through a real pgfront in front of a
real Patroni cluster, with real drivers: named prepared statements keep working while every
transaction may land on another server connection (pgbench -M prepared, psycopg 3 with
prepare_threshold=0, JDBC with prepareThreshold=1, node-postgres named queries, and more
statements than pool.max_prepared_statements lets a server connection keep), session
settings follow the client from server to server, a switchover under write load costs only
the transactions in flight, a stale view of the roles is corrected by the old primary's own
in_hot_standby=on, and with no primary at all the next transaction waits
(pool.failover_hold) instead of failing. Also the auth_query lookups behind these logins:
reloads while they run, a lookup that straddles a reload, a login storm (one lookup per user,
few at once) and auth_cache_ttl."""
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
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
from stall_gate import StallGate

CLUSTER = None
PROXY = None
PORT = None
ADMIN_PORT = None
POOL_SIZE = 4
WORKDIR = None
CLIENTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clients")
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
AUTH_LOOKUP_LIMIT = 4  # AuthLookup::max_concurrent_lookups, per worker


def setUpModule():
    global CLUSTER, PROXY, PORT, ADMIN_PORT, WORKDIR
    CLUSTER = Cluster(nodes=2, scope="txpool")
    CLUSTER.start()
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-txpool-")
    userlist = os.path.join(WORKDIR.name, "userlist.txt")
    with open(userlist, "w") as f:
        f.write('"pgbouncer" "bouncerpass"\n')  # auth_user only; app's secret comes from auth_query
    PORT = free_port()
    ADMIN_PORT = free_port()
    PROXY = PgFront(e2e_common.pgfront_binary(), proxy_config(PORT, userlist))
    PROXY.start()
    PROXY.wait_listening(PORT, timeout=10)


def proxy_config(port, userlist, failover_hold="60s", pool_extra=""):
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 10s}}
admin: {{listen: "127.0.0.1:{ADMIN_PORT}"}}
pool: {{mode: transaction, default_pool_size: {POOL_SIZE}, query_wait_timeout: 60s, failover_hold: {failover_hold}{pool_extra}}}
auth: {{type: scram-sha-256, auth_file: "{userlist}", auth_user: pgbouncer}}
log: {{level: info}}
"""


@contextlib.contextmanager
def counted_auth_query():
    """An auth_query through a function that notes every call in appdb: the user asked for and
    how many auth_user sessions the primary had at that moment, idle ones left out (a session
    whose lookup has ended is listed, idle, until its backend has exited); for users named
    stuck* it then sleeps 30 s (an auth_query that stalls; its note is rolled back when
    pgfront gives up on it). Yields (auth_query, calls), calls() returning
    [(user, auth_user sessions)]; drops the function afterwards."""
    setup = [
        "CREATE TABLE pgbouncer.auth_calls (usename text, auth_sessions bigint)",
        "CREATE FUNCTION pgbouncer.counted_get_auth(p_usename text) RETURNS TABLE(usename text, passwd text)"
        " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN"
        " INSERT INTO pgbouncer.auth_calls SELECT p_usename, count(*) FROM pg_stat_activity"
        "  WHERE pg_stat_activity.usename = 'pgbouncer' AND state IS DISTINCT FROM 'idle';"
        " IF p_usename LIKE 'stuck%' THEN PERFORM pg_sleep(30); END IF;"
        " RETURN QUERY SELECT * FROM pgbouncer.get_auth(p_usename); END $$",
        "GRANT EXECUTE ON FUNCTION pgbouncer.counted_get_auth(text) TO pgbouncer",
    ]
    for statement in setup:
        CLUSTER.sql(None, statement, dbname="appdb")

    def calls():
        return CLUSTER.sql(None, "SELECT usename, auth_sessions FROM pgbouncer.auth_calls", dbname="appdb")

    try:
        yield "SELECT usename, passwd FROM pgbouncer.counted_get_auth($1)", calls
    finally:
        # Stalled lookups still sleep on the server, holding their locks on the table.
        CLUSTER.sql(None, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pgbouncer' "
                          "AND query LIKE '%counted_get_auth%' AND pid <> pg_backend_pid()", dbname="appdb")
        CLUSTER.sql(None, "DROP FUNCTION IF EXISTS pgbouncer.counted_get_auth(text)", dbname="appdb")
        CLUSTER.sql(None, "DROP TABLE IF EXISTS pgbouncer.auth_calls", dbname="appdb")


def auth_query_yaml(port, replica_port, auth_query, auth_cache_ttl, client_login_timeout="60s", pool_size=4,
                    listen_extra=""):
    """The configuration of a pgfront of its own whose passwords come from auth_query alone
    (the file holds only auth_user's)."""
    userlist = os.path.join(WORKDIR.name, "userlist.txt")
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{replica_port}", client_login_timeout: {client_login_timeout}{listen_extra}}}
pool: {{mode: transaction, default_pool_size: {pool_size}, query_wait_timeout: 60s}}
auth: {{type: scram-sha-256, auth_file: "{userlist}", auth_user: pgbouncer, auth_cache_ttl: {auth_cache_ttl},
        auth_query: "{auth_query}"}}
log: {{level: info}}
"""


def auth_query_proxy(port, auth_query, auth_cache_ttl, client_login_timeout="60s"):
    """A pgfront of its own (not started) with auth_query_yaml()'s configuration."""
    return PgFront(e2e_common.pgfront_binary(),
                   auth_query_yaml(port, free_port(), auth_query, auth_cache_ttl, client_login_timeout))


def wait_for_primary(proxy):
    """Until pgfront knows the primary, without a login (a login would fill the auth cache)."""
    wait_until(lambda: re.search(r"topology version=\d+ primary=(?!none )\w", proxy.log_text()), 15,
               what="pgfront knows the primary")


def tearDownModule():
    if PROXY:
        if not PROXY.running():
            print(f"pgfront exited with {PROXY.returncode}; its log ends:\n{PROXY.log_text()[-4000:]}", file=sys.stderr)
        PROXY.terminate()
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def connect(**kw):
    params = dict(host="127.0.0.1", port=PORT, dbname="appdb", user="app", password="apppass",
                  connect_timeout=20, autocommit=True)
    params.update(kw)
    return psycopg.connect(**params)


class TransactionPooling(unittest.TestCase):
    def setUp(self):
        self.log_mark = len(PROXY.log_text())

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if result and any(test is self for test, _ in result.failures + result.errors):
            print(PROXY.log_text()[self.log_mark:][-6000:])

    def test_01_pgbench_prepared_and_extended_with_more_clients_than_servers(self):
        init = subprocess.run([PGBENCH, "-i", "-s", "1", "-q", "-h", "127.0.0.1", "-p", str(CLUSTER.primary().pg_port),
                               "-U", "app", "appdb"], env={**os.environ, "PGPASSWORD": "apppass"},
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(init.returncode, 0, init.stderr)
        for mode in ("prepared", "extended"):
            run = subprocess.run([PGBENCH, "-n", "-S", "-M", mode, "-c", "12", "-j", "2", "-T", "4",
                                  "-h", "127.0.0.1", "-p", str(PORT), "-U", "app", "appdb"],
                                 env={**os.environ, "PGPASSWORD": "apppass"}, capture_output=True, text=True,
                                 timeout=60)
            self.assertEqual(run.returncode, 0, f"-M {mode}: {run.stderr[-2000:]}")
            self.assertIn("number of failed transactions: 0", run.stdout, run.stdout)
            processed = int(run.stdout.split("number of transactions actually processed: ")[1].split()[0])
            self.assertGreater(processed, 100, run.stdout)
            print(f"pgbench -M {mode} -S -c 12 through a pool of {POOL_SIZE}: {processed} transactions, 0 errors",
                  file=sys.stderr)

    def test_02_psycopg_prepared_statements_survive_server_changes(self):
        errors = []
        pids = set()
        lock = threading.Lock()

        def worker(index):
            try:
                with connect(prepare_threshold=0) as conn:
                    for i in range(60):
                        # Its own transaction each time: the pool may lend another server.
                        with conn.transaction():
                            value, pid = conn.execute("SELECT %s::int * 2, pg_backend_pid()",
                                                      (index * 1000 + i,)).fetchone()
                        if value != (index * 1000 + i) * 2:
                            raise AssertionError(f"wrong result {value}")
                        with lock:
                            pids.add(pid)
                    # Prepared statements the driver knows are the server's, as far as it can tell.
                    names = conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
                    if names < 1:
                        raise AssertionError("no prepared statement visible")
            except Exception as e:  # noqa: BLE001 - collected and reported below
                with lock:
                    errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertGreater(len(pids), 1, "every transaction ran on the same server connection: nothing was tested")

    def test_03_jdbc_prepare_threshold_1(self):
        jar = "/usr/share/java/postgresql.jar"
        self.assertTrue(os.path.exists(jar), "libpostgresql-jdbc-java is not installed")
        classes = os.path.join(WORKDIR.name, "java")
        os.makedirs(classes, exist_ok=True)
        subprocess.run(["javac", "-d", classes, os.path.join(CLIENTS_DIR, "PreparedLoop.java")], check=True,
                       timeout=120)
        url = f"jdbc:postgresql://127.0.0.1:{PORT}/appdb?prepareThreshold=1&sslmode=disable"
        run = subprocess.run(["java", "-cp", f"{classes}:{jar}", "PreparedLoop", url, "app", "apppass", "10", "50"],
                             capture_output=True, text=True, timeout=180)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        result = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"JDBC: {result}", file=sys.stderr)
        self.assertEqual(result["errors"], 0, result)
        self.assertEqual(result["executions"], 500)
        self.assertGreater(result["server_pids"], 1)

    def test_04_node_postgres_named_queries(self):
        node_modules = ensure_node_clients()
        run = subprocess.run(["node", os.path.join(CLIENTS_DIR, "prepared_loop.js"), "127.0.0.1", str(PORT), "app",
                              "apppass", "appdb", "10", "50"],
                             env={**os.environ, "NODE_PATH": node_modules}, capture_output=True, text=True,
                             timeout=180)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr[-3000:])
        result = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"node-postgres: {result}", file=sys.stderr)
        self.assertEqual(result["errors"], 0, result)
        self.assertEqual(result["executions"], 500)
        self.assertGreater(result["server_pids"], 1)

    def test_05_prepare_errors_deallocate_and_close_behave_as_in_postgresql(self):
        with connect() as conn:
            pgconn = conn.pgconn
            self.assertEqual(pgconn.prepare(b"s1", b"SELECT $1::int + 10").status, psycopg.pq.ExecStatus.COMMAND_OK)
            self.assertEqual(pgconn.exec_prepared(b"s1", [b"5"]).get_value(0, 0), b"15")
            dup = pgconn.prepare(b"s1", b"SELECT 2")
            self.assertEqual(dup.status, psycopg.pq.ExecStatus.FATAL_ERROR)
            self.assertEqual(dup.error_field(psycopg.pq.DiagnosticField.SQLSTATE), b"42P05")
            self.assertIn(b'prepared statement "s1" already exists', dup.error_message)
            # Still usable after the error, with its original meaning.
            self.assertEqual(pgconn.exec_prepared(b"s1", [b"1"]).get_value(0, 0), b"11")
            missing = pgconn.exec_prepared(b"nosuch", [])
            self.assertEqual(missing.error_field(psycopg.pq.DiagnosticField.SQLSTATE), b"26000")
            conn.execute("DEALLOCATE s1")
            gone = pgconn.exec_prepared(b"s1", [b"1"])
            self.assertEqual(gone.error_field(psycopg.pq.DiagnosticField.SQLSTATE), b"26000")
            with self.assertRaises(psycopg.errors.lookup("26000")):
                conn.execute("DEALLOCATE s1")
            pgconn.prepare(b"s2", b"SELECT 'two'")
            pgconn.prepare(b"s3", b"SELECT 'three'")
            conn.execute("DEALLOCATE ALL")
            self.assertEqual(pgconn.exec_prepared(b"s2", []).error_field(psycopg.pq.DiagnosticField.SQLSTATE),
                             b"26000")
            # A statement whose table went away fails when it is prepared again elsewhere,
            # with PostgreSQL's own error.
            conn.execute("CREATE TABLE IF NOT EXISTS short_lived (x int)")
            pgconn.prepare(b"s4", b"SELECT count(*) FROM short_lived")
            conn.execute("DROP TABLE short_lived")
            failed = pgconn.exec_prepared(b"s4", [])
            self.assertEqual(failed.error_field(psycopg.pq.DiagnosticField.SQLSTATE), b"42P01")
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_06_session_settings_follow_the_client_across_server_connections(self):
        blockers = [connect() for _ in range(POOL_SIZE - 1)]
        try:
            with connect(application_name="tz-client") as tokyo, connect() as plain:
                tokyo.execute("SET TimeZone = 'Asia/Tokyo'")
                tokyo.execute("SET DateStyle = 'SQL, DMY'")
                tokyo.execute("SET application_name = 'renamed'")
                seen_pids = set()
                for i in range(24):
                    # Other clients hold some servers inside open transactions, so that this
                    # client's next transaction lands on another server connection.
                    busy = blockers[: i % POOL_SIZE]
                    for b in busy:
                        b.execute("BEGIN")
                        b.execute("SELECT 1")
                    tz, ds, app, pid = tokyo.execute(
                        "SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
                        " current_setting('application_name'), pg_backend_pid()").fetchone()
                    self.assertEqual((tz, ds, app), ("Asia/Tokyo", "SQL, DMY", "renamed"))
                    seen_pids.add(pid)
                    for b in busy:
                        b.execute("COMMIT")
                    tz2, ds2, app2 = plain.execute(
                        "SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
                        " current_setting('application_name')").fetchone()
                    self.assertNotEqual(tz2, "Asia/Tokyo")
                    self.assertNotEqual(ds2, "SQL, DMY")
                    self.assertNotEqual(app2, "renamed")
                self.assertGreater(len(seen_pids), 1, "always the same server: the test proved nothing")
                # The client sees its own values reported, too.
                self.assertEqual(tokyo.pgconn.parameter_status(b"TimeZone"), b"Asia/Tokyo")
                self.assertEqual(tokyo.pgconn.parameter_status(b"application_name"), b"renamed")
                self.assertNotEqual(plain.pgconn.parameter_status(b"application_name"), b"renamed")
                print(f"settings held on {len(seen_pids)} different server connections", file=sys.stderr)
        finally:
            for b in blockers:
                b.close()

    def test_07_startup_settings_apply_and_a_bad_one_fails_the_login(self):
        with connect(options="-c statement_timeout=1234", application_name="from-startup") as conn:
            for _ in range(3):
                self.assertEqual(conn.execute("SHOW statement_timeout").fetchone()[0], "1234ms")
                self.assertEqual(conn.execute("SHOW application_name").fetchone()[0], "from-startup")
        with connect() as conn:
            for _ in range(POOL_SIZE * 2):  # no server keeps the other client's statement_timeout
                self.assertEqual(conn.execute("SHOW statement_timeout").fetchone()[0], "0")
        with self.assertRaises(psycopg.OperationalError) as e:
            connect(options="-c TimeZone=No/Such_Zone")
        self.assertIn("TimeZone", str(e.exception))

    def test_08_switchover_under_write_load(self):
        stop = threading.Event()
        lock = threading.Lock()
        acked = []
        errors = []
        clients = 50

        def writer(index):
            seq = 0
            conn = None
            while not stop.is_set() and seq < 100000:
                try:
                    if conn is None:
                        conn = connect()
                    seq += 1
                    row = conn.execute("INSERT INTO writes (client, seq) VALUES (%s, %s) RETURNING id",
                                       (f"sw{index}", seq)).fetchone()
                    with lock:
                        acked.append((f"sw{index}", seq))
                    time.sleep(0.01)
                    del row
                except psycopg.Error as e:
                    with lock:
                        errors.append((index, time.monotonic(), str(e).strip().splitlines()[0]))
                    if conn is not None and conn.closed:
                        conn = None
                    time.sleep(0.05)
            if conn is not None:
                conn.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        try:
            time.sleep(3)
            old = CLUSTER.primary().name
            started = time.monotonic()
            CLUSTER.switchover()
            CLUSTER.wait_for_leader(not_name=old, timeout=60)
            switch_time = time.monotonic() - started
            time.sleep(3)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        new_primary = CLUSTER.primary()
        rows = CLUSTER.sql(new_primary, "SELECT client, seq FROM writes WHERE client LIKE 'sw%%'", dbname="appdb")
        stored = {(c, s) for c, s in rows}
        missing = [a for a in acked if a not in stored]
        duplicates = len(rows) - len(stored)
        by_client = {}
        for index, _, message in errors:
            by_client.setdefault(index, []).append(message)
        print(f"switchover under {clients} writers: {len(acked)} acked, {len(errors)} client errors "
              f"({len(by_client)} clients), switchover {switch_time:.1f}s, errors: {sorted(set(m for _, _, m in errors))}",
              file=sys.stderr)
        self.assertEqual(missing, [], "acknowledged writes are missing on the new primary")
        self.assertEqual(duplicates, 0)
        # Only transactions in flight at the demotion may fail: at most one per server connection.
        self.assertLessEqual(len(errors), POOL_SIZE, errors[:10])
        self.assertGreater(len(acked), clients * 5)

    def test_09_no_primary_holds_the_next_transaction_then_fails_past_failover_hold(self):
        leader = CLUSTER.primary()
        CLUSTER.patronictl("pause", "--wait")
        try:
            with connect() as conn:
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                # Patroni on the primary dies (PostgreSQL stays up, paused cluster: no failover):
                # pgfront sees no primary. The next transaction is held, then runs once the
                # primary is back (Patroni restarts ~2 s later; the hold is generous).
                CLUSTER.kill_patroni(leader)
                wait_until(primary_missing, 10, what="pgfront to see no primary")
                restarter = threading.Timer(2.0, lambda: CLUSTER.start_patroni(leader, wait=False))
                restarter.start()
                started = time.monotonic()
                self.assertEqual(conn.execute("SELECT 42").fetchone()[0], 42)
                held = time.monotonic() - started
                restarter.join()
                self.assertGreater(held, 1.5, "the transaction was not held while there was no primary")
                print(f"transaction held {held:.2f}s while no primary was available", file=sys.stderr)
                wait_until(lambda: not primary_missing(), 60, what="primary back")

                # With a short hold the client gets a clear error instead.
                PROXY.write_config(proxy_config(PORT, os.path.join(WORKDIR.name, "userlist.txt"), failover_hold="1s"))
                PROXY.reload()
                time.sleep(0.5)
                CLUSTER.kill_patroni(leader)
                wait_until(primary_missing, 10, what="pgfront to see no primary")
                started = time.monotonic()
                with self.assertRaises(psycopg.OperationalError) as e:
                    conn.execute("SELECT 1")
                waited = time.monotonic() - started
                self.assertIn("no primary was available", str(e.exception))
                self.assertGreater(waited, 0.8)
                self.assertLess(waited, 5)
        finally:
            if not leader.patroni_running():
                CLUSTER.start_patroni(leader)
            CLUSTER.patronictl("resume", "--wait")
            PROXY.write_config(proxy_config(PORT, os.path.join(WORKDIR.name, "userlist.txt")))
            PROXY.reload()
            wait_until(lambda: not primary_missing(), 60, what="primary back")

    def test_10_max_prepared_statements_bounds_each_server_connection(self):
        # A client using more named statements than a server connection may keep: the
        # least recently used ones are closed on the server and prepared again when used.
        limit = 3
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        PROXY.write_config(proxy_config(PORT, userlist, pool_extra=f", max_prepared_statements: {limit}"))
        PROXY.reload()
        time.sleep(0.5)
        try:
            counts = []
            with connect(prepare_threshold=0) as conn:
                for round_ in range(4):
                    for n in range(8):
                        value = conn.execute(f"SELECT {n} + %s::int AS v", (round_,)).fetchone()[0]
                        self.assertEqual(value, n + round_)
                        # psycopg prepares this one too: it counts itself on whichever server
                        # connection it ran on.
                        counts.append(conn.execute(
                            "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'pgfront%%'").fetchone()[0])
            print(f"prepared statements per server connection seen: max {max(counts)} (limit {limit})", file=sys.stderr)
            self.assertLessEqual(max(counts), limit)
            self.assertEqual(max(counts), limit, "the server connections never filled up: the test proves nothing")
        finally:
            PROXY.write_config(proxy_config(PORT, userlist))
            PROXY.reload()

    def test_11_a_server_changed_by_one_client_is_set_back_for_another_with_the_same_settings(self):
        # Two clients that logged in alike share one set of session values, and a server found
        # in line with that set is not compared again. When one of them SETs a value on that
        # server, the other's next transaction there must still get its own value back.
        blockers = [connect() for _ in range(POOL_SIZE - 1)]
        try:
            with connect() as first, connect() as second:
                for b in blockers:  # every server but one is held: both clients share it
                    b.execute("BEGIN")
                    b.execute("SELECT 1")
                query = "SELECT current_setting('TimeZone'), pg_backend_pid()"
                zone, pid = first.execute(query).fetchone()
                self.assertNotEqual(zone, "Asia/Tokyo")
                self.assertEqual(second.execute(query).fetchone(), (zone, pid))
                # the SET is the last thing on the server before the first client's turn
                second.execute("SET TimeZone = 'Asia/Tokyo'")
                self.assertEqual(first.execute(query).fetchone(), (zone, pid))
                self.assertEqual(second.execute(query).fetchone(), ("Asia/Tokyo", pid))
                for b in blockers:
                    b.execute("COMMIT")
        finally:
            for b in blockers:
                b.close()

    def test_12_a_server_that_reports_in_hot_standby_sends_the_transaction_to_the_new_primary(self):
        # A second pgfront that asks Patroni only every 2 minutes: after a switchover its view
        # of the roles is stale. The old primary's in_hot_standby=on, reported when pgfront
        # logs in a new server there, must send the client's next transaction to the new
        # primary instead of into a read-only server.
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        stale = PgFront(e2e_common.pgfront_binary(), CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 120s, failover_interval: 100ms, timeout: 1s, discover_interval: 120s, read_only_hold: 30s}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 10s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: transaction, default_pool_size: 2, failover_hold: 30s}}
auth: {{type: scram-sha-256, auth_file: "{userlist}", auth_user: pgbouncer}}
log: {{level: info}}
""")
        try:
            stale.start()
            stale.wait_listening(port, timeout=10)
            old = CLUSTER.primary()
            with connect(port=port) as conn:
                self.assertEqual(conn.execute("SELECT inet_server_port()").fetchone()[0], old.pg_port)
                started = time.monotonic()
                new = CLUSTER.switchover()
                CLUSTER.wait_for_topology(leader=new.name, streaming_replicas=1, timeout=60)
                self.assertLess(time.monotonic() - started, 100, "the stale pgfront may have polled Patroni meanwhile")
                row = conn.execute("INSERT INTO writes (client, seq) VALUES ('hot-standby', 1)"
                                   " RETURNING inet_server_port(), pg_is_in_recovery()").fetchone()
                self.assertEqual(tuple(row), (new.pg_port, False))
                self.assertLess(time.monotonic() - started, 115)
            self.assertIn(f"primary-port server reports in_hot_standby=on; not using it node={old.name}",
                          stale.log_text())
        finally:
            stale.close()

    def test_13_a_patroni_hiccup_under_load_leaves_every_later_client_served(self):
        # The primary's Patroni stops answering for a moment while 12 clients share 4 servers:
        # pgfront marks the node down, closes its sessions (server reads in flight) and takes
        # it back a moment later. With Asio 1.81's io_uring backend a closed socket's pending
        # read was handed to the next socket: new server logins then hung to their deadline,
        # new clients waited, and a client's stream could be read out of step (08P01).
        script = os.path.join(WORKDIR.name, "select1.sql")
        with open(script, "w") as f:
            f.write("SELECT 1;\n")
        leader = CLUSTER.primary()
        CLUSTER.patronictl("pause", "--wait")  # a stopped Patroni must not cause a failover
        try:
            for flap in range(4):
                load = subprocess.Popen([PGBENCH, "-n", "-f", script, "-c", "12", "-j", "2", "-T", "4",
                                         "-h", "127.0.0.1", "-p", str(PORT), "-U", "app", "appdb"],
                                        env={**os.environ, "PGPASSWORD": "apppass"},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    time.sleep(1.0)
                    os.kill(leader.patroni_pid, signal.SIGSTOP)
                    try:
                        wait_until(primary_missing, 10, what="pgfront to mark the primary down")
                    finally:
                        os.kill(leader.patroni_pid, signal.SIGCONT)
                    wait_until(lambda: not primary_missing(), 10, what="the primary back in pgfront's view")
                finally:
                    load.wait(timeout=60)
                started = time.monotonic()
                with connect(connect_timeout=10) as conn:
                    self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                served = time.monotonic() - started
                self.assertLess(served, 5, f"flap {flap}: a new client waited {served:.1f}s")
            log = PROXY.log_text()[self.log_mark:]
            self.assertNotIn("unknown message type", log)
            self.assertNotIn("did not finish within", log)
            self.assertIn("no longer serves that role", log)  # the hiccup did close sessions
            print("4 Patroni hiccups under load: every later client served at once, no login timed out",
                  file=sys.stderr)
        finally:
            if leader.patroni_pid:
                os.kill(leader.patroni_pid, signal.SIGCONT)
            CLUSTER.patronictl("resume", "--wait")
            wait_until(lambda: not primary_missing(), 60, what="primary back")

    def test_14_reloads_while_auth_query_logins_run_hurt_no_login(self):
        # Every login looks its password up with auth_query (auth_cache_ttl 0) while the
        # configuration is reloaded again and again. A lookup reads auth_user and auth_query
        # after it waited for its server login: if it kept reading the configuration that was
        # current when it began, a reload in between left it reading freed memory, scrambled
        # by glibc (MALLOC_PERTURB_, set for every pgfront of the e2e suite): it crashed or
        # sent garbage as its query (seen once in CI as "auth_query failed: syntax error at or
        # near "|"" and a refused login).
        port, replica_port = free_port(), free_port()

        def config(reload_number):
            return auth_query_yaml(port, replica_port,
                                   f"SELECT usename, passwd FROM pgbouncer.get_auth($1) /* reload {reload_number} */",
                                   "0s", client_login_timeout="10s", pool_size=2)

        proxy = PgFront(e2e_common.pgfront_binary(), config(0))
        stop = threading.Event()
        logins = []
        failures = []
        lock = threading.Lock()

        def log_in_repeatedly():
            deadline = time.monotonic() + 30
            while not stop.is_set() and time.monotonic() < deadline and len(logins) < 5000:
                try:
                    with connect(port=port, connect_timeout=10) as conn:
                        conn.execute("SELECT 1")
                    with lock:
                        logins.append(time.monotonic())
                except psycopg.Error as e:
                    with lock:
                        failures.append(str(e).strip())

        try:
            proxy.start()
            proxy.wait_listening(port, timeout=10)
            with connect(port=port) as conn:  # the primary is known: logins need no wait
                conn.execute("SELECT 1")
            threads = [threading.Thread(target=log_in_repeatedly) for _ in range(3)]
            for t in threads:
                t.start()
            try:
                time.sleep(0.3)
                for n in range(1, 81):
                    if not proxy.running():
                        break
                    proxy.write_config(config(n))
                    proxy.reload()
                    time.sleep(0.025)
                time.sleep(0.3)
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=60)
            self.assertTrue(proxy.running(), f"pgfront exited ({proxy.returncode}): {proxy.log_text()[-3000:]}")
            log = proxy.log_text()
            reloads = log.count("configuration reloaded from")
            print(f"{reloads} reloads while {len(logins)} auth_query logins ran: {len(failures)} failed",
                  file=sys.stderr)
            self.assertEqual(failures[:5], [])
            self.assertNotIn("password lookup failed", log)
            self.assertGreaterEqual(reloads, 40, "too few reloads happened: the test proves little")
            self.assertGreaterEqual(len(logins), 100, "too few logins ran during the reloads")
        finally:
            stop.set()
            proxy.close()

    def test_15_a_lookup_begun_before_a_reload_leaves_the_cleared_cache_empty(self):
        # A reload clears the auth_query cache, so the next login asks with the new auth_query.
        # A lookup that began before the reload (its login as auth_user held 1.5 s by a gate in
        # front of the primary) still answers its own client, but its answer comes from the
        # old auth_query: put into the cache the reload had just cleared, it would let the old
        # password in for the whole auth_cache_ttl after an operator changed auth_query.
        real = CLUSTER.primary().pg_port
        gate = StallGate(real)
        port, replica_port = free_port(), free_port()
        old_query = "SELECT usename, passwd FROM pgbouncer.get_auth($1)"
        new_query = old_query + " WHERE false"  # nobody: every login is refused

        def config(auth_query):
            yaml = auth_query_yaml(port, replica_port, auth_query, "60s", client_login_timeout="10s", pool_size=2,
                                   listen_extra=", server_connect_timeout: 5s")
            return yaml.replace(f"port: {real},", f"port: {gate.port},")

        self.assertIn(f"port: {gate.port},", config(old_query))
        proxy = PgFront(e2e_common.pgfront_binary(), config(old_query))
        first = {}

        def first_login():
            try:
                with connect(port=port) as conn:
                    first["answer"] = conn.execute("SELECT 'served'").fetchone()[0]
            except psycopg.Error as e:
                first["error"] = str(e).strip()

        try:
            proxy.start()
            proxy.wait_listening(port, timeout=10)
            wait_for_primary(proxy)
            gate.delay_next(1, 1.5)  # well within server_connect_timeout (5 s)
            login = threading.Thread(target=first_login)
            login.start()
            wait_until(lambda: gate.delays_pending() == 0, 10, what="the lookup's login reached the gate")
            reloads = proxy.log_text().count("configuration reloaded")
            proxy.write_config(config(new_query))
            proxy.reload()
            wait_until(lambda: proxy.log_text().count("configuration reloaded") > reloads, 10, what="reload")
            self.assertTrue(login.is_alive(), "the first login ended before the reload: the test proves nothing")
            login.join(timeout=30)
            self.assertEqual(first, {"answer": "served"}, proxy.log_text()[-3000:])  # the old answer, for its client
            with self.assertRaises(psycopg.OperationalError) as refused:
                connect(port=port).close()
            self.assertIn("password authentication failed", str(refused.exception))
            self.assertTrue(proxy.running(), f"pgfront exited ({proxy.returncode})")
        finally:
            proxy.close()
            gate.close()

    def test_16_a_login_storm_asks_auth_query_once_per_user_and_on_few_connections(self):
        # Every lookup is a login to the primary as auth_user. 40 logins of one user at once,
        # nothing cached, ask auth_query once: the others wait for its answer. 120 logins of
        # unknown users need a lookup each, but at most 4 run at once (AuthLookup's
        # max_concurrent_lookups), so a login storm cannot take the primary's max_connections
        # (100 here) and every lookup finds a connection slot.
        port = free_port()

        async def log_in(user, password):
            try:
                conn = await psycopg.AsyncConnection.connect(host="127.0.0.1", port=port, dbname="appdb", user=user,
                                                             password=password, connect_timeout=60, autocommit=True)
            except psycopg.OperationalError as e:
                return str(e).strip()
            try:
                await conn.execute("SELECT 1")
                return None
            finally:
                await conn.close()

        async def storm(logins):
            return await asyncio.wait_for(asyncio.gather(*(log_in(u, p) for u, p in logins)), 180)

        with counted_auth_query() as (auth_query, calls):
            proxy = auth_query_proxy(port, auth_query, "60s")
            try:
                proxy.start()
                proxy.wait_listening(port, timeout=10)
                wait_for_primary(proxy)
                failed = [r for r in asyncio.run(storm([("app", "apppass")] * 40)) if r]
                self.assertEqual(failed, [])
                self.assertEqual([u for u, _ in calls()], ["app"], "40 logins of app at once: one auth_query")
                ghosts = [(f"ghost{n}", "nopass") for n in range(120)]
                refused = asyncio.run(storm(ghosts))
                self.assertTrue(all(r and "password authentication failed" in r for r in refused), refused[:3])
                ghost_calls = [(u, n) for u, n in calls() if u.startswith("ghost")]
                self.assertEqual(len(ghost_calls), 120, "an unknown user's lookup each")
                busiest = max(n for _, n in ghost_calls)
                print(f"120 unknown-user logins at once: at most {busiest} auth_user sessions on the primary",
                      file=sys.stderr)
                # Unbounded, 28 of the 120 lookups found no free connection slot at all.
                self.assertLessEqual(busiest, AUTH_LOOKUP_LIMIT)
                self.assertNotIn("password lookup failed", proxy.log_text())
                self.assertTrue(proxy.running(), f"pgfront exited ({proxy.returncode})")
            finally:
                proxy.close()

    def test_17_auth_cache_ttl_reuses_answers_found_or_not_and_then_asks_again(self):
        port = free_port()
        with counted_auth_query() as (auth_query, calls):
            ttl = 5.0
            proxy = auth_query_proxy(port, auth_query, f"{ttl:g}s")
            try:
                proxy.start()
                proxy.wait_listening(port, timeout=10)
                wait_for_primary(proxy)

                def log_in_twice():
                    for _ in range(2):
                        with connect(port=port) as conn:
                            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                        with self.assertRaises(psycopg.OperationalError):
                            connect(port=port, user="ghost", password="nopass").close()

                first_lookup = time.monotonic()
                log_in_twice()
                self.assertLess(time.monotonic() - first_lookup, ttl, "too slow to show the cache")
                self.assertEqual(sorted(u for u, _ in calls()), ["app", "ghost"], "cached within the TTL")
                time.sleep(max(0.0, first_lookup + ttl + 0.2 - time.monotonic()))
                log_in_twice()
                self.assertEqual(sorted(u for u, _ in calls()), ["app", "app", "ghost", "ghost"],
                                 "asked again once the TTL passed, then cached again")
            finally:
                proxy.close()
    def test_18_a_stalled_auth_query_holds_no_login_past_client_login_timeout(self):
        # Five lookups whose auth_query stalls (30 s on the server), more than run at once: a
        # lookup's answer is bounded by client_login_timeout (4 s here), so the slots free up
        # and a login that came 2 s later gets its own lookup before its own timeout.
        port = free_port()
        with counted_auth_query() as (auth_query, _):
            proxy = auth_query_proxy(port, auth_query, "60s", client_login_timeout="4s")
            results = {}
            threads = []
            try:
                proxy.start()
                proxy.wait_listening(port, timeout=10)
                wait_for_primary(proxy)
                for n in range(5):
                    threads.append(start_thread(results, f"stuck{n}", lambda n=n: connect(
                        port=port, user=f"stuck{n}", password="x").close()))
                time.sleep(2)
                started = time.monotonic()
                with connect(port=port) as conn:
                    self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                waited = time.monotonic() - started
                print(f"a login behind 5 stalled lookups got in after {waited:.1f} s", file=sys.stderr)
                for t in threads:
                    t.join(timeout=30)
                self.assertTrue(all(isinstance(results[f"stuck{n}"], psycopg.OperationalError) for n in range(5)),
                                results)
                # The four that ran first gave up at their deadline (the fifth may still run).
                wait_until(lambda: len(re.findall(r"password lookup failed id=\d+ user=stuck\d .*auth_query failed",
                                                  proxy.log_text())) >= 4, 10, what="the stalled lookups to end")
            finally:
                for t in threads:
                    t.join(timeout=30)
                proxy.close()


    def test_19_a_login_on_a_server_of_its_own_does_not_inherit_the_last_clients_settings(self):
        # A startup setting PostgreSQL does not report (JDBC's extra_float_digits) makes the
        # login take a server. That server may come straight from a client that SET things and
        # left (transaction mode resets nothing between clients): the new client must start
        # from a new session's values, not from what was left behind.
        settings = ("SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
                    " current_setting('application_name'), current_setting('default_transaction_read_only'),"
                    " pg_backend_pid()")
        with connect() as plain:
            fresh = plain.execute(settings).fetchone()[:4]
        self.assertNotIn("Asia/Tokyo", fresh)
        blockers = [connect() for _ in range(POOL_SIZE - 1)]
        try:
            for b in blockers:  # every server but one is held: the next two clients share it
                b.execute("BEGIN")
                b.execute("SELECT 1")
            with connect() as earlier:
                for statement in ("SET TimeZone = 'Asia/Tokyo'", "SET DateStyle = 'German'",
                                  "SET application_name = 'earlier'", "SET default_transaction_read_only = on"):
                    earlier.execute(statement)
                left_on = earlier.execute("SELECT pg_backend_pid()").fetchone()[0]
            with connect(options="-c extra_float_digits=2") as later:
                *values, pid = later.execute(settings).fetchone()
                self.assertEqual(pid, left_on, "another server: the test proved nothing")
                self.assertEqual(tuple(values), fresh)
                self.assertEqual(later.pgconn.parameter_status(b"TimeZone").decode(), fresh[0])
                self.assertEqual(later.pgconn.parameter_status(b"default_transaction_read_only"), b"off")
                self.assertEqual(later.execute("SHOW extra_float_digits").fetchone()[0], "2")
        finally:
            for b in blockers:
                b.close()


class Metrics(unittest.TestCase):
    def test_metrics_parse_and_counters_move_with_traffic(self):
        def scrape():
            with urllib.request.urlopen(f"http://127.0.0.1:{ADMIN_PORT}/metrics", timeout=5) as r:
                self.assertIn("text/plain", r.headers.get("Content-Type"))
                text = r.read().decode()
            samples = {}
            declared = set()
            for line in text.splitlines():
                if line.startswith("# TYPE "):
                    declared.add(line.split()[2])
                    continue
                if line.startswith("#") or not line:
                    continue
                m = re.fullmatch(r'(pgfront_[a-z0-9_]+)(\{[^}]*\})? (\S+)', line)
                self.assertIsNotNone(m, f"not Prometheus text: {line!r}")
                self.assertTrue(any(m.group(1).startswith(d) for d in declared), line)
                samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
            return samples

        before = scrape()
        key = 'pgfront_client_connections_accepted_total{listener="primary"}'
        for _ in range(3):
            with connect() as conn:
                conn.execute("SELECT 1")
        e2e_common.scram_login(PORT, "app", "wrong")
        after = scrape()
        self.assertGreaterEqual(after[key] - before[key], 4)
        self.assertGreaterEqual(after["pgfront_auth_failures_total"] - before["pgfront_auth_failures_total"], 1)
        self.assertEqual(after["pgfront_primary_known"], 1)
        self.assertEqual(after[f'pgfront_node_up{{node="{CLUSTER.primary().name}"}}'], 1)


def primary_missing():
    """pgfront's own view, from its admin API: no primary to route to."""
    with urllib.request.urlopen(f"http://127.0.0.1:{ADMIN_PORT}/status", timeout=2) as r:
        return json.loads(r.read()).get("primary") is None


def ensure_node_clients():
    """node-postgres from npm, installed once into a cache directory beside the build."""
    cache = os.path.join(os.path.expanduser("~"), ".cache", "pgfront-e2e-node")
    modules = os.path.join(cache, "node_modules")
    if not os.path.isdir(os.path.join(modules, "pg")):
        os.makedirs(cache, exist_ok=True)
        shutil.copy(os.path.join(CLIENTS_DIR, "package.json"), cache)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", cache], check=True, timeout=300)
    return modules


if __name__ == "__main__":
    e2e_common.main()
