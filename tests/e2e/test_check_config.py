#!/usr/bin/python3
"""`pgfront --check-config` and start-up refusals, with the real binary and no cluster."""
import glob
import os
import re
import socket
import subprocess
import tempfile
import unittest

import e2e_common
from e2e_common import REPO, pgfront_binary


def run(*args, timeout=20):
    return subprocess.run([pgfront_binary(), *args], capture_output=True, text=True, timeout=timeout)


class CheckConfig(unittest.TestCase):
    def test_valid_fixtures_pass(self):
        files = sorted(glob.glob(os.path.join(REPO, "tests/conf/valid/*.yaml")))
        self.assertGreaterEqual(len(files), 3)
        for path in files:
            with self.subTest(path=os.path.basename(path)):
                r = run("--check-config", "-c", path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("configuration is valid", r.stdout)

    def test_invalid_fixtures_fail_with_file_line_and_key(self):
        files = sorted(glob.glob(os.path.join(REPO, "tests/conf/invalid/*.yaml")))
        self.assertGreaterEqual(len(files), 10)
        for path in files:
            with self.subTest(path=os.path.basename(path)):
                r = run("--check-config", "-c", path)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                first = r.stderr.splitlines()[0]
                self.assertRegex(first, re.escape(path) + r":\d+:\d+: ")

    def test_unknown_key_names_line_and_column(self):
        path = os.path.join(REPO, "tests/conf/invalid/unknown-key.yaml")
        r = run("--check-config", "-c", path)
        self.assertIn(f"{path}:6:3: health.intervall: unknown key", r.stderr)

    def test_starting_with_a_bad_file_fails_before_listening(self):
        r = run("-c", os.path.join(REPO, "tests/conf/invalid/bad-duration.yaml"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("health.interval", r.stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("--frobnicate").returncode, 2)

    def test_version(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^pgfront \d+\.\d+\.\d+ \(event loop: (io_uring|epoll)\)")

    def test_busy_port_is_a_clear_error(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        free = socket.socket()
        free.bind(("127.0.0.1", 0))
        other = free.getsockname()[1]
        free.close()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "pgfront.yaml")
            with open(path, "w") as f:
                f.write(f"""
cluster:
  name: t
  nodes: [{{name: n1, host: 127.0.0.1, port: 1, api: "http://127.0.0.1:1"}}]
listen: {{primary: "127.0.0.1:{port}", replica: "127.0.0.1:{other}"}}
admin: {{listen: "127.0.0.1:1"}}
""")
            r = run("-c", path)
        busy.close()
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot listen", r.stderr)

    def test_a_second_pgfront_on_the_same_ports_is_refused(self):
        # Workers share their ports through SO_REUSEPORT; that must not let another pgfront in.
        from pgfront_process import PgFront, free_ports
        primary, replica, admin, other1, other2 = free_ports(5)

        def config(p, r, a):
            return f"""
cluster:
  name: t
  nodes: [{{name: n1, host: 127.0.0.1, port: 1, api: "http://127.0.0.1:1"}}]
listen: {{primary: "127.0.0.1:{p}", replica: "127.0.0.1:{r}", workers: 2}}
admin: {{listen: "127.0.0.1:{a}"}}
"""
        with PgFront(pgfront_binary(), config(primary, replica, admin)) as first:
            first.wait_listening(primary)
            first.wait_listening(admin)
            cases = [(config(primary, other1, other2), f"primary port on 127.0.0.1:{primary}"),
                     (config(other1, replica, other2), f"replica port on 127.0.0.1:{replica}"),
                     (config(other1, other2, admin), f"admin API on 127.0.0.1:{admin}")]
            for text, what in cases:
                with self.subTest(what=what), tempfile.TemporaryDirectory() as d:
                    path = os.path.join(d, "pgfront.yaml")
                    with open(path, "w") as f:
                        f.write(text)
                    r = run("-c", path)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertIn(f"cannot listen: {what}: Address already in use", r.stderr)
            self.assertTrue(first.running())
            socket.create_connection(("127.0.0.1", primary), timeout=2).close()


if __name__ == "__main__":
    e2e_common.main()
