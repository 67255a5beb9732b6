#!/usr/bin/python3
"""systemd's notification protocol without systemd: the test binds its own unix datagram
socket (an abstract '@' name, and a filesystem path), starts a real pgfront in front of a real
one-node Patroni cluster with NOTIFY_SOCKET and WATCHDOG_USEC set as systemd would, and reads
what pgfront says: READY=1 only once its listeners and admin API accept connections, WATCHDOG=1
at half the timeout, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM."""
import os
import signal
import socket
import statistics
import tempfile
import time
import unittest

import e2e_common
from e2e_common import wait_until

from pgcluster import Cluster
from pgfront_process import PgFront, free_port

CLUSTER = None


def setUpModule():
    global CLUSTER
    CLUSTER = Cluster(nodes=1, scope="sdnotify")
    CLUSTER.start()


def tearDownModule():
    if CLUSTER:
        CLUSTER.stop()


def config(primary, replica, admin, level="info"):
    return CLUSTER.pgfront_cluster_yaml() + f"""
health: {{interval: 200ms, failover_interval: 100ms, timeout: 500ms}}
listen:
  primary: "127.0.0.1:{primary}"
  replica: "127.0.0.1:{replica}"
  shutdown_grace: 7s
admin: {{listen: "127.0.0.1:{admin}"}}
log: {{level: {level}}}
"""


class NotifySocket:
    """A unix datagram socket standing in for systemd's; records (arrival time, fields)."""

    def __init__(self, abstract=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.dir = None
        if abstract:
            name = f"pgfront-e2e-notify-{os.getpid()}-{time.monotonic_ns()}"
            self.sock.bind("\0" + name)
            self.env_value = "@" + name
        else:
            self.dir = tempfile.mkdtemp(prefix="pgfront-notify-")
            path = os.path.join(self.dir, "notify")
            self.sock.bind(path)
            self.env_value = path
        self.messages = []

    def close(self):
        self.sock.close()
        if self.dir:
            for name in os.listdir(self.dir):
                os.unlink(os.path.join(self.dir, name))
            os.rmdir(self.dir)

    def receive(self, timeout):
        """The next message's fields (a dict), or None at timeout."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
        self.messages.append((time.monotonic(), fields))
        return fields

    def wait_for(self, key, timeout, value="1", on_message=None):
        """Reads until a message with key=value arrives; returns it. Fails at timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fields = self.receive(max(0.01, deadline - time.monotonic()))
            if fields is None:
                break
            if on_message:
                on_message(fields)
            if fields.get(key) == value:
                return fields
        raise AssertionError(f"no {key}={value} within {timeout}s; got {[m for _, m in self.messages]}")


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class SdNotify(unittest.TestCase):
    def start(self, notify, watchdog_usec=None, extra_env=None, ports=None):
        self.ports = ports or (free_port(), free_port(), free_port())
        env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
        env["NOTIFY_SOCKET"] = notify.env_value
        if watchdog_usec is not None:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        env.update(extra_env or {})
        pf = PgFront(e2e_common.pgfront_binary(), config(*self.ports), env=env)
        self.addCleanup(pf.close)
        pf.start()
        return pf

    def test_lifecycle_on_an_abstract_socket(self):
        notify = NotifySocket(abstract=True)
        self.addCleanup(notify.close)
        pf = self.start(notify, watchdog_usec=400_000)

        # READY=1: at the moment it arrives, both listeners and the admin API accept.
        ready = notify.wait_for("READY", 15)
        reachable = [accepts(p) for p in self.ports]
        self.assertEqual(reachable, [True, True, True], pf.log_text())
        self.assertEqual(notify.messages[0][1], ready, "READY=1 is the first message")
        self.assertIn(f"primary 127.0.0.1:{self.ports[0]}", ready.get("STATUS", ""))
        t_ready = notify.messages[-1][0]

        # STATUS follows the topology.
        notify.wait_for("STATUS", 10, value=f"primary {CLUSTER.primary().name}, replicas []")

        # WATCHDOG=1 every 200 ms (half of 400 ms), repeatedly.
        while time.monotonic() < t_ready + 2.0:
            notify.receive(0.5)
        pings = [t for t, m in notify.messages if m.get("WATCHDOG") == "1"]
        self.assertGreaterEqual(len(pings), 7, notify.messages)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertTrue(0.15 <= statistics.median(gaps) <= 0.30, gaps)
        self.assertLess(max(gaps), 0.45, gaps)

        # SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 once the reload is done.
        mark = len(notify.messages)
        pf.reload()
        reloading = notify.wait_for("RELOADING", 5)
        self.assertRegex(reloading.get("MONOTONIC_USEC", ""), r"^\d+$")
        notify.wait_for("READY", 5)
        wait_until(lambda: "configuration reloaded" in pf.log_text(), 5, what="the reload log line")
        kinds = [k for _, m in notify.messages[mark:] for k in ("RELOADING", "READY") if k in m]
        self.assertEqual(kinds, ["RELOADING", "READY"])

        # A rejected reload keeps the old configuration and is still bracketed.
        pf.write_config("cluster: [this is not a mapping\n")
        mark = len(notify.messages)
        pf.reload()
        notify.wait_for("RELOADING", 5)
        notify.wait_for("READY", 5)
        self.assertTrue(pf.running())
        self.assertTrue(accepts(self.ports[0]))

        # SIGTERM: STOPPING=1 with room for the drain (shutdown_grace 7s + 10s), then exit 0.
        pf.signal_term()
        stopping = notify.wait_for("STOPPING", 5)
        self.assertEqual(stopping.get("EXTEND_TIMEOUT_USEC"), str(17_000_000))
        stop_index = len(notify.messages)
        self.assertEqual(pf.wait_exit(20), 0, pf.log_text())
        while notify.receive(0.2) is not None:
            pass
        self.assertFalse(any("READY" in m for _, m in notify.messages[stop_index:]), notify.messages[stop_index:])

    def test_path_socket_and_no_watchdog_without_watchdog_usec(self):
        notify = NotifySocket(abstract=False)
        self.addCleanup(notify.close)
        pf = self.start(notify)
        notify.wait_for("READY", 15)
        self.assertTrue(accepts(self.ports[0]))
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            notify.receive(0.3)
        self.assertFalse(any("WATCHDOG" in m for _, m in notify.messages), notify.messages)
        pf.signal_term()
        notify.wait_for("STOPPING", 5)
        self.assertEqual(pf.wait_exit(20), 0)

    def test_watchdog_meant_for_another_process_is_ignored(self):
        notify = NotifySocket()
        self.addCleanup(notify.close)
        pf = self.start(notify, watchdog_usec=200_000, extra_env={"WATCHDOG_PID": "1"})
        notify.wait_for("READY", 15)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            notify.receive(0.3)
        self.assertFalse(any("WATCHDOG" in m for _, m in notify.messages), notify.messages)
        pf.terminate()

    def test_no_ready_when_a_listener_cannot_bind(self):
        notify = NotifySocket()
        self.addCleanup(notify.close)
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        self.addCleanup(busy.close)
        pf = self.start(notify, watchdog_usec=400_000,
                        ports=(free_port(), busy.getsockname()[1], free_port()))
        self.assertEqual(pf.wait_exit(15), 1, pf.log_text())
        self.assertIn("cannot listen", pf.log_text())
        while notify.receive(0.2) is not None:
            pass
        self.assertFalse(any("READY" in m or "WATCHDOG" in m for _, m in notify.messages), notify.messages)


if __name__ == "__main__":
    e2e_common.main()
