#!/usr/bin/python3
"""Transaction pooling through a real pgfront against a real Patroni cluster: pgfront
authenticates clients itself (SCRAM with the secret PostgreSQL stores, so the server login
reuses the client's proof keys; MD5 and wrong passwords too), shares a small pool among more
clients than servers, never hands a dirty server to another client (also when a client's
connection drops without a Terminate), and passes COPY, errors inside transactions, cancels
and pgbench through; the same in session and statement mode (EveryMode), and LISTEN/NOTIFY,
auth_query and statement mode's refusal of transaction blocks (OtherModes)."""
import hashlib
import os
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import psycopg

import e2e_common
from e2e_common import read_error_response, read_message, wait_until, wire_message

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None
PROXY = None
PORT = None
POOL_SIZE = 4
WORKDIR = None
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"


def setUpModule():
    global CLUSTER, PROXY, PORT, WORKDIR
    CLUSTER = Cluster(nodes=2, scope="pooling")
    CLUSTER.start()
    secret = CLUSTER.sql(CLUSTER.primary(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
    assert secret.startswith("SCRAM-SHA-256$"), secret
    CLUSTER.sql(CLUSTER.primary(), "CREATE ROLE plainuser LOGIN PASSWORD 'plainpass'")
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-pooling-")
    userlist = os.path.join(WORKDIR.name, "userlist.txt")
    with open(userlist, "w") as f:
        # app: the SCRAM secret as pg_authid has it (PgBouncer's auth_query would return the
        # same); plainuser: a plaintext password, which pgfront then uses for the server too.
        f.write(f'"app" "{secret}"\n"plainuser" "plainpass"\n')
    PORT = free_port()
    PROXY = PgFront(e2e_common.pgfront_binary(), proxy_config(PORT, "scram-sha-256", userlist))
    PROXY.start()
    PROXY.wait_listening(PORT, timeout=10)


def proxy_config(port, auth_type, userlist, mode="transaction"):
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 5s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: {mode}, default_pool_size: {POOL_SIZE}, query_wait_timeout: 20s}}
auth: {{type: {auth_type}, auth_file: "{userlist}"}}
log: {{level: debug}}
"""


def tearDownModule():
    if PROXY:
        PROXY.terminate()
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def connect(user="app", password="apppass", **kw):
    params = dict(host="127.0.0.1", port=PORT, dbname="appdb", user=user, password=password,
                  connect_timeout=20, autocommit=True)
    params.update(kw)
    return psycopg.connect(**params)


def server_connections():
    rows = CLUSTER.sql(CLUSTER.primary(),
                       "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND datname = 'appdb'")
    return rows[0][0]


def vanish(conn):
    """The client's TCP connection ends without a Terminate (a killed process, a dropped
    network): pgfront reads end of file wherever the client was."""
    with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:
        sock.shutdown(socket.SHUT_RDWR)
    conn.close()


def assert_no_dirty_server(test, connect, client_tag, clients):
    """`clients` logins in turn each see no row the vanished client wrote and get a server
    with no transaction open."""
    for _ in range(clients):
        with connect() as conn:
            test.assertEqual(conn.execute("SELECT count(*) FROM writes WHERE client = %s", (client_tag,)).fetchone()[0], 0)
            test.assertIsNone(conn.execute("SELECT pg_current_xact_id_if_assigned()").fetchone()[0])


def assert_copy_in_and_out(test, conn, client_tag):
    with conn.cursor() as cur:
        with cur.copy("COPY writes(client, seq) FROM STDIN") as copy:
            for i in range(1000):
                copy.write_row((client_tag, i))
        out = bytearray()
        with cur.copy("COPY (SELECT seq FROM writes WHERE client = %s ORDER BY seq) TO STDOUT", (client_tag,)) as copy:
            for chunk in copy:
                out += chunk
    test.assertEqual(out.decode().split(), [str(i) for i in range(1000)])


def run_pgbench(test, port, args, clients):
    env = dict(os.environ, PGPASSWORD="apppass")
    run = subprocess.run([PGBENCH, "-n", *args, "-c", str(clients), "-j", "1", "-T", "3", "-h", "127.0.0.1",
                          "-p", str(port), "-U", "app", "appdb"], env=env, capture_output=True, text=True, timeout=120)
    test.assertEqual(run.returncode, 0, run.stdout + run.stderr)
    test.assertIn("number of failed transactions: 0", run.stdout)


class Pooling(unittest.TestCase):
    def setUp(self):
        self.log_mark = len(PROXY.log_text())

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if result and any(test is self for test, _ in result.failures + result.errors):
            print(PROXY.log_text()[self.log_mark:][-5000:])

    def test_01_scram_login_with_a_stored_secret_reaches_the_primary(self):
        with connect() as conn:
            port, in_recovery, user = conn.execute(
                "SELECT inet_server_port(), pg_is_in_recovery(), current_user").fetchone()
        self.assertEqual(port, CLUSTER.primary().pg_port)
        self.assertFalse(in_recovery)
        self.assertEqual(user, "app")

    def test_02_wrong_password_and_unknown_user_get_the_same_28P01(self):
        wrong = e2e_common.scram_login(PORT, "app", "wrong")
        unknown = e2e_common.scram_login(PORT, "nosuchuser", "whatever")
        self.assertEqual(wrong["C"], "28P01")
        self.assertEqual(unknown["C"], "28P01")
        self.assertEqual(wrong["M"].replace("app", "USER"), unknown["M"].replace("nosuchuser", "USER"))
        self.assertIsNone(e2e_common.scram_login(PORT, "app", "apppass"))
        with self.assertRaises(psycopg.OperationalError) as e:
            connect(password="wrong")
        self.assertIn('password authentication failed for user "app"', str(e.exception))
        self.assertNotIn("SCRAM-SHA-256$", PROXY.log_text())

    def test_02b_a_wrong_password_takes_as_long_for_a_listed_user_as_for_an_unknown_one(self):
        # A plaintext auth_file entry needs a SCRAM secret derived with PBKDF2 (thousands of
        # HMACs); done at each login, it made refusals of listed users measurably slower
        # than of unknown ones. Interleaved medians, judged against what one PBKDF2 costs here.
        started = time.perf_counter()
        hashlib.pbkdf2_hmac("sha256", b"plainpass", b"0123456789abcdef", 4096)
        pbkdf2 = time.perf_counter() - started

        def refusal_time(user):
            started = time.perf_counter()
            fields = e2e_common.scram_login(PORT, user, "wrongpass")
            elapsed = time.perf_counter() - started
            self.assertEqual(fields["C"], "28P01")
            return elapsed

        times = {"plainuser": [], "nosuchuser": []}
        for _ in range(60):
            for user, samples in times.items():
                samples.append(refusal_time(user))
        listed, unknown = (statistics.median(times[u]) for u in ("plainuser", "nosuchuser"))
        print(f"\n    wrong password: listed {listed * 1000:.2f} ms, unknown {unknown * 1000:.2f} ms, "
              f"one PBKDF2 {pbkdf2 * 1000:.2f} ms", file=sys.stderr)
        self.assertLess(abs(listed - unknown), pbkdf2 / 2)

    def test_03_plaintext_entry_and_md5_clients(self):
        with connect(user="plainuser", password="plainpass") as conn:
            self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "plainuser")
        # auth.type md5: a plaintext entry gets an MD5 challenge; a stored SCRAM secret still
        # gets SCRAM, as PostgreSQL does for md5 in pg_hba.conf.
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        with PgFront(e2e_common.pgfront_binary(), proxy_config(port, "md5", userlist)) as md5_proxy:
            md5_proxy.wait_listening(port, timeout=10)
            for user, password in (("plainuser", "plainpass"), ("app", "apppass")):
                with psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user=user, password=password,
                                     connect_timeout=20) as conn:
                    self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], user)
            with self.assertRaises(psycopg.OperationalError):
                psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user="plainuser", password="nope",
                                connect_timeout=20)

    def test_04_more_clients_than_servers_share_the_pool(self):
        # Named prepared statements in transaction mode are the next issue's work: keep
        # psycopg from preparing here.
        conns = [connect(prepare_threshold=None) for _ in range(3 * POOL_SIZE)]
        try:
            errors = []

            def work(conn, n):
                try:
                    for i in range(30):
                        with conn.transaction():
                            conn.execute("INSERT INTO writes(client, seq) VALUES (%s, %s)", (f"pool-{n}", i))
                            conn.execute("SELECT pg_sleep(0.001)")
                except Exception as e:  # reported below
                    errors.append(repr(e))

            threads = [threading.Thread(target=work, args=(c, n)) for n, c in enumerate(conns)]
            for t in threads:
                t.start()
            peak = 0
            while any(t.is_alive() for t in threads):
                peak = max(peak, server_connections())
                time.sleep(0.05)
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertLessEqual(peak, POOL_SIZE)
            with connect() as conn:
                count = conn.execute("SELECT count(*) FROM writes WHERE client LIKE 'pool-%'").fetchone()[0]
            self.assertEqual(count, 3 * POOL_SIZE * 30)
        finally:
            for c in conns:
                c.close()

    def test_05_errors_inside_a_transaction_roll_back_and_the_client_carries_on(self):
        with connect(autocommit=False) as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('rolled-back', 1)")
            with self.assertRaises(psycopg.errors.DivisionByZero):
                conn.execute("SELECT 1/0")
            conn.rollback()
            self.assertEqual(conn.execute("SELECT count(*) FROM writes WHERE client = 'rolled-back'").fetchone()[0], 0)
            conn.commit()

    def test_06_copy_in_and_out(self):
        with connect() as conn:
            assert_copy_in_and_out(self, conn, "copied")

    def test_07_a_client_vanishing_mid_transaction_leaves_no_dirty_server(self):
        victim = connect(autocommit=False)
        victim.execute("INSERT INTO writes(client, seq) VALUES ('dirty', 1)")
        victim.pgconn.finish()  # gone without COMMIT or ROLLBACK
        assert_no_dirty_server(self, connect, "dirty", 3 * POOL_SIZE)

    def test_07b_a_connection_dropped_mid_transaction_leaves_no_dirty_server(self):
        victim = connect(autocommit=False)
        victim.execute("INSERT INTO writes(client, seq) VALUES ('dropped', 1)")
        vanish(victim)  # no Terminate: end of file in the middle of the transaction
        assert_no_dirty_server(self, connect, "dropped", 3 * POOL_SIZE)

    def test_08_cancel_reaches_the_server_the_client_is_using(self):
        with connect() as conn:
            e2e_common.assert_query_cancelled(self, conn)

    def test_09_pgbench_with_more_clients_than_servers(self):
        init = subprocess.run([PGBENCH, "-i", "-s", "1", "-q", "-h", "127.0.0.1", "-p", str(PORT), "-U", "app",
                               "appdb"], env=dict(os.environ, PGPASSWORD="apppass"), capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(init.returncode, 0, init.stderr)
        # Read-only selects in both query protocols, then TPC-B's multi-statement
        # transactions (a server stays leased across BEGIN ... END).
        for args in (["-S", "-M", "simple"], ["-S", "-M", "extended"], ["-M", "simple"]):
            run_pgbench(self, PORT, args, 16)

    def test_09b_a_psql_script_with_transactions_savepoints_errors_and_copy(self):
        # One psql session: a transaction that survives an error through a savepoint, \copy
        # both ways, \gset, and two statements in one Query message (\;).
        script = """\\set ON_ERROR_STOP 0
BEGIN;
INSERT INTO writes(client, seq) VALUES ('psql', 1);
SAVEPOINT before_error;
SELECT 1/0;
ROLLBACK TO SAVEPOINT before_error;
INSERT INTO writes(client, seq) VALUES ('psql', 2);
COMMIT;
\\copy writes(client, seq) FROM STDIN
psql\t3
psql\t4
\\.
SELECT 'rows=' || count(*) || ' sum=' || sum(seq) AS summary FROM writes WHERE client = 'psql' \\gset
\\echo :summary
SELECT 'multi-1' \\; SELECT 'multi-2';
\\copy (SELECT seq FROM writes WHERE client = 'psql' ORDER BY seq) TO STDOUT
"""
        out = subprocess.run(["psql", f"host=127.0.0.1 port={PORT} dbname=appdb user=app", "-X", "-q", "-t", "-A"],
                             input=script, env=dict(os.environ, PGPASSWORD="apppass"), capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("division by zero", out.stderr)
        self.assertEqual(out.stderr.count("ERROR"), 1, out.stderr)
        self.assertEqual(out.stdout.split(), ["rows=4", "sum=10", "multi-1", "multi-2", "1", "2", "3", "4"], out.stdout)

    def test_10_garbage_after_login_gets_08P01_and_others_carry_on(self):
        with socket.create_connection(("127.0.0.1", PORT)) as s:
            s.sendall(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")  # SSLRequest
            self.assertEqual(s.recv(1), b"N")
            s.sendall(b"\x00\x00\x00\x05\x00")  # a 5-byte "startup packet"
            fields = read_error_response(s)
            self.assertEqual(fields["C"], "08P01")
        with connect() as conn:
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_11_rows_over_64_mb_both_ways_in_pieces_and_pgfront_stays_under_64_mb(self):
        relay_large_rows(self, connect, PROXY.pid)
        with connect() as conn:
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
        # The buffers that grew for those messages are given back once they are relayed (what
        # malloc keeps of them is bounded by its trim threshold).
        rss_mb = rss_kb(PROXY.pid) / 1024
        print(f"pgfront RSS after relaying 70 MB rows: {rss_mb:.1f} MB", file=sys.stderr)
        if not os.environ.get("PGFRONT_SANITIZED"):  # ASan's shadow memory and quarantine count too
            self.assertLess(rss_mb, 64)

    def test_11b_a_client_gone_halfway_through_a_large_message_takes_its_server_with_it(self):
        # Half of a 1 MB Bind has gone on to the server when the client disappears: that server
        # is closed, never lent to the next client with half a message in it.
        sock, fields = e2e_common.scram_session(PORT, "app", "apppass")
        self.assertIsNone(fields)
        with sock:
            sock.sendall(wire_message(b"Q", b"BEGIN\0"))
            self.assertEqual(read_until_ready(sock)[-1], (b"Z", b"T"))
            sock.sendall(wire_message(b"Q", b"SELECT pg_backend_pid()\0"))
            row = next(body for kind, body in read_until_ready(sock) if kind == b"D")
            backend = int(row[6:].decode())
            param = b"x" * (1 << 20)
            bind = wire_message(b"B", b"\0\0" + struct.pack("!hhi", 0, 1, len(param)) + param + struct.pack("!h", 0))
            sock.sendall(wire_message(b"P", b"\0SELECT length($1)\0\0\0") + bind[:len(bind) // 2])
            time.sleep(0.5)  # pgfront passes the first half on
        wait_until(lambda: backend not in backend_pids(), 10, what="the server with half a message to close")
        with connect() as conn:
            self.assertEqual(conn.execute("SELECT length(%s)", ("y" * 100_000,)).fetchone()[0], 100_000)

    def test_11c_a_large_query_that_may_drop_statements_leaves_its_server_closed(self):
        # A Query too large to hold is watched for DEALLOCATE/DISCARD as it passes; one that
        # mentions them may have dropped statements pgfront's cache still lists, so its server
        # is not lent again. A large query without them leaves the server in the pool.
        padding = "x" * 200_000
        with connect() as conn:
            clean = conn.execute(f"SELECT pg_backend_pid() /* {padding} */").fetchone()[0]
            time.sleep(0.5)
            self.assertIn(clean, backend_pids())
            worrying = conn.execute(f"SELECT pg_backend_pid() /* {padding} discard {padding} */").fetchone()[0]
        wait_until(lambda: worrying not in backend_pids(), 10, what="the server that ran DISCARD-like text to close")


    def test_11d_half_a_copy_data_outside_copy_is_never_lent_on(self):
        # CopyData outside COPY leaves no request outstanding, so only the half-sent message
        # tells that this server is waiting for 800,000 more bytes: the next client's requests
        # must not become them.
        sock, fields = e2e_common.scram_session(PORT, "app", "apppass")
        self.assertIsNone(fields)
        with sock:
            sock.sendall(b"d" + struct.pack("!I", 1_000_000) + b"x" * 200_000)
            time.sleep(0.5)  # pgfront leases a server and passes the first part on
        time.sleep(0.2)
        with connect() as conn, e2e_common.watchdog(conn, 15, "queries after the half CopyData"):
            for _ in range(2 * POOL_SIZE):
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_11e_a_large_message_waits_for_the_replies_the_server_still_owes(self):
        # Pipelined in one go: a query with a 30 MB result and its Sync, then a 20 MB Bind.
        # Streaming the Bind while the server still writes the result would fill both
        # directions' buffers and stall both sides; pgfront relays the result first.
        sock, fields = e2e_common.scram_session(PORT, "app", "apppass", timeout=60)
        self.assertIsNone(fields)
        param = b"y" * (20 * 1024 * 1024)
        requests = (wire_message(b"P", b"\0SELECT repeat('x', 1000) FROM generate_series(1, 30000)\0\0\0")
                    + wire_message(b"B", b"\0\0\0\0\0\0\0\0") + wire_message(b"E", b"\0\0\0\0\0")
                    + wire_message(b"S", b"")
                    + wire_message(b"P", b"\0SELECT length($1)\0\0\0")
                    + wire_message(b"B", b"\0\0" + struct.pack("!hhi", 0, 1, len(param)) + param + struct.pack("!h", 0))
                    + wire_message(b"E", b"\0\0\0\0\0") + wire_message(b"S", b""))
        with sock:
            writer = threading.Thread(target=sock.sendall, args=(requests,))
            writer.start()
            rows, answers, ready = 0, [], 0
            while ready < 2:  # a stall ends in the socket's 60 s timeout
                kind, body = read_message(sock)
                if kind == b"D":
                    rows += 1
                    if ready == 1:
                        answers.append(int(body[6:].decode()))
                elif kind == b"Z":
                    ready += 1
                elif kind == b"E":
                    self.fail(f"error: {body!r}")
            writer.join(10)
        self.assertEqual(rows, 30001)
        self.assertEqual(answers, [len(param)])

    def test_11f_a_long_pipeline_without_sync_is_relayed_as_it_goes(self):
        # psycopg's pipeline mode sends Sync only at the end. PostgreSQL sends replies as its
        # output buffer fills; 40,000 statements with ~10 MB of replies overflow every buffer
        # on the way unless pgfront relays them while the client is still sending.
        value = "v" * 200
        with connect() as conn, e2e_common.watchdog(conn, 60, "the 40,000-statement pipeline"):
            with conn.pipeline():
                cursors = [conn.execute("SELECT %s::text || %s", (value, str(i))) for i in range(40_000)]
            self.assertEqual(cursors[-1].fetchone()[0], value + "39999")
            self.assertEqual(cursors[12345].fetchone()[0], value + "12345")


def backend_pids():
    rows = CLUSTER.sql(CLUSTER.primary(), "SELECT pid FROM pg_stat_activity WHERE usename = 'app'")
    return {row[0] for row in rows}


def read_until_ready(sock):
    """Messages up to and including ReadyForQuery, as (type, body) pairs."""
    messages = []
    while not messages or messages[-1][0] != b"Z":
        messages.append(read_message(sock))
    return messages


LARGE_ROW = 70 * 1024 * 1024


def relay_large_rows(test, connect, pid):
    """70 MB rows both ways, each in one message: a Bind parameter (of the unnamed statement
    and of a named one), a DataRow, a CopyData each way, a Query with the row as a literal.
    pgfront forwards them in pieces as they arrive, so its peak RSS grows by far less than one
    row."""
    body = os.urandom(LARGE_ROW // 2).hex()  # incompressible text: the wire carries all of it
    digest = hashlib.md5(body.encode()).hexdigest()
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM
    before_kb = rss_kb(pid)
    with connect() as conn, e2e_common.watchdog(conn, 300, "relaying the 70 MB rows"):
        conn.execute("DROP TABLE IF EXISTS big_rows")
        conn.execute("CREATE TABLE big_rows (id int PRIMARY KEY, body text)")
        # One Bind message of 70 MB to the server, one DataRow of 70 MB back.
        stored = conn.execute("INSERT INTO big_rows VALUES (1, %s) RETURNING md5(body), length(body)",
                              (body,)).fetchone()
        test.assertEqual(stored, (digest, LARGE_ROW))
        back = conn.execute("SELECT body FROM big_rows WHERE id = 1").fetchone()[0]
        test.assertEqual(hashlib.md5(back.encode()).hexdigest(), digest)
        del back
        # COPY TO: one CopyData of 70 MB from the server.
        copied = bytearray()
        with conn.cursor() as cur, cur.copy("COPY (SELECT body FROM big_rows WHERE id = 1) TO STDOUT") as copy:
            for chunk in copy:
                copied += chunk
        test.assertEqual(hashlib.md5(bytes(copied).rstrip(b"\n")).hexdigest(), digest)
        del copied
        # COPY FROM: one CopyData of 70 MB from the client (psycopg's copy.write() would cut
        # it into 128 kB messages; its generator sends the buffer as it is).
        from psycopg.generators import copy_to
        line = b"2\t" + body.encode() + b"\n"
        with conn.cursor() as cur, cur.copy("COPY big_rows FROM STDIN") as copy:
            conn.wait(copy_to(conn.pgconn, line))
        del line
        test.assertEqual(conn.execute("SELECT md5(body) FROM big_rows WHERE id = 2").fetchone()[0], digest)
        # A simple Query of 70 MB (the row as a literal).
        conn.execute(("INSERT INTO big_rows VALUES (3, '" + body + "')").encode())
        test.assertEqual(conn.execute("SELECT md5(body) FROM big_rows WHERE id = 3").fetchone()[0], digest)
        # A named prepared statement's Bind of 70 MB (its name is rewritten in transaction mode).
        for row in (4, 5):  # prepared once, then the server has it
            conn.execute("INSERT INTO big_rows VALUES (%s, %s)", (row, body), prepare=True)
        test.assertEqual(conn.execute("SELECT count(*) FROM big_rows WHERE md5(body) = %s", (digest,)).fetchone()[0], 5)
        conn.execute("DROP TABLE big_rows")
    peak_mb = (peak_rss_kb(pid) - before_kb) / 1024
    print(f"pgfront peak RSS growth while relaying 70 MB messages: {peak_mb:.1f} MB", file=sys.stderr)
    test.assertLess(peak_mb, 16, "a large message was held whole instead of forwarded in pieces")


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


class EveryMode(unittest.TestCase):
    """What the Pooling class checks in transaction mode, in session and statement mode too,
    each through a pgfront of its own."""

    @classmethod
    def setUpClass(cls):
        init = subprocess.run([PGBENCH, "-i", "-s", "1", "-q", "-h", "127.0.0.1", "-p", str(CLUSTER.primary().pg_port),
                               "-U", "app", "appdb"], env=dict(os.environ, PGPASSWORD="apppass"),
                              capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, init.stderr

    def start(self, mode):
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        proxy = PgFront(e2e_common.pgfront_binary(), proxy_config(port, "scram-sha-256", userlist, mode))
        proxy.start()
        self.addCleanup(proxy.close)
        proxy.wait_listening(port, timeout=10)

        def connect_here(**kw):
            params = dict(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                          connect_timeout=20, autocommit=True)
            params.update(kw)
            return psycopg.connect(**params)
        return port, connect_here

    def test_session_mode(self):
        port, connect_here = self.start("session")
        with connect_here(autocommit=False) as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('session-rolled-back', 1)")
            with self.assertRaises(psycopg.errors.DivisionByZero):
                conn.execute("SELECT 1/0")
            conn.rollback()
            self.assertEqual(
                conn.execute("SELECT count(*) FROM writes WHERE client = 'session-rolled-back'").fetchone()[0], 0)
            conn.commit()
        with connect_here() as conn:
            assert_copy_in_and_out(self, conn, "session-copied")
            e2e_common.assert_query_cancelled(self, conn)
        for index, leave in enumerate((lambda c: c.pgconn.finish(), vanish)):
            victim = connect_here(autocommit=False)
            victim.execute("INSERT INTO writes(client, seq) VALUES (%s, 1)", (f"session-dirty-{index}",))
            leave(victim)
            assert_no_dirty_server(self, connect_here, f"session-dirty-{index}", 3 * POOL_SIZE)
        # A session holds its server to the end: as many clients as servers.
        for args in (["-S", "-M", "simple"], ["-S", "-M", "extended"], ["-M", "prepared"]):
            run_pgbench(self, port, args, POOL_SIZE)

    def test_statement_mode(self):
        port, connect_here = self.start("statement")
        with connect_here() as conn:
            with self.assertRaises(psycopg.errors.DivisionByZero):
                conn.execute("SELECT 1/0")
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
            assert_copy_in_and_out(self, conn, "statement-copied")
            e2e_common.assert_query_cancelled(self, conn)
        # Every statement gives its server back: more clients than servers.
        for args in (["-S", "-M", "simple"], ["-S", "-M", "extended"], ["-S", "-M", "prepared"]):
            run_pgbench(self, port, args, 4 * POOL_SIZE)


def read_while_idle(conn, timeout):
    """Reads conn's socket without sending anything for up to `timeout` seconds: the first
    NotificationResponse, or "ended" when the connection ends; None when neither came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0.2)
        if readable:
            try:
                conn.pgconn.consume_input()
            except psycopg.OperationalError:
                return "ended"
            notification = conn.pgconn.notifies()
            if notification is not None:
                return notification
    return None


class OtherModes(unittest.TestCase):
    def test_listen_notify_and_reset_before_reuse(self):
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        with PgFront(e2e_common.pgfront_binary(), proxy_config(port, "scram-sha-256", userlist, "session")) as proxy:
            proxy.wait_listening(port, timeout=10)
            params = dict(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                          connect_timeout=20, autocommit=True)
            listener = psycopg.connect(**params)
            received = []
            listener.add_notify_handler(received.append)
            listener.execute("LISTEN pgfront_test")
            listener.execute("SET application_name = 'left-behind'")
            backend = listener.execute("SELECT pg_backend_pid()").fetchone()[0]
            # Delivered to the idle listener as it comes, as PostgreSQL does: no query of the
            # listener's own fetches it.
            for payload in ("hello", "again"):
                with psycopg.connect(**params) as notifier:
                    notifier.execute(f"NOTIFY pgfront_test, '{payload}'")
                notified = time.monotonic()
                notification = read_while_idle(listener, 10)
                self.assertIsNotNone(notification, "no notification reached the idle listener within 10 s")
                self.assertEqual(notification.extra, payload.encode())
                self.assertLess(time.monotonic() - notified, 2)
            listener.close()
            # The same server comes back to a later client, reset: DISCARD ALL ran. The pool
            # lends its most recently used server first, so if a client connects while the
            # listener's reset is still running, the notifier's server is returned after it and
            # stays in front. Two clients at once take both idle servers.
            def reused():
                with psycopg.connect(**params) as first, psycopg.connect(**params) as second:
                    for conn in (first, second):
                        pid, name = conn.execute("SELECT pg_backend_pid(), current_setting('application_name')").fetchone()
                        if pid == backend:
                            return pid, name
                return None
            pid, name = wait_until(reused, 10, what="the listener's server to be reused")
            self.assertNotEqual(name, "left-behind")


    def test_session_mode_passes_on_a_server_ending_an_idle_session_at_once(self):
        # pg_terminate_backend of an idle session-mode client: its FATAL and the end of the
        # connection reach the client while it waits, as from PostgreSQL, not at its next query.
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        with PgFront(e2e_common.pgfront_binary(), proxy_config(port, "scram-sha-256", userlist, "session")) as proxy:
            proxy.wait_listening(port, timeout=10)
            conn = psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                                   connect_timeout=20, autocommit=True)
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            CLUSTER.sql(CLUSTER.primary(), "SELECT pg_terminate_backend(%s)", (backend,), dbname="appdb")
            self.assertEqual(read_while_idle(conn, 5), "ended",
                             "the idle client's connection was still open 5 s after its backend was terminated")
            # libpq then says what it says on a direct connection (the FATAL came while idle).
            self.assertIn(b"server closed the connection unexpectedly", conn.pgconn.error_message)
            conn.close()

    def test_session_mode_relays_large_messages_in_pieces(self):
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        with PgFront(e2e_common.pgfront_binary(), proxy_config(port, "scram-sha-256", userlist, "session")) as proxy:
            proxy.wait_listening(port, timeout=10)
            def session_connect():
                return psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                                       connect_timeout=20, autocommit=True)
            relay_large_rows(self, session_connect, proxy.pid)

    def test_auth_query_secret_works_for_the_client_and_the_server(self):
        # Only auth_user's own password is in the file; app's SCRAM secret comes from
        # pgbouncer.get_auth() on the primary, and the client's proof keys then log in to
        # PostgreSQL as app. Wrong and unknown users still get 28P01.
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "auth_user_only.txt")
        with open(userlist, "w") as f:
            f.write('"pgbouncer" "bouncerpass"\n')
        config = proxy_config(port, "scram-sha-256", userlist).replace(
            "auth: {type: scram-sha-256,", "auth: {auth_user: pgbouncer, auth_cache_ttl: 1s, type: scram-sha-256,")
        with PgFront(e2e_common.pgfront_binary(), config) as proxy:
            proxy.wait_listening(port, timeout=10)
            for _ in range(3):  # first through auth_query, then from the cache
                with psycopg.connect(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                                     connect_timeout=20) as conn:
                    self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "app")
            self.assertEqual(e2e_common.scram_login(port, "app", "wrong")["C"], "28P01")
            self.assertEqual(e2e_common.scram_login(port, "nosuchuser", "x")["C"], "28P01")
            self.assertNotIn("SCRAM-SHA-256$", proxy.log_text())

    def test_statement_mode_refuses_transaction_blocks(self):
        port = free_port()
        userlist = os.path.join(WORKDIR.name, "userlist.txt")
        with PgFront(e2e_common.pgfront_binary(), proxy_config(port, "scram-sha-256", userlist, "statement")) as proxy:
            proxy.wait_listening(port, timeout=10)
            params = dict(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                          connect_timeout=20, autocommit=True, prepare_threshold=None)
            with psycopg.connect(**params) as conn:
                for i in range(5):
                    self.assertEqual(conn.execute("SELECT %s::int", (i,)).fetchone()[0], i)
            conn = psycopg.connect(**params)
            try:
                with self.assertRaises(psycopg.Error) as e:
                    conn.execute("BEGIN")
                    conn.execute("SELECT 1")
                self.assertIn("transaction blocks not allowed in statement pooling mode", str(e.exception))
            finally:
                conn.close()
            with psycopg.connect(**params) as other:  # the server went back clean
                self.assertIsNone(other.execute("SELECT pg_current_xact_id_if_assigned()").fetchone()[0])


if __name__ == "__main__":
    e2e_common.main()
