"""Shared plumbing for the end-to-end modules: argument parsing, harness import, waits."""
import argparse
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
