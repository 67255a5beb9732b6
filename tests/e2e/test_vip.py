#!/usr/bin/python3
"""The built-in VRRP speaker, end to end, in network namespaces this module creates (see
netns.py): real pgfront processes holding a real VIP on a bridged segment, a real Patroni
cluster behind them (harness, reachable over a veth into the root namespace), a real
keepalived (Debian's) for interop, real tcpdump on the switch, and a raw-socket injector for
malformed adverts. Timings are asserted against RFC 5798's formulas plus a margin for this
2-core machine.

Hosts: h1, h2 (pgfront), ka (keepalived), inj (client, packet injector). VIP 198.18.0.100/24,
VRID 51 on eth0 of each host.
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import unittest

import psycopg

import e2e_common
import netns
from netns import VIP, Lab, wait_for

from pgcluster import Cluster

LAB = None
CLUSTER = None
WORK = None
SPEAKERS = []  # stopped after each test
_COUNTER = iter(range(1, 10 ** 6))  # a fresh work directory per speaker (keepalived's pid files)

# Scheduling noise on a loaded 2-core VM: a takeover may land this much after its RFC bound.
MARGIN = 0.30


def skew(priority, interval):
    return (256 - priority) * interval / 256


def master_down(priority, interval):
    return 3 * interval + skew(priority, interval)


def setUpModule():
    global LAB, CLUSTER, WORK
    netns.reap_stale(lambda m: print(m, file=sys.stderr))
    WORK = netns.work_dir("e2e")
    LAB = Lab(hosts=["h1", "h2", "ka"], extra=["inj"], log=lambda m: print(m, file=sys.stderr))
    # One node is enough: the tests need "a primary that pgfront can or cannot see".
    CLUSTER = Cluster(nodes=1, scope="vip", extra_address=LAB.cluster_address,
                      extra_clients=LAB.cluster_clients)
    CLUSTER.start()


def tearDownModule():
    try:
        if CLUSTER:
            CLUSTER.stop()
    finally:
        if LAB:
            LAB.close()
        if WORK:
            shutil.rmtree(WORK, ignore_errors=True)


def node_list():
    return [(n.name, n.pg_port, n.api_port) for n in CLUSTER.nodes]


def start_pgfront(host, **vip):
    """pgfront in `host` with VRRPv3 at 100 ms unless told otherwise."""
    health = vip.pop("health", None)
    settings = {"version": 3, "advert_interval": "100ms", "garp_repeat": 3, "garp_delay": "1s",
                "no_primary_after": "1s"}
    settings.update(vip)
    text = netns.pgfront_yaml(LAB.cluster_address, node_list(), settings, health=health)
    workdir = os.path.join(WORK, f"{host}-{next(_COUNTER)}")
    sp = netns.start_pgfront(LAB, host, e2e_common.pgfront_binary(), text, workdir)
    SPEAKERS.append(sp)
    return sp


def start_keepalived(version, priority, advert_int, preempt=True):
    workdir = os.path.join(WORK, f"ka-{next(_COUNTER)}")
    sp = netns.start_keepalived(LAB, "ka", netns.keepalived_conf(version, priority, advert_int,
                                                                 preempt=preempt), workdir)
    SPEAKERS.append(sp)
    return sp


def holders():
    return sorted(h for h in ("h1", "h2", "ka") if LAB.has_address(h))


def wait_holder(host, timeout, what=None):
    """Waits until `host` alone holds the VIP."""
    return wait_for(lambda: holders() == [host], timeout, what=what or f"only {host} holding the VIP")


def wait_state(sp, state, timeout):
    return wait_for(lambda: sp.status()["state"] == state, timeout,
                    what=f"{sp.host} in state {state}")


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def client_connect(timeout=5):
    """A psycopg connection from the client host to the primary port through the VIP."""
    return netns.in_netns(LAB.ns("inj"), lambda: psycopg.connect(
        host=VIP, port=5000, dbname="appdb", user="app", password="apppass",
        connect_timeout=timeout, autocommit=True))


class VipTest(unittest.TestCase):
    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        failed = result is not None and any(
            t is self for t, _ in list(result.failures) + list(result.errors))
        for sp in reversed(SPEAKERS):
            if failed:
                print(f"--- {sp.kind} in {sp.host} ({sp.workdir})\n{sp.log_text()[-3000:]}",
                      file=sys.stderr)
            if sp.running():
                if sp.kind == "keepalived":
                    sp.kill()
                else:
                    sp.terminate()
        SPEAKERS.clear()
        for host in ("h1", "h2", "ka"):  # a killed speaker's VIP must not leak into the next test
            LAB.ip(host, "addr", "del", f"{VIP}/24", "dev", "eth0", check=False)

    # --------------------------------------------------------------------------------------
    def test_01_two_pgfronts_elect_one_master_that_serves_clients(self):
        notify = os.path.join(WORK, "notify.log")
        script = os.path.join(WORK, "notify.sh")
        with open(script, "w") as f:
            f.write(f'#!/bin/sh\necho "$*" >> {notify}\n')
        os.chmod(script, 0o755)
        h1 = start_pgfront("h1", priority=150, notify=script)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        s1 = wait_for(lambda: (lambda s: s if s["failed_conditions"] == [] else None)(h1.status()),
                      10, what="h1 to see the primary")
        s2 = h2.status()
        self.assertEqual(s1["state"], "master")
        self.assertTrue(s1["holds_vip"])
        self.assertEqual(s1["effective_priority"], 150)
        self.assertEqual(s2["state"], "backup")
        self.assertFalse(s2["holds_vip"])
        self.assertEqual(s2["master_address"], LAB.addr("h1"))
        self.assertEqual(s2["master_priority"], 150)
        self.assertGreater(s2["adverts_received"], 0)
        self.assertEqual(s2["dropped_total"], 0)
        # It stays that way: no flapping over a few seconds of 100 ms adverts.
        time.sleep(1.5)
        self.assertEqual(holders(), ["h1"])
        self.assertEqual(h1.status()["transitions"], s1["transitions"])
        # A client on the segment reaches the primary through the VIP.
        with client_connect() as conn:
            self.assertFalse(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])
        # notify ran with STATE VRID ADDRESS, in order.
        lines = wait_for(lambda: "MASTER" in read_text(notify) and read_text(notify).splitlines(),
                         5, what="notify MASTER")
        self.assertEqual(lines[:2],
                         [f"BACKUP 51 {VIP}", f"MASTER 51 {VIP}"])
        self.assertEqual(h1.terminate(), 0)
        wait_for(lambda: f"STOP 51 {VIP}" in read_text(notify), 5, what="notify STOP")

    # --------------------------------------------------------------------------------------
    def test_02_sigkill_moves_vip_within_master_down_interval(self):
        h1 = start_pgfront("h1", priority=150)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_state(h2, "backup", 5)
        watch = netns.AddrWatcher(LAB.ns("h2"))
        try:
            t0 = time.monotonic()
            h1.kill()
            bound = master_down(100, 0.1)
            added = watch.wait_event("add", VIP, t0, bound + 5)
            self.assertIsNotNone(added, "h2 never took the VIP")
            print(f"SIGKILL takeover: {added - t0:.3f}s (bound {bound:.3f}s + {MARGIN}s)",
                  file=sys.stderr)
            self.assertLessEqual(added - t0, bound + MARGIN)
        finally:
            watch.close()
        s2 = h2.status()
        self.assertEqual(s2["state"], "master")
        self.assertEqual(s2["last_transition_reason"], "master_down_timer")
        # Like keepalived, a SIGKILLed speaker cannot remove its VIP: both hosts hold it...
        self.assertTrue(LAB.has_address("h1"))
        # ...until ExecStopPost runs `pgfront --release-vip`: priority 0 first, then removal.
        out = subprocess.run(["/usr/sbin/ip", "netns", "exec", LAB.ns("h1"),
                              e2e_common.pgfront_binary(), "--release-vip", "-c",
                              os.path.join(h1.workdir, "pgfront.yaml")],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("priority-0 advert", out.stdout)
        self.assertIn(f"removed {VIP}/24", out.stdout)
        self.assertEqual(holders(), ["h2"])
        # A second run finds nothing to do and still succeeds.
        again = subprocess.run(["/usr/sbin/ip", "netns", "exec", LAB.ns("h1"),
                                e2e_common.pgfront_binary(), "--release-vip", "-c",
                                os.path.join(h1.workdir, "pgfront.yaml")],
                               capture_output=True, text=True, timeout=20)
        self.assertEqual(again.returncode, 0)
        self.assertIn("nothing to release", again.stdout)
        # The Master answers the stray priority-0 advert and stays Master.
        time.sleep(0.5)
        self.assertEqual(h2.status()["state"], "master")

    # --------------------------------------------------------------------------------------
    def test_03_sigterm_stale_vip_preempt_and_nopreempt(self):
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h2", 10)
        # A stale copy of the VIP on h1, as a SIGKILLed master (or keepalived) leaves it.
        LAB.ip("h1", "addr", "add", f"{VIP}/24", "dev", "eth0")
        watch1 = netns.AddrWatcher(LAB.ns("h1"))
        watch2 = netns.AddrWatcher(LAB.ns("h2"))
        try:
            t0 = time.monotonic()
            h1 = start_pgfront("h1", priority=150)  # preempt: true (the default)
            removed = watch1.wait_event("del", VIP, t0, 10)
            self.assertIsNotNone(removed, "h1 did not remove the stale VIP")
            readded = watch1.wait_event("add", VIP, t0, 10)
            self.assertIsNotNone(readded)
            self.assertLess(removed, readded, "the stale VIP must go before h1 enters Backup")
            self.assertIn("removed a stale 198.18.0.100/24", h1.log_text())
            # Preemption: h1 (150) takes the VIP back from h2 (100) once its
            # Master_Down_Interval passed; h2 gives it up on h1's first advert.
            wait_holder("h1", 5, "h1 to preempt h2")
            s2 = h2.status()
            self.assertEqual(s2["state"], "backup")
            self.assertEqual(s2["last_transition_reason"], "higher_priority")

            # A clean stop: priority-0 advert, h2 takes over after Skew_Time.
            t1 = time.monotonic()
            h1.proc.send_signal(15)
            added = watch2.wait_event("add", VIP, t1, 5)
            self.assertIsNotNone(added)
            print(f"SIGTERM takeover: {added - t1:.3f}s (advert interval 0.1s + {MARGIN}s)",
                  file=sys.stderr)
            self.assertLessEqual(added - t1, 0.1 + MARGIN)
            self.assertEqual(h1.proc.wait(10), 0)
            self.assertFalse(LAB.has_address("h1"), "a clean stop removes the VIP")
            self.assertEqual(h2.status()["last_transition_reason"], "master_stopped")

            # nopreempt: h1 comes back with the higher priority and stays Backup.
            h1b = start_pgfront("h1", priority=150, preempt=False)
            wait_state(h1b, "backup", 5)
            time.sleep(master_down(150, 0.1) * 4)
            self.assertEqual(holders(), ["h2"])
            s1 = h1b.status()
            self.assertEqual(s1["state"], "backup")
            self.assertEqual(s1["master_address"], LAB.addr("h2"))
            self.assertGreater(s1["adverts_received"], 0)
        finally:
            watch1.close()
            watch2.close()

    # --------------------------------------------------------------------------------------
    def interop(self, version, advert_int):
        interval_text = "1s" if advert_int >= 1 else f"{int(advert_int * 1000)}ms"
        watch_ka = netns.AddrWatcher(LAB.ns("ka"))
        watch_h1 = netns.AddrWatcher(LAB.ns("h1"))
        try:
            # keepalived (200) preempts a pgfront (100) that was Master alone.
            pg = start_pgfront("h1", priority=100, version=version, advert_interval=interval_text)
            wait_holder("h1", master_down(100, advert_int) + 5)
            ka = start_keepalived(version, 200, advert_int)
            wait_holder("ka", master_down(200, advert_int) + 5, "keepalived (200) to preempt")
            s = pg.status()
            self.assertEqual(s["state"], "backup")
            self.assertEqual(s["master_address"], LAB.addr("ka"))
            self.assertEqual(s["master_priority"], 200)
            self.assertEqual(s["dropped_total"], 0, s["dropped"])
            # keepalived dies: pgfront takes over within its Master_Down_Interval.
            t0 = time.monotonic()
            ka.kill()
            added = watch_h1.wait_event("add", VIP, t0, master_down(100, advert_int) + 5)
            self.assertIsNotNone(added)
            print(f"v{version}: keepalived SIGKILL -> pgfront holds VIP {added - t0:.3f}s",
                  file=sys.stderr)
            self.assertLessEqual(added - t0, master_down(100, advert_int) + MARGIN)
            pg.terminate()
            LAB.ip("ka", "addr", "del", f"{VIP}/24", "dev", "eth0", check=False)

            # The other direction: keepalived (100) Master alone, pgfront (200) preempts it,
            # keepalived stays Backup, pgfront dies, keepalived takes over.
            ka = start_keepalived(version, 100, advert_int)
            wait_holder("ka", master_down(100, advert_int) + 5)
            pg = start_pgfront("h1", priority=200, version=version, advert_interval=interval_text)
            wait_holder("h1", master_down(200, advert_int) + 5, "pgfront (200) to preempt")
            self.assertEqual(pg.status()["last_transition_reason"], "master_down_timer")
            time.sleep(advert_int * 3)
            self.assertEqual(holders(), ["h1"])
            self.assertIn("Entering BACKUP STATE", ka.log_text().split("Entering MASTER STATE")[-1])
            t0 = time.monotonic()
            pg.kill()
            added = watch_ka.wait_event("add", VIP, t0, master_down(100, advert_int) + 5)
            self.assertIsNotNone(added)
            print(f"v{version}: pgfront SIGKILL -> keepalived holds VIP {added - t0:.3f}s",
                  file=sys.stderr)
            self.assertLessEqual(added - t0, master_down(100, advert_int) + MARGIN)
        finally:
            watch_ka.close()
            watch_h1.close()

    def test_04a_interop_keepalived_v2(self):
        self.interop(2, 1.0)

    def test_04b_interop_keepalived_v3(self):
        self.interop(3, 0.1)

    # --------------------------------------------------------------------------------------
    def test_05_health_coupling_moves_vip_to_the_peer_that_sees_a_primary(self):
        api_ports = [n.api_port for n in CLUSTER.nodes]
        h1 = start_pgfront("h1", priority=150)  # track_no_primary: fault (the default)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_for(lambda: h1.status()["failed_conditions"] == [] and
                 h2.status()["failed_conditions"] == [], 10, what="both to see the primary")
        watch = netns.AddrWatcher(LAB.ns("h2"))
        try:
            t0 = time.monotonic()
            LAB.cut_cluster("h1", api_ports)
            added = watch.wait_event("add", VIP, t0, 15)
            self.assertIsNotNone(added, "the VIP did not move off the partitioned pgfront")
            print(f"h1 loses the cluster -> VIP on h2: {added - t0:.3f}s", file=sys.stderr)
            s1 = h1.status()
            self.assertEqual(s1["state"], "fault")
            self.assertEqual(s1["failed_conditions"], ["no_primary"])
            self.assertFalse(s1["holds_vip"])
            self.assertEqual(h2.status()["last_transition_reason"], "master_stopped")
            # It stays out while partitioned, however high its priority.
            time.sleep(1.0)
            self.assertEqual(holders(), ["h2"])
            # Back in touch: Fault clears, h1 (150) preempts h2 again.
            LAB.restore_cluster("h1", api_ports)
            wait_holder("h1", 10, "h1 back as Master after the partition healed")
            self.assertEqual(h1.status()["failed_conditions"], [])
        finally:
            LAB.restore_cluster("h1", api_ports)
            watch.close()
        # With a weight instead of Fault: 150 - 60 = 90 < 100, h2 preempts.
        h1.terminate()
        wait_holder("h2", 5)
        h1 = start_pgfront("h1", priority=150, track_no_primary=-60)
        wait_holder("h1", 10)
        try:
            LAB.cut_cluster("h1", api_ports)
            wait_holder("h2", 15, "h2 to preempt a pgfront whose priority dropped")
            s1 = h1.status()
            self.assertEqual(s1["state"], "backup")
            self.assertEqual(s1["effective_priority"], 90)
            self.assertEqual(s1["failed_conditions"], ["no_primary"])
        finally:
            LAB.restore_cluster("h1", api_ports)

    # --------------------------------------------------------------------------------------
    def test_06_gratuitous_arp_seen_on_the_bridge_after_takeover(self):
        h1 = start_pgfront("h1", priority=150)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_state(h2, "backup", 5)
        # The client learns the VIP's MAC (h1's) by talking to it.
        with client_connect() as conn:
            conn.execute("SELECT 1")
        self.assertIn(LAB.mac("h1"), LAB.ip("inj", "neigh", "show", VIP))
        capture = os.path.join(WORK, "arp.txt")
        with open(capture, "wb") as out:
            tcpdump = subprocess.Popen(
                ["/usr/sbin/ip", "netns", "exec", LAB.switch, "/usr/bin/tcpdump", "-l", "-n",
                 "-e", "-Z", "root", "-i", "br0", "arp"],
                stdout=out, stderr=subprocess.PIPE, start_new_session=True)
        try:
            # tcpdump says "listening on br0" on stderr once the capture runs.
            line = b""
            deadline = time.monotonic() + 10
            while b"listening on" not in line and time.monotonic() < deadline:
                line = tcpdump.stderr.readline()
            self.assertIn(b"listening on", line)
            mac2 = LAB.mac("h2")
            h1.kill()
            wait_for(lambda: LAB.has_address("h2"), 5, what="h2 to take over")
            t_take = time.monotonic()

            def garps():
                text = read_text(capture)
                return [l for l in text.splitlines()
                        if l.split(" ")[1] == mac2 and
                        (f"who-has {VIP} tell {VIP}" in l or f"Announcement {VIP}" in l)]
            # The first burst (garp_repeat 3) at once...
            first = wait_for(lambda: garps() if len(garps()) >= 3 else None, 2,
                             what="3 gratuitous ARPs from h2")
            # ...and the client's ARP cache follows without waiting for a probe.
            wait_for(lambda: mac2 in LAB.ip("inj", "neigh", "show", VIP), 1,
                     what="the client's ARP entry for the VIP to move to h2")
            # ...and the second burst garp_delay (1 s) later.
            second = wait_for(lambda: garps() if len(garps()) >= 6 else None, 3,
                              what="the second burst")
            print(f"gratuitous ARPs from h2: {len(first)} then {len(second)} "
                  f"({time.monotonic() - t_take:.2f}s after takeover)\n  " + first[0],
                  file=sys.stderr)
            self.assertEqual(h2.status()["gratuitous_arps_sent"], len(second))
            with client_connect() as conn:
                self.assertFalse(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])
        finally:
            os.kill(tcpdump.pid, 15)
            tcpdump.wait(10)
            tcpdump.stderr.close()

    # --------------------------------------------------------------------------------------
    def test_07_malformed_adverts_are_dropped_counted_and_change_nothing(self):
        h1 = start_pgfront("h1", priority=150)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_state(h2, "backup", 5)
        before = {"h1": h1.status(), "h2": h2.status()}
        injector = Injector(LAB.ns("inj"), "eth0", LAB.addr("inj"))
        try:
            group = "224.0.0.18"
            # Every one would win the election (priority 254) if it were accepted.
            kinds = {
                "bad_checksum": lambda: injector.advert(group, checksum_delta=1),
                "bad_ttl": lambda: injector.advert(group, ttl=254),
                "wrong_vrid": lambda: injector.advert(group, vrid=52),
                "truncated": lambda: injector.advert(group, truncate=2),
                "too_short": lambda: injector.advert(group, truncate=12),
                "bad_version": lambda: injector.advert(group, version=4),
                "bad_type": lambda: injector.advert(group, vtype=2),
                "address_list_mismatch": lambda: injector.advert(group, vip="198.18.0.101"),
                "length_mismatch": lambda: injector.advert(group, extra=b"\0\0\0\0\0"),
                "no_addresses": lambda: injector.advert(group, count=0, vip=None),
                "bad_interval": lambda: injector.advert(group, interval=0),
                "wrong_destination": lambda: injector.advert(LAB.addr("h1"), ttl=255),
            }
            n = 5
            for kind, send in kinds.items():
                for _ in range(n):
                    send()
                time.sleep(0.01)
            # Garbage: random lengths and bytes behind a valid IP header, bounded.
            rnd = __import__("random").Random(5)
            for i in range(200):
                injector.raw(group, bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 64))))
                if i % 20 == 19:
                    time.sleep(0.01)  # stay well inside the receiver's socket buffer
            time.sleep(0.5)
            for host, sp in (("h1", h1), ("h2", h2)):
                self.assertTrue(sp.running(), f"{host} pgfront died")
                after = sp.status()
                for kind in kinds:
                    if kind == "wrong_destination" and host == "h2":
                        continue  # unicast to h1: h2's NIC never sees it
                    self.assertGreaterEqual(after["dropped"][kind] - before[host]["dropped"][kind],
                                            n, f"{host}: {kind} not counted: {after['dropped']}")
                self.assertGreaterEqual(after["dropped_total"] - before[host]["dropped_total"],
                                        n * (len(kinds) - 1) + 200)
                self.assertEqual(after["state"], before[host]["state"])
                self.assertEqual(after["transitions"], before[host]["transitions"])
                self.assertEqual(after["master_address"], LAB.addr("h1"))
            self.assertEqual(holders(), ["h1"])
            # A well-formed advert from the injector still counts (sanity of the injector):
            # priority 50 is below h1's, so h1 discards it and stays Master.
            discarded = h1.status()["adverts_discarded"]
            for _ in range(3):
                injector.advert(group, priority=50)
            wait_for(lambda: h1.status()["adverts_discarded"] >= discarded + 3, 3,
                     what="h1 to discard the lower-priority adverts")
            self.assertEqual(holders(), ["h1"])
        finally:
            injector.close()

    # --------------------------------------------------------------------------------------
    def test_08_without_capabilities_a_vip_section_is_refused_and_others_run(self):
        text = netns.pgfront_yaml(LAB.cluster_address, node_list(), {"priority": 100})
        path = os.path.join(WORK, "nocap.yaml")
        with open(path, "w") as f:
            f.write(text)
        drop = ["setpriv", "--inh-caps=-net_raw,-net_admin", "--bounding-set=-net_raw,-net_admin",
                "--"]
        out = subprocess.run(["/usr/sbin/ip", "netns", "exec", LAB.ns("h1")] + drop +
                             [e2e_common.pgfront_binary(), "-c", path],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("CAP_NET_RAW and CAP_NET_ADMIN", out.stderr)
        self.assertIn("lacks CAP_NET_RAW and CAP_NET_ADMIN", out.stderr)
        self.assertFalse(LAB.has_address("h1"))
        # The same config without vip: runs under the same restrictions.
        plain = text.split("vip:")[0]
        path2 = os.path.join(WORK, "nocap-plain.yaml")
        with open(path2, "w") as f:
            f.write(plain)
        proc = LAB.popen("h1", drop + [e2e_common.pgfront_binary(), "-c", path2],
                         log_path=os.path.join(WORK, "nocap-plain.log"))
        try:
            code, body = wait_for(lambda: netns.http_get(LAB.ns("h1"), "127.0.0.1", 7000, "/vip"),
                                  10, what="pgfront without vip: to serve its admin API")
            self.assertEqual((code, body), (200, b'{"enabled":false}'))
        finally:
            self.assertEqual(LAB.stop(proc), 0)

    # --------------------------------------------------------------------------------------
    def test_09_reload_changes_priority_and_interface_down_is_fault(self):
        start_pgfront("h1", priority=150)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_state(h2, "backup", 5)
        # SIGHUP with a higher priority: h2 now outranks h1 and preempts it.
        path = os.path.join(h2.workdir, "pgfront.yaml")
        text = read_text(path)
        self.assertIn("  priority: 100\n", text)
        with open(path, "w") as f:
            f.write(text.replace("  priority: 100\n", "  priority: 200\n"))
        h2.proc.send_signal(1)
        wait_holder("h2", 5, "h2 to preempt after its priority was raised by a reload")
        # Prometheus sees the same: master, and the transitions counted.
        code, metrics = netns.http_get(LAB.ns("h2"), "127.0.0.1", 7000, "/metrics")
        self.assertEqual(code, 200)
        text = metrics.decode()
        self.assertRegex(text, r'pgfront_vrrp_state\{interface="eth0",state="master",vrid="[0-9]+"\} 1\n')
        transitions = re.search(r'pgfront_vrrp_transitions_total\{[^}]*\} ([0-9.]+)', text)
        self.assertIsNotNone(transitions, text)
        self.assertGreaterEqual(float(transitions.group(1)), 2)  # init->backup, backup->master
        s2 = h2.status()
        self.assertEqual((s2["configured_priority"], s2["effective_priority"]), (200, 200))
        # eth0 goes down under h2: Fault, the VIP goes, h1 takes over.
        LAB.ip("h2", "link", "set", "eth0", "down")
        try:
            wait_holder("h1", 5, "h1 to take over from a pgfront whose interface went down")
            s2 = wait_for(lambda: (lambda s: s if s["state"] == "fault" else None)(h2.status()), 5,
                          what="h2 in fault")
            self.assertEqual(s2["failed_conditions"], ["interface_down"])
            self.assertFalse(s2["holds_vip"])
        finally:
            LAB.ip("h2", "link", "set", "eth0", "up")
        # Link back: Fault clears and h2 (200) preempts h1 again.
        wait_holder("h2", 5, "h2 back as Master once its link is up")
        self.assertEqual(h2.status()["failed_conditions"], [])

    # --------------------------------------------------------------------------------------
    def test_10_a_stalled_backup_does_not_take_over_from_a_live_master(self):
        start_pgfront("h1", priority=150)
        h2 = start_pgfront("h2", priority=100)
        wait_holder("h1", 10)
        wait_state(h2, "backup", 5)
        before = h2.status()
        watch = netns.AddrWatcher(LAB.ns("h2"))
        try:
            # A 1 s stall is almost three Master_Down_Intervals: when h2 runs again its timer
            # is long overdue, but ten adverts from a live Master wait in its socket. The
            # speaker reads them before it acts on the timer (whichever completion the event
            # loop hands it first), so it stays Backup.
            t0 = time.monotonic()
            os.kill(h2.proc.pid, 19)  # SIGSTOP
            time.sleep(1.0)
            os.kill(h2.proc.pid, 18)  # SIGCONT
            time.sleep(0.5)
            self.assertIsNone(watch.wait_event("add", VIP, t0, 0.1), "h2 took the VIP after a stall")
        finally:
            os.kill(h2.proc.pid, 18)
            watch.close()
        after = h2.status()
        self.assertEqual(after["state"], "backup")
        self.assertEqual(after["transitions"], before["transitions"])
        self.assertGreaterEqual(after["adverts_received"] - before["adverts_received"], 10)
        self.assertEqual(holders(), ["h1"])


class Injector:
    """Crafted VRRP packets from a host of the segment: a raw IPPROTO_RAW socket (we write
    the IP header, TTL included) bound to its eth0."""

    def __init__(self, ns, dev, source):
        self.source = source

        def make():
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(source))
            return s
        self.sock = netns.in_netns(ns, make)

    @staticmethod
    def checksum(data):
        if len(data) % 2:
            data += b"\0"
        total = sum(struct.unpack(f"!{len(data) // 2}H", data))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return ~total & 0xFFFF

    def ip(self, destination, payload, ttl=255):
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0,
                             socket.inet_aton(self.source), socket.inet_aton(destination))
        return header + payload

    def advert(self, destination, vrid=51, priority=254, version=3, vtype=1, interval=10,
               vip=VIP, count=None, ttl=255, checksum_delta=0, truncate=0, extra=b""):
        """A VRRPv3 advert with the pseudo-header checksum (as keepalived sends it), spoilt
        as asked."""
        addresses = socket.inet_aton(vip) if vip else b""
        count = (1 if vip else 0) if count is None else count
        body = struct.pack("!BBBBH", (version << 4) | vtype, vrid, priority, count,
                           interval & 0x0FFF) + b"\0\0" + addresses + extra
        pseudo = socket.inet_aton(self.source) + socket.inet_aton(destination) + \
            struct.pack("!BBH", 0, 112, len(body))
        csum = (self.checksum(pseudo + body) + checksum_delta) & 0xFFFF
        body = body[:6] + struct.pack("!H", csum) + body[8:]
        if truncate:
            body = body[:len(body) - truncate]
        self.sock.sendto(self.ip(destination, body, ttl), (destination, 0))

    def raw(self, destination, payload):
        self.sock.sendto(self.ip(destination, payload), (destination, 0))

    def close(self):
        self.sock.close()


if __name__ == "__main__":
    e2e_common.main()
