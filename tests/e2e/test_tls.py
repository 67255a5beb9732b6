#!/usr/bin/python3
"""TLS through a real pgfront in front of a real Patroni cluster whose PostgreSQL nodes run
with ssl=on, with certificates made by `openssl` at test time (tls_certs.py): libpq clients
(psql, psycopg) with sslmode require / verify-full against pgfront in transaction mode and in
pass-through, tls.client.mode require refusing plain text with 28000, verify-ca and
verify-full wanting a client certificate, a SIGHUP bringing a renewed certificate to new
connections while old ones carry on, cancel requests in plain text and inside TLS, and the
server leg: pg_stat_ssl says the server connection is encrypted, and a wrong CA fails the
client with a clear error."""
import contextlib
import hashlib
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import unittest

import psycopg

import e2e_common
from e2e_common import read_error_response, read_message, wait_until
from tls_certs import CertFactory

from pgcluster import Cluster
from pgfront_process import PgFront, free_port
from stall_gate import StallGate

SSL_REQUEST = struct.pack("!II", 8, 80877103)
GSSENC_REQUEST = struct.pack("!II", 8, 80877104)

CLUSTER = None
WORKDIR = None
CERTS = None
USERLIST = None
CA = OTHER_CA = PGFRONT_CERT = CLIENT_APP = CLIENT_SOMEONE = NODE_CERT = None


def setUpModule():
    global CLUSTER, WORKDIR, CERTS, USERLIST, CA, OTHER_CA, PGFRONT_CERT, CLIENT_APP, CLIENT_SOMEONE, NODE_CERT
    WORKDIR = tempfile.TemporaryDirectory(prefix="pgfront-tls-")
    CERTS = CertFactory(WORKDIR.name)
    CA = CERTS.ca("pgfront-test-ca")
    OTHER_CA = CERTS.ca("some-other-ca")
    PGFRONT_CERT = CERTS.issue(CA, "localhost", san="DNS:localhost,IP:127.0.0.1", file_name="pgfront")
    NODE_CERT = CERTS.issue(CA, "127.0.0.1", san="IP:127.0.0.1", file_name="node")
    CLIENT_APP = CERTS.issue(CA, "app", client=True)
    CLIENT_SOMEONE = CERTS.issue(CA, "someone", client=True)
    # sslonly may log in over TLS only, so tls.server.mode allow has something to retry.
    CLUSTER = Cluster(nodes=2, scope="tls", ssl_cert_key=(NODE_CERT.cert, NODE_CERT.key),
                      pg_hba_extra=["hostssl all sslonly 127.0.0.1/32 scram-sha-256",
                                    "hostnossl all sslonly 127.0.0.1/32 reject"])
    CLUSTER.start()
    secret = CLUSTER.sql(CLUSTER.primary(), "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")[0][0]
    CLUSTER.sql(CLUSTER.primary(), "CREATE ROLE plainuser LOGIN PASSWORD 'plainpass'")
    CLUSTER.sql(CLUSTER.primary(), "CREATE ROLE sslonly LOGIN PASSWORD 'sslpass'")
    USERLIST = os.path.join(WORKDIR.name, "userlist.txt")
    with open(USERLIST, "w") as f:
        f.write(f'"app" "{secret}"\n"pgbouncer" "bouncerpass"\n"sslonly" "sslpass"\n')


def tearDownModule():
    if CLUSTER:
        CLUSTER.stop()
    if WORKDIR:
        WORKDIR.cleanup()


def pgfront_yaml(port, tls, mode="transaction", auth=None):
    auth = auth or f'{{type: scram-sha-256, auth_file: "{USERLIST}"}}'
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 50ms, timeout: 500ms}}
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{free_port()}", client_login_timeout: 5s}}
admin: {{listen: "127.0.0.1:{free_port()}"}}
pool: {{mode: {mode}, default_pool_size: 4, query_wait_timeout: 10s}}
auth: {auth}
log: {{level: debug}}
{tls}
"""


def client_tls(mode=None, cert=None, ca=None):
    lines = ["tls:", "  client:"]
    if mode:
        lines.append(f"    mode: {mode}")
    lines += [f'    cert_file: "{cert or PGFRONT_CERT.cert}"',
              f'    key_file: "{(cert or PGFRONT_CERT.cert).replace(".crt", ".key")}"']
    if ca:
        lines.append(f'    ca_file: "{ca}"')
    return "\n".join(lines) + "\n"


def server_tls(mode, ca=None):
    text = f"  server:\n    mode: {mode}\n"
    if ca:
        text += f'    ca_file: "{ca}"\n'
    return text


@contextlib.contextmanager
def pgfront(tls, mode="transaction", auth=None):
    port = free_port()
    with PgFront(e2e_common.pgfront_binary(), pgfront_yaml(port, tls, mode, auth)) as proxy:
        proxy.wait_listening(port, timeout=10)
        proxy.port = port
        try:
            yield proxy
        except BaseException:
            print(proxy.log_text()[-6000:])
            raise


def connect(port, user="app", password="apppass", **kw):
    params = dict(host="127.0.0.1", port=port, dbname="appdb", user=user, password=password, connect_timeout=20,
                  autocommit=True)
    params.update(kw)
    return psycopg.connect(**params)


def server_leg_encrypted(conn):
    return conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]


def tls_socket(port, ca=None, cert=None, timeout=10, check_hostname=True):
    """A raw connection to pgfront after SSLRequest and a verified handshake."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    raw.sendall(SSL_REQUEST)
    answer = raw.recv(1)
    if answer != b"S":
        raw.close()
        raise AssertionError(f"SSLRequest answered {answer!r}")
    context = ssl.create_default_context(cafile=(ca or CA).cert)
    context.check_hostname = check_hostname
    if cert:
        context.load_cert_chain(cert.cert, cert.key)
    return context.wrap_socket(raw, server_hostname="localhost")


def presented_serial(port):
    """The serial of the certificate a client sees (verified against CA, any name)."""
    with tls_socket(port, check_hostname=False) as s:
        return int(s.getpeercert()["serialNumber"], 16)


def startup_message(user, database):
    params = f"user\0{user}\0database\0{database}\0\0".encode()
    return struct.pack("!II", len(params) + 8, 196608) + params


def error_fields(body):
    return {chr(p[0]): p[1:].decode() for p in body.split(b"\0") if p}


class ClientLeg(unittest.TestCase):
    def test_01_transaction_mode_verify_full_psycopg_and_psql(self):
        # A certificate and no mode: prefer. Plain clients keep working.
        with pgfront(client_tls()) as proxy:
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert) as conn:
                self.assertTrue(conn.pgconn.ssl_in_use)
                self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "app")
                self.assertFalse(server_leg_encrypted(conn))  # tls.server is off: plain to PostgreSQL
            with connect(proxy.port, sslmode="disable") as conn:
                self.assertFalse(conn.pgconn.ssl_in_use)
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
            out = subprocess.run(
                ["psql", f"host=127.0.0.1 port={proxy.port} dbname=appdb user=app sslmode=require", "-X",
                 "-c", "\\conninfo", "-c", "SELECT 'psql-ok'"],
                env=dict(os.environ, PGPASSWORD="apppass"), capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("SSL connection (protocol: TLSv1.3", out.stdout)
            self.assertIn("psql-ok", out.stdout)
            # The certificate pgfront presents is its own, not a node's.
            self.assertEqual(presented_serial(proxy.port), PGFRONT_CERT.serial)

    def test_02_require_refuses_plain_text_with_28000(self):
        for mode in ("transaction", "none"):
            with self.subTest(mode=mode), pgfront(client_tls("require"), mode=mode) as proxy:
                with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                    sock.sendall(startup_message("app", "appdb"))
                    fields = read_error_response(sock)
                self.assertIsNotNone(fields)
                self.assertEqual(fields["C"], "28000")
                self.assertIn("SSL required", fields["M"])
                with self.assertRaises(psycopg.OperationalError) as e:
                    connect(proxy.port, sslmode="disable")
                self.assertIn("SSL required", str(e.exception))
                with connect(proxy.port, sslmode="require") as conn:
                    self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
        with pgfront(client_tls("require")) as proxy:
            # GSSENCRequest is still declined; SSL after it works.
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                sock.sendall(GSSENC_REQUEST)
                self.assertEqual(sock.recv(1), b"N")
                sock.sendall(SSL_REQUEST)
                self.assertEqual(sock.recv(1), b"S")

    def test_03_unencrypted_bytes_behind_an_ssl_request_are_refused(self):
        with pgfront(client_tls()) as proxy:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                sock.sendall(SSL_REQUEST + startup_message("app", "appdb"))
                fields = read_error_response(sock)
            self.assertIsNotNone(fields)
            self.assertEqual(fields["C"], "08P01")
            self.assertIn("unencrypted data after SSL request", fields["M"])

    def test_03b_each_encryption_request_is_answered_once_and_alone(self):
        # PostgreSQL 15's rules, in pooled mode where pgfront answers them itself: bytes sent
        # ahead of the answer are refused also after an 'N', and a second request of the same
        # kind is read as a protocol version it does not know.
        def refused_after(first, then=b""):
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                sock.sendall(first)
                self.assertEqual(sock.recv(1), b"N")
                sock.sendall(then)
                return read_error_response(sock) or {}

        with pgfront("") as proxy:  # no client TLS: SSLRequest is declined
            fields = refused_after(SSL_REQUEST + startup_message("app", "appdb"))
            self.assertEqual((fields.get("C"), fields.get("M")), ("08P01", "received unencrypted data after SSL request"))
            fields = refused_after(GSSENC_REQUEST + startup_message("app", "appdb"))
            self.assertEqual((fields.get("C"), fields.get("M")),
                             ("08P01", "received unencrypted data after GSSAPI encryption request"))
            fields = refused_after(SSL_REQUEST, SSL_REQUEST)
            self.assertEqual((fields.get("C"), fields.get("M")),
                             ("0A000", "unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0"))
            fields = refused_after(GSSENC_REQUEST, GSSENC_REQUEST)
            self.assertEqual((fields.get("C"), fields.get("M")),
                             ("0A000", "unsupported frontend protocol 1234.5680: server supports 3.0 to 3.0"))
            # One of each, in either order, and the login goes on: the next message asks for
            # the password.
            for first, second in ((SSL_REQUEST, GSSENC_REQUEST), (GSSENC_REQUEST, SSL_REQUEST)):
                with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                    for request in (first, second):
                        sock.sendall(request)
                        self.assertEqual(sock.recv(1), b"N")
                    sock.sendall(startup_message("app", "appdb"))
                    self.assertEqual(sock.recv(1), b"R")
            with connect(proxy.port, sslmode="prefer") as conn:
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
        with pgfront(client_tls()) as proxy:
            # Inside TLS neither kind of request may come.
            for request, code in ((GSSENC_REQUEST, "1234.5680"), (SSL_REQUEST, "1234.5679")):
                with tls_socket(proxy.port) as sock:
                    sock.sendall(request)
                    fields = read_error_response(sock) or {}
                self.assertEqual(fields.get("C"), "0A000", fields)
                self.assertIn(f"unsupported frontend protocol {code}", fields.get("M", ""))

    def test_04_verify_ca_and_verify_full_want_a_client_certificate(self):
        with pgfront(client_tls("verify-ca", ca=CA.cert)) as proxy:
            with self.assertRaises(psycopg.OperationalError):
                connect(proxy.port, sslmode="require")  # no certificate
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert, sslcert=CLIENT_APP.cert,
                         sslkey=CLIENT_APP.key) as conn:
                self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "app")
            # verify-ca does not care whose name the certificate carries.
            with connect(proxy.port, sslmode="require", sslcert=CLIENT_SOMEONE.cert, sslkey=CLIENT_SOMEONE.key) as conn:
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
            self.assertIn("TLS handshake with client failed", proxy.log_text())
        stranger = CERTS.issue(OTHER_CA, "app", client=True, file_name="stranger")
        for mode in ("transaction", "none"):
            with self.subTest(mode=mode), pgfront(client_tls("verify-full", ca=CA.cert), mode=mode) as proxy:
                with connect(proxy.port, sslmode="require", sslcert=CLIENT_APP.cert, sslkey=CLIENT_APP.key) as conn:
                    self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                with self.assertRaises(psycopg.OperationalError) as e:
                    connect(proxy.port, sslmode="require", sslcert=CLIENT_SOMEONE.cert, sslkey=CLIENT_SOMEONE.key)
                self.assertIn("certificate validation (verify-full) failed", str(e.exception))
                # A certificate from another CA fails the handshake.
                with self.assertRaises(psycopg.OperationalError):
                    connect(proxy.port, sslmode="require", sslcert=stranger.cert, sslkey=stranger.key)

    def test_05_pass_through_terminates_tls_when_configured(self):
        with pgfront(client_tls(), mode="none") as proxy:
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert) as conn:
                self.assertTrue(conn.pgconn.ssl_in_use)
                self.assertFalse(server_leg_encrypted(conn))  # pgfront terminated it
                # Cancel (libpq 15 sends it in plain text) finds the key pgfront read in clear.
                e2e_common.assert_query_cancelled(self, conn)
            self.assertEqual(presented_serial(proxy.port), PGFRONT_CERT.serial)

    def test_06_pass_through_without_tls_relays_the_ssl_request(self):
        # HAProxy-like: the client's TLS session is with PostgreSQL, whose certificate it sees.
        with pgfront("", mode="none") as proxy:
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert) as conn:
                self.assertTrue(conn.pgconn.ssl_in_use)
                self.assertTrue(server_leg_encrypted(conn))
            self.assertEqual(presented_serial(proxy.port), NODE_CERT.serial)
            with connect(proxy.port, sslmode="disable") as conn:
                self.assertFalse(server_leg_encrypted(conn))

    def test_07_cancel_in_plain_text_and_inside_tls(self):
        # auth.type trust keeps the raw client short; the plaintext entry logs in to PostgreSQL.
        userlist = os.path.join(WORKDIR.name, "trust-userlist.txt")
        with open(userlist, "w") as f:
            f.write('"app" "apppass"\n')
        with pgfront(client_tls(), auth=f'{{type: trust, auth_file: "{userlist}"}}') as proxy:
            with connect(proxy.port, sslmode="require") as conn:  # libpq 15: plain-text cancel
                e2e_common.assert_query_cancelled(self, conn)
            # Newer libpq (17) sends SSLRequest first and the CancelRequest inside TLS.
            with tls_socket(proxy.port) as session:
                session.sendall(startup_message("app", "appdb"))
                key = None
                while True:
                    kind, body = read_message(session)
                    self.assertNotEqual(kind, b"E", body)
                    if kind == b"K":
                        key = struct.unpack("!II", body)
                    if kind == b"Z":
                        break
                self.assertIsNotNone(key)
                query = b"SELECT pg_sleep(20)\0"
                session.sendall(b"Q" + struct.pack("!I", len(query) + 4) + query)
                time.sleep(0.5)
                started = time.monotonic()
                with tls_socket(proxy.port) as cancel:
                    cancel.sendall(struct.pack("!IIII", 16, 80877102, *key))
                while True:
                    kind, body = read_message(session)
                    if kind == b"E":
                        self.assertEqual(error_fields(body)["C"], "57014")
                        break
                self.assertLess(time.monotonic() - started, 10)

    def test_08_sighup_brings_a_renewed_certificate_to_new_connections(self):
        live_cert = os.path.join(WORKDIR.name, "live.crt")
        live_key = os.path.join(WORKDIR.name, "live.key")
        for src, dst in ((PGFRONT_CERT.cert, live_cert), (PGFRONT_CERT.key, live_key)):
            with open(src, "rb") as f, open(dst, "wb") as g:
                g.write(f.read())
        tls = f'tls:\n  client:\n    cert_file: "{live_cert}"\n    key_file: "{live_key}"\n'
        with pgfront(tls) as proxy:
            self.assertEqual(presented_serial(proxy.port), PGFRONT_CERT.serial)
            old = connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert)
            try:
                renewed = CERTS.issue(CA, "localhost", san="DNS:localhost,IP:127.0.0.1", file_name="renewed")
                self.assertNotEqual(renewed.serial, PGFRONT_CERT.serial)
                os.replace(renewed.cert, live_cert)
                os.replace(renewed.key, live_key)
                reloads = proxy.log_text().count("configuration reloaded")
                proxy.reload()
                wait_until(lambda: proxy.log_text().count("configuration reloaded") > reloads, 10, what="reload")
                self.assertIn(f"serial={renewed.serial:X}", proxy.log_text())
                self.assertEqual(presented_serial(proxy.port), renewed.serial)
                with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert) as conn:
                    self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
                # The connection made before the reload carries on, on its old session.
                self.assertEqual(old.execute("SELECT 'still here'").fetchone()[0], "still here")
                # A broken certificate file is rejected as a whole; the running one stays.
                with open(live_cert, "w") as f:
                    f.write("not a certificate\n")
                proxy.reload()
                wait_until(lambda: "reload rejected" in proxy.log_text(), 10, what="rejected reload")
                self.assertIn("tls.client.cert_file", proxy.log_text())
                self.assertEqual(presented_serial(proxy.port), renewed.serial)
                self.assertEqual(old.execute("SELECT 2").fetchone()[0], 2)
            finally:
                old.close()

    def test_09_check_config_loads_the_files(self):
        port = free_port()
        missing = client_tls().replace(PGFRONT_CERT.cert, "/nonexistent/pgfront.crt")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=WORKDIR.name, delete=False) as f:
            f.write(pgfront_yaml(port, missing))
        out = subprocess.run([e2e_common.pgfront_binary(), "--check-config", "-c", f.name], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.returncode, 1)
        self.assertIn("tls.client.cert_file: cannot load /nonexistent/pgfront.crt", out.stderr)


class ServerLeg(unittest.TestCase):
    def test_01_require_encrypts_pooled_and_pass_through_server_connections(self):
        for mode in ("transaction", "none"):
            with self.subTest(mode=mode), pgfront("tls:\n" + server_tls("require"), mode=mode) as proxy:
                with connect(proxy.port, sslmode="disable") as conn:
                    self.assertTrue(server_leg_encrypted(conn))
                    self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], "app")

    def test_02_verify_full_with_the_right_ca_on_both_legs(self):
        with pgfront(client_tls("require") + server_tls("verify-full", CA.cert)) as proxy:
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert) as conn:
                self.assertTrue(conn.pgconn.ssl_in_use)
                self.assertTrue(server_leg_encrypted(conn))
                # A 10 MB Bind and a 10 MB row go on in pieces through both TLS legs.
                body = os.urandom(5 * 1024 * 1024).hex()
                echoed = conn.execute("SELECT %s::text", (body,)).fetchone()[0]
                self.assertEqual(hashlib.md5(echoed.encode()).hexdigest(), hashlib.md5(body.encode()).hexdigest())
        # Pass-through leaves authentication to PostgreSQL, and libpq's SCRAM channel binding
        # is bound to the certificate the client sees: it holds when pgfront presents the
        # nodes' certificate ...
        with pgfront(client_tls("require", cert=NODE_CERT.cert) + server_tls("verify-full", CA.cert),
                     mode="none") as proxy:
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert, channel_binding="require") as conn:
                self.assertTrue(conn.pgconn.ssl_in_use)
                self.assertTrue(server_leg_encrypted(conn))
        # ... and with a certificate of its own, PostgreSQL sees through the substitution.
        with pgfront(client_tls("require") + server_tls("verify-full", CA.cert), mode="none") as proxy:
            with self.assertRaises(psycopg.OperationalError) as e:
                connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert)
            self.assertIn("channel binding", str(e.exception))
            with connect(proxy.port, sslmode="verify-full", sslrootcert=CA.cert, channel_binding="disable") as conn:
                self.assertTrue(server_leg_encrypted(conn))

    def test_03_verify_full_with_a_wrong_ca_fails_the_client_clearly(self):
        tls = "tls:\n" + server_tls("verify-full", OTHER_CA.cert)
        for mode in ("transaction", "none"):
            with self.subTest(mode=mode), pgfront(tls, mode=mode) as proxy:
                started = time.monotonic()
                with self.assertRaises(psycopg.OperationalError) as e:
                    connect(proxy.port)
                self.assertIn("certificate verify failed", str(e.exception))
                self.assertIn("TLS handshake with server 127.0.0.1 failed", str(e.exception))
                # Definitive: the client hears it at once, not at query_wait_timeout.
                self.assertLess(time.monotonic() - started, 8)

    def test_04_auth_query_uses_the_server_leg_settings(self):
        auth = f'{{type: scram-sha-256, auth_file: "{USERLIST}", auth_user: pgbouncer}}'
        with pgfront("tls:\n" + server_tls("verify-full", CA.cert), auth=auth) as proxy:
            with connect(proxy.port, user="plainuser", password="plainpass") as conn:
                self.assertTrue(server_leg_encrypted(conn))
        with pgfront("tls:\n" + server_tls("verify-full", OTHER_CA.cert), auth=auth) as proxy:
            with self.assertRaises(psycopg.OperationalError):
                connect(proxy.port, user="plainuser", password="plainpass")
            self.assertIn("auth_query: login as pgbouncer failed: TLS handshake", proxy.log_text())

    def test_05_allow_tries_plain_first_then_tls(self):
        for mode in ("transaction", "none"):
            with self.subTest(mode=mode), pgfront("tls:\n" + server_tls("allow"), mode=mode) as proxy:
                with connect(proxy.port) as conn:
                    self.assertFalse(server_leg_encrypted(conn))
                with connect(proxy.port, user="sslonly", password="sslpass") as conn:
                    self.assertTrue(server_leg_encrypted(conn))
        with pgfront("") as proxy:
            with self.assertRaises(psycopg.OperationalError) as e:
                connect(proxy.port, user="sslonly", password="sslpass")
            self.assertIn("no encryption", str(e.exception))

    def test_07_sighup_brings_a_replaced_server_ca_file_to_connected_clients(self):
        # Same tls.server settings, new file contents: the pools stay, but a server opened after
        # the reload uses the new file, also for clients that were connected all along (and
        # kept their pool between transactions). Replacing the CA by an unrelated one makes the
        # difference visible: that login must fail verification.
        live_ca = os.path.join(WORKDIR.name, "live-ca.crt")
        shutil.copyfile(CA.cert, live_ca)
        with pgfront("tls:\n" + server_tls("verify-full", live_ca)) as proxy:
            with connect(proxy.port) as conn, connect(proxy.port) as other:
                self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)  # both on the one server
                shutil.copyfile(OTHER_CA.cert, live_ca)
                reloads = proxy.log_text().count("configuration reloaded")
                proxy.reload()
                wait_until(lambda: proxy.log_text().count("configuration reloaded") > reloads, 10, what="reload")
                other.execute("BEGIN")  # holds that server: the next transaction needs a new login
                with self.assertRaises(psycopg.OperationalError) as e:
                    conn.execute("SELECT 1")
                self.assertIn("certificate verify failed", str(e.exception))
                other.execute("ROLLBACK")

    def test_06_reload_of_tls_server_replaces_pooled_servers(self):
        with pgfront("") as proxy:
            with connect(proxy.port) as conn:
                self.assertFalse(server_leg_encrypted(conn))
                proxy.write_config(proxy.config_text.replace("\nlog:", "\ntls:\n" + server_tls("require") + "log:"))
                reloads = proxy.log_text().count("configuration reloaded")
                proxy.reload()
                wait_until(lambda: proxy.log_text().count("configuration reloaded") > reloads, 10, what="reload")
                # The same client's next transaction gets a server from a fresh, encrypted pool.
                self.assertTrue(server_leg_encrypted(conn))

    def test_08_a_reload_during_a_server_tls_negotiation_leaves_that_login_working(self):
        # A pool's server login waits for the server's answer to its SSLRequest (a gate holds
        # it 1.2 s) while a reload brings new TLS contexts, every client that knew the old ones
        # leaves, and a new client's transaction hands the pool the new ones. The login in
        # flight used the pool's own login settings by reference: it then read TLS contexts
        # nobody held any more (freed memory, scrambled in this suite).
        real = CLUSTER.primary().pg_port
        gate = StallGate(real)
        port = free_port()
        yaml = pgfront_yaml(port, "tls:\n" + server_tls("require"))
        yaml = yaml.replace(f"port: {real},", f"port: {gate.port},").replace("query_wait_timeout: 10s",
                                                                            "query_wait_timeout: 300ms")
        self.assertIn(f"port: {gate.port},", yaml)
        try:
            with PgFront(e2e_common.pgfront_binary(), yaml) as proxy:
                proxy.wait_listening(port, timeout=10)
                holder = connect(port)
                holder.execute("BEGIN")
                self.assertTrue(server_leg_encrypted(holder))  # server 1 is taken
                gate.delay_next(1, 1.2)  # within server_connect_timeout (2 s)
                waiter = connect(port)
                started = time.monotonic()
                with self.assertRaises(psycopg.OperationalError) as e:  # its wait started server 2's login
                    waiter.execute("SELECT 1")
                self.assertIn("query_wait_timeout", str(e.exception))
                waiter.close()
                reloads = proxy.log_text().count("configuration reloaded")
                proxy.reload()
                wait_until(lambda: proxy.log_text().count("configuration reloaded") > reloads, 10, what="reload")
                holder.execute("COMMIT")
                holder.close()
                with connect(port) as newcomer:  # accepted after the reload: the pool takes its contexts
                    self.assertTrue(server_leg_encrypted(newcomer))
                    self.assertLess(time.monotonic() - started, 1.0, "server 2's login was no longer in flight")
                    time.sleep(max(0.0, started + 1.7 - time.monotonic()))  # the gate let server 2 through
                    self.assertTrue(proxy.running(), f"pgfront died ({proxy.returncode})")
                    self.assertNotIn("server login failed", proxy.log_text())
                    with connect(port) as other:
                        newcomer.execute("BEGIN")
                        self.assertTrue(server_leg_encrypted(newcomer))
                        self.assertTrue(server_leg_encrypted(other))  # on server 2
                        newcomer.execute("COMMIT")
        finally:
            gate.close()


if __name__ == "__main__":
    e2e_common.main()
