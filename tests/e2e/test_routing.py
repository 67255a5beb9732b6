#!/usr/bin/python3
"""Patroni-aware routing through a real pgfront in pass-through mode (pool.mode: none),
against a real 3-node Patroni cluster: the primary port follows the leader, the replica port
spreads over healthy replicas, sessions never stay on a node that lost its role, and a node
whose PostgreSQL reports in_hot_standby=on never gets primary-port clients, even while
Patroni's answer about it is stale. Second pgfront instances on the same cluster check a
Patroni answer that never comes and the replica rotation of transaction pooling."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import psycopg

import e2e_common
from e2e_common import connection_closed, read_error_response, wait_until

from pgcluster import Cluster
from pgfront_process import PgFront, free_port
from misbehaving_rest import MisbehavingRestServers
from stall_gate import StallGate

CLUSTER = None
PROXY = None
ADMIN_PORT = None
FAKES = None
PRIMARY_PORT = None
REPLICA_PORT = None


def proxy_config(cluster, primary_port, replica_port, admin_port, fakes):
    # Three extra seeds that misbehave in the ways the health loop must survive: a REST port
    # that accepts and never answers, one that answers garbage, and one nothing listens on.
    extra = "".join(
        f'    - {{name: {name}, host: 127.0.0.1, port: 1, api: "{url}"}}\n'
        for name, url in fakes.seeds())
    return (cluster.pgfront_cluster_yaml() + extra + f"""
health:
  interval: 200ms
  failover_interval: 50ms
  timeout: 500ms
  fall: 2
  rise: 1
  max_replica_lag: 1MB
listen:
  primary: "127.0.0.1:{primary_port}"
  replica: "127.0.0.1:{replica_port}"
  connect_wait: 20s
  client_login_timeout: 2s
  shutdown_grace: 10s
admin:
  listen: "127.0.0.1:{admin_port}"
pool:
  mode: none
log:
  level: debug
""")


def setUpModule():
    global CLUSTER, PROXY, FAKES, PRIMARY_PORT, REPLICA_PORT, ADMIN_PORT
    CLUSTER = Cluster(nodes=3, scope="routing")
    CLUSTER.start()
    FAKES = MisbehavingRestServers()
    FAKES.start()
    PRIMARY_PORT, REPLICA_PORT, ADMIN_PORT = free_port(), free_port(), free_port()
    PROXY = PgFront(e2e_common.pgfront_binary(),
                    proxy_config(CLUSTER, PRIMARY_PORT, REPLICA_PORT, ADMIN_PORT, FAKES))
    PROXY.start()
    PROXY.wait_listening(PRIMARY_PORT, timeout=10)
    wait_until(lambda: server_of(PRIMARY_PORT)[1] is False, 20, what="pgfront to route to the primary")


def tearDownModule():
    if PROXY:
        PROXY.terminate()
    if FAKES:
        FAKES.stop()
    if CLUSTER:
        CLUSTER.stop()


def connect(port, **kw):
    params = dict(host="127.0.0.1", port=port, dbname="appdb", user="app", password="apppass",
                  connect_timeout=30, autocommit=True)
    params.update(kw)
    return psycopg.connect(**params)


def server_of(port):
    """(PostgreSQL port, in recovery) of the node a new connection on `port` lands on."""
    with connect(port) as conn:
        return conn.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone()


def node_by_port(pg_port):
    return next(n for n in CLUSTER.nodes if n.pg_port == pg_port)


class Routing(unittest.TestCase):
    def setUp(self):
        self.log_mark = len(PROXY.log_text())

    def tearDown(self):
        failed = any(err for _, err in (self._outcome.result.failures + self._outcome.result.errors)
                     if _ is self) if hasattr(self._outcome, "result") else False
        if failed:
            print(PROXY.log_text()[self.log_mark:][-6000:])
            CLUSTER.dump_logs(tail=40)

    def wait_primary_port_on(self, node, timeout=30):
        wait_until(lambda: server_of(PRIMARY_PORT) == (node.pg_port, False), timeout,
                   what=f"port {PRIMARY_PORT} to reach {node.name} as primary")

    def test_01_primary_port_reaches_the_primary(self):
        primary = CLUSTER.primary()
        port, in_recovery = server_of(PRIMARY_PORT)
        self.assertFalse(in_recovery)
        self.assertEqual(port, primary.pg_port)
        with connect(PRIMARY_PORT) as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('routing', 1)")

    def test_02_replica_port_spreads_over_replicas(self):
        replica_ports = {n.pg_port for n in CLUSTER.replicas()}
        conns = [connect(REPLICA_PORT) for _ in range(6)]
        try:
            seen = [c.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone() for c in conns]
        finally:
            for c in conns:
                c.close()
        self.assertTrue(all(in_recovery for _, in_recovery in seen), seen)
        # least-connections: six concurrent sessions over two replicas is three and three
        self.assertEqual({p for p, _ in seen}, replica_ports)
        for p in replica_ports:
            self.assertEqual(sum(1 for q, _ in seen if q == p), 3, seen)

    def test_03_misbehaving_rest_apis_do_not_disturb_routing(self):
        # The fake seeds have been failing since start-up; routing kept working and the
        # log names each problem.
        self.assertFalse(server_of(PRIMARY_PORT)[1])
        self.assertTrue(server_of(REPLICA_PORT)[1])
        for name, _ in FAKES.seeds():
            wait_until(lambda: f"node {name}: unreachable" in PROXY.log_text(), 5,
                       what=f"the {name} seed's failure in the log")
            # ...logged once, not at every poll
            self.assertEqual(PROXY.log_text().count(f"node {name}: unreachable"), 1)

    def test_04_noloadbalance_replica_gets_no_replica_traffic(self):
        tagged, other = CLUSTER.replicas()[0], CLUSTER.replicas()[1]
        CLUSTER.set_tags(tagged, {"noloadbalance": True})
        try:
            def only_other():
                conns = [connect(REPLICA_PORT) for _ in range(4)]
                try:
                    ports = {c.execute("SELECT inet_server_port()").fetchone()[0] for c in conns}
                finally:
                    for c in conns:
                        c.close()
                return ports == {other.pg_port}
            wait_until(only_other, 20, interval=0.2, what="tagged replica to leave the replica port")
        finally:
            CLUSTER.set_tags(tagged, {})
        wait_until(lambda: any(server_of(REPLICA_PORT)[0] == tagged.pg_port for _ in range(4)), 20,
                   what="untagged replica to come back")

    def test_05_garbage_startup_gets_protocol_violation_and_others_carry_on(self):
        with socket.create_connection(("127.0.0.1", PRIMARY_PORT)) as s:
            s.sendall(b"\xff\xff\xff\xffGET / HTTP/1.1\r\n\r\n")
            fields = read_error_response(s)
            self.assertIsNotNone(fields)
            self.assertEqual(fields["C"], "08P01")
            self.assertTrue(connection_closed(s, 5))
        self.assertFalse(server_of(PRIMARY_PORT)[1])

    def test_06_silent_client_is_closed_at_login_timeout(self):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", PRIMARY_PORT)) as s:
            self.assertFalse(server_of(PRIMARY_PORT)[1])  # others unaffected meanwhile
            self.assertTrue(connection_closed(s, 10))
        self.assertLess(time.monotonic() - started, 8)

    def test_07_cancel_request_reaches_the_right_server(self):
        with connect(REPLICA_PORT) as conn:
            def cancel_soon():
                time.sleep(0.5)
                conn.cancel()
            threading.Thread(target=cancel_soon).start()
            with self.assertRaises(psycopg.errors.QueryCanceled):
                conn.execute("SELECT pg_sleep(20)")

    def test_07b_a_terminated_backend_ends_its_client_at_once(self):
        e2e_common.assert_terminated_backend_ends_its_client(
            self, PROXY, lambda: connect(PRIMARY_PORT),
            lambda pid: CLUSTER.sql(CLUSTER.primary(), "SELECT pg_terminate_backend(%s)", (pid,), dbname="appdb"))

    def test_08_admin_api_and_proxyctl_show_the_topology(self):
        primary = CLUSTER.primary()
        admin = f"http://127.0.0.1:{ADMIN_PORT}"
        status = json.loads(proxyctl("--admin", admin, "--json", "status").stdout)
        self.assertEqual(status["primary"], primary.name)
        self.assertEqual(sorted(status["replicas"]), sorted(n.name for n in CLUSTER.replicas()))
        self.assertEqual(status["pool_mode"], "none")
        nodes = {n["name"]: n for n in json.loads(proxyctl("--admin", admin, "--json", "nodes").stdout)["nodes"]}
        self.assertTrue(nodes[primary.name]["eligible_primary"])
        self.assertFalse(nodes["garbage"]["up"])
        self.assertIn("timed out", nodes["blackhole"]["last_error"])
        table = proxyctl("--admin", admin, "nodes").stdout
        self.assertRegex(table, rf"{primary.name}\s+127.0.0.1:{primary.pg_port}\s+primary\s+running\s+up\s+primary")
        self.assertIn(f"primary:   {primary.name}", proxyctl("--admin", admin, "status").stdout)
        # Unknown paths are a JSON 404, not a crash.
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(admin + "/no/such/thing", timeout=5)
        self.assertEqual(e.exception.code, 404)
        self.assertEqual(json.loads(e.exception.read())["status"], 404)
        # proxyctl's exit codes: usage 2, unreachable 3.
        self.assertEqual(proxyctl("--admin", admin, "frobnicate").returncode, 2)
        self.assertEqual(proxyctl("--admin", f"http://127.0.0.1:{free_port()}", "status").returncode, 3)

    def test_10_switchover_moves_primary_port_and_closes_old_sessions(self):
        old = CLUSTER.primary()
        candidate = CLUSTER.replicas()[0]
        old_session = connect(PRIMARY_PORT)
        self.assertEqual(old_session.execute("SELECT inet_server_port()").fetchone()[0], old.pg_port)
        replica_session = connect(REPLICA_PORT)
        replica_node = replica_session.execute("SELECT inet_server_port()").fetchone()[0]

        CLUSTER.switchover(candidate=candidate.name)
        self.wait_primary_port_on(candidate)
        with connect(PRIMARY_PORT) as conn:
            conn.execute("INSERT INTO writes(client, seq) VALUES ('after-switchover', 1)")

        # The session that was on the old primary must not survive on it.
        with self.assertRaises(psycopg.OperationalError):
            old_session.execute("SELECT 1")
        old_session.close()
        # A replica-port session on a node that is still a valid reader carries on.
        if replica_node != candidate.pg_port:
            self.assertEqual(replica_session.execute("SELECT 1").fetchone()[0], 1)
        replica_session.close()
        CLUSTER.wait_for_topology(leader=candidate.name, streaming_replicas=2, timeout=60)

    def test_11_kill_postmaster_never_routes_writes_to_a_read_only_server(self):
        primary = CLUSTER.primary()
        CLUSTER.kill_postmaster(primary)
        deadline = time.monotonic() + 60
        landed_read_only = []
        refused = 0
        writable_since = None
        while time.monotonic() < deadline:
            try:
                with connect(PRIMARY_PORT, connect_timeout=25) as conn:
                    port, in_recovery = conn.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone()
                    if in_recovery:
                        landed_read_only.append(port)
                    else:
                        conn.execute("INSERT INTO writes(client, seq) VALUES ('after-kill', 1)")
                        writable_since = writable_since or time.monotonic()
                        if time.monotonic() - writable_since > 2:
                            break
            except psycopg.OperationalError:
                refused += 1
                time.sleep(0.05)
        self.assertEqual(landed_read_only, [], "a primary-port client reached a server in recovery")
        self.assertIsNotNone(writable_since, "no writable primary after kill -9 of the postmaster")
        CLUSTER.wait_for_topology(streaming_replicas=2, timeout=90)

    def test_12_replica_with_stopped_patroni_is_taken_out(self):
        victim, other = CLUSTER.replicas()[0], CLUSTER.replicas()[1]
        CLUSTER.kill_patroni(victim)
        try:
            def victim_gone():
                conns = [connect(REPLICA_PORT) for _ in range(4)]
                try:
                    return {c.execute("SELECT inet_server_port()").fetchone()[0] for c in conns} == {other.pg_port}
                finally:
                    for c in conns:
                        c.close()
            wait_until(victim_gone, 15, interval=0.2, what="replica without Patroni to leave the replica port")
        finally:
            CLUSTER.start_patroni(victim)
        CLUSTER.wait_for_topology(streaming_replicas=2, timeout=90)

    def test_13_primary_losing_patroni_is_left_and_new_clients_wait_for_the_next(self):
        # PostgreSQL keeps running (and writable) on the old primary when only its Patroni
        # dies: pgfront must close sessions there itself, and hold new clients until Patroni
        # elects another leader rather than send them to the orphaned server.
        old = CLUSTER.primary()
        session = connect(PRIMARY_PORT)
        self.assertEqual(session.execute("SELECT inet_server_port()").fetchone()[0], old.pg_port)
        CLUSTER.kill_patroni(old)
        killed_at = time.monotonic()
        try:
            wait_until(lambda: session_is_closed(session), 5, what="session on the orphaned primary to close")
            closed_after = time.monotonic() - killed_at
            # PostgreSQL itself is still up there: the close was pgfront's doing.
            self.assertIsNotNone(old.postmaster_pid())
            self.assertIn(f"on {old.name} (primary port)", PROXY.log_text()[self.log_mark:])
            started = time.monotonic()
            with connect(PRIMARY_PORT, connect_timeout=40) as conn:
                port, in_recovery = conn.execute("SELECT inet_server_port(), pg_is_in_recovery()").fetchone()
            waited = time.monotonic() - started
            self.assertNotEqual(port, old.pg_port)
            self.assertFalse(in_recovery)
            print(f"\n    session closed {closed_after:.2f}s after Patroni died; a new client waited "
                  f"{waited:.2f}s for the next leader")
        finally:
            session.close()
            CLUSTER.start_patroni(old)
        CLUSTER.wait_for_topology(streaming_replicas=2, timeout=120)

    def test_14_a_primary_that_reports_in_hot_standby_is_refused_before_patroni_says_so(self):
        # A second pgfront that asks Patroni only every 2 minutes: after a switchover its view
        # of the roles is stale, and only the old primary's own in_hot_standby=on (PostgreSQL
        # reports it at login) can tell it the node is read-only now.
        port = free_port()
        stale = PgFront(e2e_common.pgfront_binary(), CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 120s, failover_interval: 100ms, timeout: 1s, discover_interval: 120s, read_only_hold: 30s}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", connect_wait: 20s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: none}}
log: {{level: debug}}
""")
        try:
            stale.start()
            stale.wait_listening(port, timeout=10)
            old = CLUSTER.primary()
            self.assertEqual(server_of(port), (old.pg_port, False))
            started = time.monotonic()
            new = CLUSTER.switchover()
            CLUSTER.wait_for_topology(leader=new.name, streaming_replicas=2, timeout=60)
            self.assertLess(time.monotonic() - started, 100, "the stale pgfront may have polled Patroni meanwhile")
            # The first client finds out: refused (57P03) rather than let into a read-only server.
            with self.assertRaises(psycopg.OperationalError) as refused:
                connect(port)
            self.assertIn(f"node {old.name} is read-only (in recovery)", str(refused.exception))
            self.assertIn(f"node {old.name} reports in_hot_standby=on on the primary port", stale.log_text())
            # The node is taken out of write routing at once; the next clients reach the new
            # primary, long before the next scheduled poll of Patroni.
            wait_until(lambda: server_of(port) == (new.pg_port, False), 10,
                       what="the stale pgfront to route to the new primary")
            self.assertLess(time.monotonic() - started, 115)
        finally:
            stale.close()

    def test_15_a_stuck_patroni_answer_does_not_hold_up_a_failover(self):
        # While it restarts a crashed primary, Patroni can hold one REST request for over a
        # second while a new one answers at once. A second pgfront reaches the candidate's
        # REST API through a gate that holds one poll unanswered, with a health timeout of
        # 8 s: once the old primary steps down, pgfront must ask again on a new connection
        # rather than wait for the stuck answer to time out.
        old = CLUSTER.primary()
        candidate = CLUSTER.replicas()[0]
        gate = StallGate(candidate.api_port)
        port = free_port()
        nodes = CLUSTER.pgfront_cluster_yaml().replace(
            f'api: "{candidate.api_url}"', f'api: "http://127.0.0.1:{gate.port}"')
        self.assertIn(str(gate.port), nodes)
        patient = PgFront(e2e_common.pgfront_binary(), nodes + f"""
health: {{interval: 2s, failover_interval: 100ms, timeout: 8s, fall: 2, rise: 1, discover_interval: 120s}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", connect_wait: 10s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: none}}
log: {{level: debug}}
""")
        try:
            patient.start()
            patient.wait_listening(port, timeout=10)
            wait_until(lambda: server_of(port) == (old.pg_port, False), 20,
                       what="the second pgfront to route to the primary")
            gate.stall_next(1)
            wait_until(lambda: len(gate.stalled) == 1, 4, interval=0.05,
                       what="a poll of the candidate to be held by the gate")
            new = CLUSTER.switchover(candidate=candidate.name)
            promoted_at = time.monotonic()
            wait_until(lambda: server_of(port) == (new.pg_port, False), 10, interval=0.05,
                       what="the second pgfront to route to the new primary")
            routed_after = time.monotonic() - promoted_at
            # The stuck request was given up, not waited out (8 s): a new one had answered.
            self.assertLess(routed_after, 4)
            self.assertEqual(len(gate.stalled_lifetimes()), 1, "the held poll is still open")
            self.assertLess(gate.stalled_lifetimes()[0], 6)
            self.assertIn(f"node {candidate.name}: GET /patroni unanswered for", patient.log_text())
            print(f"\n    routed to the new primary {routed_after:.2f}s after it was writable; "
                  f"the held poll was dropped after {gate.stalled_lifetimes()[0]:.2f}s")
        finally:
            patient.close()
            gate.close()
        CLUSTER.wait_for_topology(streaming_replicas=2, timeout=90)

    def test_16_pooled_replica_port_spreads_short_clients_over_replicas(self):
        # Clients that connect, run one transaction and leave: with transaction pooling the
        # replica is chosen per transaction, by least connections and then in turn. The
        # welcome at login must not use up a turn, or every client's one transaction lands
        # on the same replica.
        secret = CLUSTER.sql(CLUSTER.primary(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
        workdir = tempfile.mkdtemp(prefix="pgfront-routing-pooled-")
        userlist = os.path.join(workdir, "userlist.txt")
        with open(userlist, "w") as f:
            f.write(f'"app" "{secret}"\n')
        replica_port = free_port()
        pooled = PgFront(e2e_common.pgfront_binary(), CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{free_port()}", replica: "127.0.0.1:{replica_port}"}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: transaction, default_pool_size: 2}}
auth: {{type: scram-sha-256, auth_file: "{userlist}"}}
""")
        try:
            pooled.start()
            pooled.wait_listening(replica_port, timeout=10)
            replica_ports = {n.pg_port for n in CLUSTER.replicas()}

            def one_client():
                with connect(replica_port) as conn:
                    return conn.execute("SELECT inet_server_port()").fetchone()[0]

            wait_until(lambda: one_client() in replica_ports, 20, what="the pooled replica port to serve")
            seen = [one_client() for _ in range(12)]
            self.assertEqual(set(seen), replica_ports, seen)
            for p in replica_ports:
                self.assertGreaterEqual(seen.count(p), 4, seen)
        finally:
            pooled.close()
            shutil.rmtree(workdir, ignore_errors=True)

    def test_20_sighup_with_a_bad_file_keeps_serving(self):
        good = PROXY.config_text
        try:
            PROXY.write_config("cluster: [this is not a config\n")
            PROXY.reload()
            wait_until(lambda: "reload rejected" in PROXY.log_text()[self.log_mark:], 5, what="reload rejection")
            self.assertFalse(server_of(PRIMARY_PORT)[1])
        finally:
            PROXY.write_config(good)
        PROXY.reload()
        wait_until(lambda: "configuration reloaded" in PROXY.log_text()[self.log_mark:], 5, what="reload")
        self.assertFalse(server_of(PRIMARY_PORT)[1])


class GracefulStop(unittest.TestCase):
    def test_sigterm_lets_sessions_finish_then_exits_0(self):
        primary_port, replica_port = free_port(), free_port()
        with PgFront(e2e_common.pgfront_binary(),
                     proxy_config(CLUSTER, primary_port, replica_port, free_port(), FAKES)) as proxy:
            proxy.wait_listening(primary_port, timeout=10)
            conn = wait_until(lambda: connect(primary_port), 20, what="a session through the second pgfront")
            proxy.signal_term()
            # No new clients...
            wait_until(lambda: not port_open(primary_port), 5, what="listener to close")
            # ...but the running session keeps working during the grace period.
            self.assertEqual(conn.execute("SELECT 42").fetchone()[0], 42)
            conn.close()
            self.assertEqual(proxy.wait_exit(timeout=10), 0)


def proxyctl(*args):
    return subprocess.run([e2e_common.proxyctl_binary(), *args], capture_output=True, text=True, timeout=20)


def session_is_closed(conn):
    try:
        conn.execute("SELECT 1")
        return False
    except psycopg.OperationalError:
        return True


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    e2e_common.main()
