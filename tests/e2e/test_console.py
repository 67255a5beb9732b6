#!/usr/bin/python3
"""The PgBouncer-style admin console through a real pgfront (transaction mode) in front of a
real 2-node Patroni cluster, side by side with a real PgBouncer 1.18 from Debian: every SHOW
answers with PgBouncer's own column names and type OIDs, psql reads SHOW POOLS, the counters
move with traffic, PAUSE holds a new transaction until RESUME, RELOAD and KILL work, a stats
user may only look, and a user in neither list is refused with 28000. (Debian 12's
prometheus-pgbouncer-exporter 1.7 is not used: it expects SHOW STATS's pre-1.8 column
total_requests and fails against PgBouncer 1.18 itself.) One cluster serves the module."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import psycopg

import e2e_common
from e2e_common import wait_until

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None
WORKDIR = None
PROXY = None
PROXY_PORT = None
BOUNCER = None  # (process, port)

SHOWS = ["POOLS", "STATS", "CLIENTS", "SERVERS", "DATABASES", "CONFIG", "VERSION", "LISTS", "USERS"]


def userlist_text():
    return ('"app" "apppass"\n"admin" "adminpass"\n"watcher" "watcherpass"\n"nobody" "nobodypass"\n')


def start_pgbouncer():
    """PgBouncer 1.18 as Debian ships it, as the postgres user, in its own directory."""
    directory = os.path.join(WORKDIR.name, "pgbouncer")
    os.makedirs(directory)
    port = free_port()
    primary = CLUSTER.primary()
    with open(os.path.join(directory, "userlist.txt"), "w") as f:
        f.write(userlist_text())
    with open(os.path.join(directory, "pgbouncer.ini"), "w") as f:
        f.write(f"""[databases]
appdb = host=127.0.0.1 port={primary.pg_port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = md5
auth_file = {directory}/userlist.txt
admin_users = admin
stats_users = watcher
pool_mode = transaction
""")
    shutil.chown(directory, "postgres")
    for name in os.listdir(directory):
        shutil.chown(os.path.join(directory, name), "postgres")
    process = subprocess.Popen(["runuser", "-u", "postgres", "--", "/usr/sbin/pgbouncer",
                                os.path.join(directory, "pgbouncer.ini")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, port


def setUpModule():
    global CLUSTER, WORKDIR, PROXY, PROXY_PORT, BOUNCER
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-console-")
    os.chmod(WORKDIR.name, 0o755)
    CLUSTER = Cluster(nodes=2, scope="console")
    CLUSTER.start()
    userlist = os.path.join(WORKDIR.name, "userlist.txt")
    with open(userlist, "w") as f:
        f.write(userlist_text())
    PROXY_PORT = free_port()
    PROXY = PgFront(e2e_common.pgfront_binary(), CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{PROXY_PORT}", replica: "127.0.0.1:{free_port()}"}}
admin:
  listen: "127.0.0.1:{free_port()}"
  admin_users: [admin]
  stats_users: [watcher]
pool:
  mode: transaction
  default_pool_size: 4
  query_wait_timeout: 60s
auth:
  type: scram-sha-256
  auth_file: "{userlist}"
log: {{level: debug}}
""", workdir=WORKDIR.name)
    PROXY.start()
    PROXY.wait_listening(PROXY_PORT)
    BOUNCER = start_pgbouncer()
    wait_until(lambda: console(BOUNCER[1]) is not None, 10, what="PgBouncer's console")


def tearDownModule():
    if BOUNCER:
        BOUNCER[0].terminate()
        try:
            BOUNCER[0].wait(10)
        except subprocess.TimeoutExpired:
            BOUNCER[0].kill()
    if PROXY:
        PROXY.close()
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def console(port, user="admin", password="adminpass"):
    try:
        return psycopg.connect(host="127.0.0.1", port=port, dbname="pgbouncer", user=user, password=password,
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return None


def app(**kw):
    return psycopg.connect(host="127.0.0.1", port=PROXY_PORT, dbname="appdb", user="app", password="apppass",
                           autocommit=True, connect_timeout=10, **kw)


def show(conn, subject):
    cur = conn.execute(f"SHOW {subject}")
    columns = [(d.name, d.type_code) for d in cur.description]
    return columns, [dict(zip([c[0] for c in columns], row)) for row in cur.fetchall()]


class Console(unittest.TestCase):
    def test_01_every_show_has_pgbouncers_columns_and_types(self):
        with console(PROXY_PORT) as ours, console(BOUNCER[1]) as theirs:
            for subject in SHOWS:
                with self.subTest(subject=subject):
                    self.assertEqual(show(ours, subject)[0], show(theirs, subject)[0])

    def test_02_psql_reads_show_pools_and_counters_move(self):
        with app() as conn:
            for _ in range(20):
                conn.execute("SELECT 1")
        env = dict(os.environ, PGPASSWORD="adminpass")
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PROXY_PORT), "-U", "admin", "-d", "pgbouncer",
                              "-At", "-F", "|", "-c", "SHOW POOLS"], env=env, capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = [line.split("|") for line in out.stdout.splitlines()]
        appdb = [r for r in rows if r[0] == "appdb" and r[1] == "app"]
        self.assertEqual(len(appdb), 1, out.stdout)
        self.assertEqual(appdb[0][-1], "transaction")
        with console(PROXY_PORT) as c:
            before = {r["database"]: r for r in show(c, "STATS")[1]}["appdb"]
            with app() as conn:
                for _ in range(50):
                    conn.execute("SELECT 1")
            after = {r["database"]: r for r in show(c, "STATS")[1]}["appdb"]
            self.assertGreaterEqual(after["total_xact_count"] - before["total_xact_count"], 50)
            self.assertGreaterEqual(after["total_query_count"] - before["total_query_count"], 50)
            self.assertGreater(after["total_received"], before["total_received"])
            self.assertGreater(after["total_sent"], before["total_sent"])
            clients = show(c, "CLIENTS")[1]
            self.assertTrue(any(r["user"] == "admin" and r["database"] == "pgbouncer" for r in clients))
            self.assertEqual(show(c, "VERSION")[1][0]["version"].split()[0:2], ["PgBouncer", "1.18.0"])

    def test_03_pause_holds_a_new_transaction_until_resume(self):
        with console(PROXY_PORT) as c, app() as held:
            held.execute("SELECT 1")
            c.execute("PAUSE appdb")
            self.assertEqual(show(c, "DATABASES")[1][[r["name"] for r in show(c, "DATABASES")[1]].index("appdb")]
                             ["paused"], 1)
            done = threading.Event()
            threading.Thread(target=lambda: (held.execute("SELECT 2"), done.set()), daemon=True).start()
            self.assertFalse(done.wait(1.0), "a transaction ran while appdb was paused")
            waiting = [r for r in show(c, "POOLS")[1] if r["database"] == "appdb"]
            self.assertEqual(waiting[0]["cl_waiting"], 1)
            c.execute("RESUME appdb")
            self.assertTrue(done.wait(10), "RESUME did not release the transaction")
            with self.assertRaises(psycopg.Error) as refused:
                c.execute("RESUME appdb")
            self.assertEqual(refused.exception.sqlstate, "08P01")

    def test_04_pause_waits_for_a_running_transaction(self):
        with console(PROXY_PORT) as c, app() as busy:
            busy.execute("BEGIN")
            busy.execute("SELECT 1")
            started = time.monotonic()
            threading.Timer(1.0, lambda: busy.execute("COMMIT")).start()
            c.execute("PAUSE")
            self.assertGreaterEqual(time.monotonic() - started, 0.9)
            c.execute("RESUME")

    def test_05_reload_and_kill(self):
        def select_3():
            with app() as fresh:
                return fresh.execute("SELECT 3").fetchone()[0]

        with console(PROXY_PORT) as c:
            self.assertEqual(c.execute("RELOAD").statusmessage, "RELOAD")
            victim = app()
            victim.execute("SELECT 1")
            self.assertEqual(c.execute("KILL appdb").statusmessage, "KILL")
            with self.assertRaises(psycopg.Error):
                victim.execute("SELECT 1")
            victim.close()
            # As after PgBouncer's KILL, the database stays paused: a client coming back
            # waits until RESUME.
            answer = []
            comeback = threading.Thread(target=lambda: answer.append(select_3()))
            comeback.start()
            comeback.join(1.5)
            self.assertTrue(comeback.is_alive() and not answer, "a client got in before RESUME")
            self.assertEqual(c.execute("RESUME appdb").statusmessage, "RESUME")
            comeback.join(10)
            self.assertEqual(answer, [3])
        # The console's own database cannot be killed or paused, in PgBouncer's words.
        with console(PROXY_PORT) as ours, console(BOUNCER[1]) as theirs:
            for command in ("KILL pgbouncer", "PAUSE pgbouncer"):
                answers = []
                for c in (ours, theirs):
                    with self.assertRaises(psycopg.Error) as refused:
                        c.execute(command)
                    answers.append((refused.exception.sqlstate, refused.exception.diag.message_primary))
                self.assertEqual(answers[0], answers[1], command)
                self.assertIn("admin db: pgbouncer", answers[0][1])
            self.assertTrue(show(ours, "VERSION")[1], "the console goes on")

    def test_06_stats_users_only_look_and_others_are_refused(self):
        with console(PROXY_PORT, "watcher", "watcherpass") as c:
            self.assertTrue(show(c, "POOLS")[1] is not None)
            with self.assertRaises(psycopg.Error) as refused:
                c.execute("PAUSE")
            self.assertEqual(refused.exception.sqlstate, "08P01")
            self.assertIn("admin access needed", str(refused.exception))
            with self.assertRaises(psycopg.Error) as unknown:
                c.execute("SELECT 1")
            self.assertIn("invalid command", str(unknown.exception))
            self.assertEqual(c.execute("SHOW VERSION").fetchone()[0].split()[0], "PgBouncer")
            # What every "invalid command ..., use SHOW HELP;" points to exists.
            notices = []  # read in the handler: a notice's fields go with it
            c.add_notice_handler(lambda n: notices.append((n.message_primary, n.message_detail)))
            self.assertEqual(c.execute("SHOW HELP").statusmessage, "SHOW")
            self.assertEqual([message for message, _ in notices], ["Console usage"])
            self.assertIn("SHOW HELP|POOLS", notices[0][1])
        # Raw logins read the SQLSTATE: 28000 for a user in neither list (after a correct
        # password), 28P01 for a wrong password.
        self.assertEqual(e2e_common.scram_login(PROXY_PORT, "nobody", "nobodypass", dbname="pgbouncer").get("C"),
                         "28000")
        self.assertEqual(e2e_common.scram_login(PROXY_PORT, "admin", "wrong", dbname="pgbouncer").get("C"), "28P01")
        self.assertIsNone(e2e_common.scram_login(PROXY_PORT, "admin", "adminpass", dbname="pgbouncer"))
        # The proxy and its clients carry on.
        with app() as conn:
            self.assertEqual(conn.execute("SELECT 4").fetchone()[0], 4)


if __name__ == "__main__":
    e2e_common.main()
