"""Shared plumbing for the end-to-end modules: argument parsing, harness import, waits."""
import argparse
import contextlib
import threading
import os
import socket
import sys
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))

PGFRONT = None


def main():
    """Runs the calling module's tests with --pgfront BINARY taken off the command line."""
    global PGFRONT
    parser = argparse.ArgumentParser()
    parser.add_argument("--pgfront", required=True)
    parser.add_argument("--proxyctl")
    args, rest = parser.parse_known_args()
    PGFRONT = os.path.abspath(args.pgfront)
    import pgfront_process  # noqa: E402 - on the path only after the insert above
    pgfront_process.PgFront.scramble_freed_memory = True
    os.environ["PGFRONT_BINARY"] = PGFRONT
    os.environ["PROXYCTL_BINARY"] = os.path.abspath(args.proxyctl or os.path.join(os.path.dirname(PGFRONT),
                                                                                  "proxyctl"))
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


def pgfront_binary():
    return os.environ["PGFRONT_BINARY"]


def proxyctl_binary():
    return os.environ["PROXYCTL_BINARY"]


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate until it returns a truthy value; raises AssertionError at timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the cluster is moving; keep trying until the deadline
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


@contextlib.contextmanager
def watchdog(conn, seconds, what="the block"):
    """Bounds a block of blocking driver calls on `conn` (a psycopg connection): past
    `seconds`, the connection's socket is shut down, so a proxy that stopped relaying fails
    the test with a lost connection instead of hanging it until ctest's timeout."""
    fired = threading.Event()

    def fire():
        fired.set()
        with contextlib.suppress(OSError):
            with socket.socket(fileno=os.dup(conn.fileno())) as s:
                s.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, fire)
    timer.start()
    try:
        yield
    except Exception as e:
        if fired.is_set():
            raise AssertionError(f"{what} did not finish within {seconds} s") from e
        raise
    finally:
        timer.cancel()
    if fired.is_set():
        raise AssertionError(f"{what} did not finish within {seconds} s")


def start_thread(results, name, work):
    """Runs work() on a new thread; what it returns, or the exception it raises, lands in
    results[name]."""
    def run():
        try:
            results[name] = work()
        except Exception as e:  # the caller checks it
            results[name] = e

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def cancel_repeatedly(conn, interval=0.3, limit=15.0):
    """Cancels conn's running query every `interval` seconds, from a thread, until the
    returned stop() is called (or `limit` passes): a cancel that arrives before the query has
    reached its server cancels nothing, so one cancel after a fixed delay is a guess under
    load. stop() waits for the thread."""
    done = threading.Event()

    def run():
        deadline = time.monotonic() + limit
        while not done.wait(interval) and time.monotonic() < deadline:
            conn.cancel()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        done.set()
        thread.join()
    return stop


def assert_query_cancelled(test, conn, within=10.0):
    """A client cancel of conn's long query (sent until it lands, see cancel_repeatedly) ends
    it with QueryCanceled within `within` seconds, and the connection serves on."""
    import psycopg  # here: the harness imports this module without it
    stop = cancel_repeatedly(conn)
    started = time.monotonic()
    try:
        with test.assertRaises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(20)")
    finally:
        stop()
    test.assertLess(time.monotonic() - started, within)
    test.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)


def assert_terminated_backend_ends_its_client(test, proxy, connect, terminate, rounds=5, within=5.0):
    """A backend terminated (pg_terminate_backend) in the middle of a query: its client gets
    the server's FATAL and an error within `within` seconds, every one of `rounds` times.
    The server's FATAL and its FIN come in together: a reader that took any short read for a
    drained socket then waited for the rest of the reply for ever (net/draining_buffer.hpp).
    That needs both to be in before pgfront looks, so pgfront (`proxy`, a PgFront) is
    stopped (SIGSTOP) while the backend goes, and continued after. `connect()` gives a
    psycopg connection through it, `terminate(pid)` ends that backend."""
    import psycopg  # here: the harness imports this module without it
    import signal
    for _ in range(rounds):
        conn = connect()
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        results = {}
        query = start_thread(results, "query", lambda: conn.execute("SELECT pg_sleep(30)"))
        time.sleep(0.3)
        started = time.monotonic()
        os.kill(proxy.pid, signal.SIGSTOP)
        try:
            terminate(pid)
            time.sleep(0.3)
        finally:
            os.kill(proxy.pid, signal.SIGCONT)
        query.join(timeout=within)
        # Left open when it hangs: closing would wait on the query; the proxy's stop ends it.
        test.assertFalse(query.is_alive(), f"the client still waits {within} s after its backend was terminated")
        test.assertIsInstance(results.get("query"), psycopg.OperationalError, results)
        test.assertIn("terminating connection due to administrator command", str(results["query"]))
        test.assertNotIn("was lost", str(results["query"]))  # the server's FATAL says it all
        test.assertLess(time.monotonic() - started, within)
        conn.close()


def read_error_response(sock, timeout=5.0):
    """Reads one backend message and returns its fields if it is an ErrorResponse."""
    sock.settimeout(timeout)
    data = b""
    while len(data) < 5:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    if len(data) < 5 or data[0:1] != b"E":
        return None
    length = int.from_bytes(data[1:5], "big")
    while len(data) < 1 + length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    fields = {}
    for part in data[5:1 + length].split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode()
    return fields


def connection_closed(sock, timeout):
    """True when the peer closes the socket within timeout."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def scram_login(port, user, password, dbname="appdb", host="127.0.0.1", timeout=10.0):
    """Logs in with SCRAM-SHA-256 over a raw socket (RFC 5802/7677) and returns the fields of
    the ErrorResponse the server sends, or None when the login succeeds. libpq-based drivers
    do not expose the SQLSTATE of a failed login; this does."""
    sock, fields = scram_session(port, user, password, dbname, host, timeout)
    if sock:
        sock.close()
    return fields


def wire_message(kind, body):
    """A typed protocol message: type byte, length word, body."""
    import struct
    return kind + struct.pack("!I", len(body) + 4) + body


def read_message(sock):
    """One typed protocol message from a raw socket: (type byte, body)."""
    import struct
    header = b""
    while len(header) < 5:
        chunk = sock.recv(5 - len(header))
        if not chunk:
            raise ConnectionError("closed")
        header += chunk
    length = struct.unpack("!I", header[1:5])[0]
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return header[0:1], body


def scram_session(port, user, password, dbname="appdb", host="127.0.0.1", timeout=10.0):
    """scram_login, keeping the session: (socket after ReadyForQuery, None) when the login
    succeeds, (None, the ErrorResponse's fields) when it fails."""
    import base64
    import hashlib
    import hmac
    import struct

    def error_fields(body):
        return {chr(p[0]): p[1:].decode() for p in body.split(b"\0") if p}

    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        params = b"user\0" + user.encode() + b"\0database\0" + dbname.encode() + b"\0\0"
        sock.sendall(struct.pack("!II", len(params) + 8, 196608) + params)
        kind, body = read_message(sock)
        if kind == b"E":
            sock.close()
            return None, error_fields(body)
        assert kind == b"R" and struct.unpack("!I", body[:4])[0] == 10, (kind, body)
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n=,r={nonce}"
        initial = ("n,," + first_bare).encode()
        sock.sendall(wire_message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(initial)) + initial))
        kind, body = read_message(sock)
        if kind == b"E":
            sock.close()
            return None, error_fields(body)
        server_first = body[4:].decode()
        attrs = dict(part.split("=", 1) for part in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={attrs['r']}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.new(stored_key, auth_message, "sha256").digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
        sock.sendall(wire_message(b"p", f"{final_bare},p={proof}".encode()))
        while True:
            kind, body = read_message(sock)
            if kind == b"E":
                sock.close()
                return None, error_fields(body)
            if kind == b"Z":
                return sock, None
    except BaseException:
        sock.close()
        raise
