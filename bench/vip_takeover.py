#!/usr/bin/python3
"""VIP takeover benchmark: pgfront's built-in VRRP speaker against keepalived 2.2.7 (Debian's),
in the same network namespaces (tests/e2e/netns.py: a bridged segment, hosts h1 and h2), with
VRRPv2 at 1 s adverts and VRRPv3 at 100 ms adverts, interleaved round by round.

Per round and implementation: h1 (priority 150) and h2 (priority 100) start, h1 becomes
Master, then h1 is SIGKILLed (or SIGTERMed) and we time the moment the VIP appears on h2's
interface (an rtnetlink RTM_NEWADDR event in h2's namespace, not a poll). Separately, for
pgfront only: h1 is cut off the Patroni cluster (its REST traffic silently dropped inside its
namespace) and we time cut -> "h1's topology has no primary" (from its log) -> VIP on h2.

    /usr/bin/python3 bench/vip_takeover.py --pgfront build/app/pgfront [--rounds 5]
        [--events SIGKILL SIGTERM] [--out bench/out] [--results bench/RESULTS.md]

It is also the `vip` scenario of bench/run (`bench/run --scenarios vip`), which calls
measure(). Writes OUT/vip_takeover.json and OUT/vip_takeover.md, and puts the markdown into
RESULTS as its "VIP takeover" section (replacing an older one, keeping every other section).
Needs root (namespaces).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import netns  # noqa: E402
from netns import VIP, Lab  # noqa: E402
from pgcluster import Cluster  # noqa: E402
from benchlib import vip_report  # noqa: E402
from benchlib.vip_report import BACKUP_PRIO, MASTER_PRIO, fmt, master_down, median  # noqa: E402

CONFIGS = [  # (label, version, advert interval in s)
    ("v2, advert_int 1 s", 2, 1.0),
    ("v3, advert_int 100 ms", 3, 0.1),
]
EVENTS = ("SIGKILL", "SIGTERM")
# Primary loss: (label, health section, no_primary_after). The first is the quick profile's.
PRIMARY_LOSS = [
    ("interval 200ms, timeout 400ms, fall 2", {"interval": "200ms", "timeout": "400ms", "fall": 2}, "1s"),
    ("defaults: interval 500ms, timeout 1s, fall 2", {"interval": "500ms", "timeout": "1s", "fall": 2}, "3s"),
]


def interval_text(interval):
    return "1s" if interval >= 1 else f"{int(round(interval * 1000))}ms"


class Bench:
    def __init__(self, pgfront):
        self.pgfront_binary = pgfront
        netns.reap_stale(lambda m: print(m, file=sys.stderr))
        self.work = netns.work_dir("bench")
        self.lab = None
        self.cluster = None
        self.counter = 0
        self.speakers = []

    # setup ---------------------------------------------------------------------------------
    def start(self):
        self.lab = Lab(hosts=["h1", "h2"], log=lambda m: print(m, file=sys.stderr))
        self.cluster = Cluster(nodes=1, scope="vipbench", extra_address=self.lab.cluster_address,
                               extra_clients=self.lab.cluster_clients)
        self.cluster.start()

    def close(self):
        for sp in list(self.speakers):
            self.stop_speaker(sp)
        try:
            if self.cluster:
                self.cluster.stop()
        finally:
            if self.lab:
                self.lab.close()
            shutil.rmtree(self.work, ignore_errors=True)

    def workdir(self, name):
        self.counter += 1
        return os.path.join(self.work, f"{name}-{self.counter}")

    def pgfront(self, host, priority, version, interval, health=None, vip=None):
        settings = {"priority": priority, "version": version,
                    "advert_interval": interval_text(interval)}
        settings.update(vip or {})
        nodes = [(n.name, n.pg_port, n.api_port) for n in self.cluster.nodes]
        text = netns.pgfront_yaml(self.lab.cluster_address, nodes, settings, health=health)
        sp = netns.start_pgfront(self.lab, host, self.pgfront_binary, text, self.workdir(host))
        self.speakers.append(sp)
        return sp

    def keepalived(self, host, priority, version, interval):
        sp = netns.start_keepalived(self.lab, host, netns.keepalived_conf(version, priority, interval,
                                                                          router_id=host),
                                    self.workdir(f"ka-{host}"))
        self.speakers.append(sp)
        return sp

    def stop_speaker(self, sp):
        if sp.running():
            if sp.kind == "keepalived":
                sp.kill()
            else:
                sp.terminate()
        if sp in self.speakers:
            self.speakers.remove(sp)

    def clean_vips(self):
        for host in ("h1", "h2"):
            self.lab.ip(host, "addr", "del", f"{VIP}/24", "dev", "eth0", check=False)

    def holders(self):
        return sorted(h for h in ("h1", "h2") if self.lab.has_address(h))

    # one takeover --------------------------------------------------------------------------
    def takeover(self, impl, version, interval, how):
        """Seconds from the signal to h1's Master to the VIP on h2."""
        self.clean_vips()
        start = self.pgfront if impl == "pgfront" else self.keepalived
        m = start("h1", MASTER_PRIO, version, interval)
        b = start("h2", BACKUP_PRIO, version, interval)
        try:
            netns.wait_for(lambda: self.holders() == ["h1"], master_down(MASTER_PRIO, interval) + 10,
                           what=f"{impl}: h1 Master")
            time.sleep(2 * interval + 0.2)  # h2 has heard a few adverts and settled as Backup
            if self.holders() != ["h1"]:
                raise RuntimeError(f"{impl}: not settled: {self.holders()}")
            watch = netns.AddrWatcher(self.lab.ns("h2"))
            sniffer = netns.AdvertSniffer(self.lab.ns("h2"))
            try:
                # Right after one of h1's adverts reached h2: every round, and both
                # implementations, see the full Master_Down_Interval (the worst case).
                if sniffer.wait_from(self.lab.addr("h1"), interval * 3 + 1) is None:
                    raise RuntimeError(f"{impl}: no advert from h1")
                t0 = time.monotonic()
                if how == "SIGKILL":
                    m.kill()
                else:
                    os.kill(m.proc.pid, signal.SIGTERM)
                added = watch.wait_event("add", VIP, t0, master_down(BACKUP_PRIO, interval) + 10)
            finally:
                watch.close()
                sniffer.close()
            if added is None:
                raise RuntimeError(f"{impl}: h2 never took the VIP")
            return added - t0
        finally:
            self.stop_speaker(b)
            self.stop_speaker(m)
            self.clean_vips()

    # primary loss --------------------------------------------------------------------------
    def primary_loss(self, health, no_primary_after):
        """(cut -> h1 sees no primary, h1 sees no primary -> VIP on h2, cut -> VIP on h2)."""
        self.clean_vips()
        vip = {"no_primary_after": no_primary_after}
        m = self.pgfront("h1", MASTER_PRIO, 3, 0.1, health=health, vip=vip)
        b = self.pgfront("h2", BACKUP_PRIO, 3, 0.1, health=health, vip=vip)
        ports = [n.api_port for n in self.cluster.nodes]
        try:
            netns.wait_for(lambda: self.holders() == ["h1"] and
                           m.status()["failed_conditions"] == [] and
                           b.status()["failed_conditions"] == [], 15, what="h1 Master, both healthy")
            time.sleep(0.5)
            watch = netns.AddrWatcher(self.lab.ns("h2"))
            try:
                t_wall = time.time()
                t0 = time.monotonic()
                self.lab.cut_cluster("h1", ports, mode="silent")
                added = watch.wait_event("add", VIP, t0, 30)
            finally:
                watch.close()
                self.lab.restore_cluster("h1", ports)
            if added is None:
                raise RuntimeError("the VIP did not move")
            lost = None
            for line in m.log_text().splitlines():
                mt = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \w+ topology version=\d+ "
                              r"primary=none", line)
                if mt:
                    at = datetime.datetime.strptime(mt.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                    if at >= t_wall - 0.002:
                        lost = at - t_wall
                        break
            total = added - t0
            return (lost, None if lost is None else total - lost, total)
        finally:
            self.stop_speaker(b)
            self.stop_speaker(m)
            self.clean_vips()


def measure(pgfront, rounds, events=EVENTS, primary_loss=PRIMARY_LOSS, log=None, command=None):
    """Runs every takeover (per event and configuration, pgfront and keepalived interleaved,
    `rounds` times) and the primary-loss rounds; returns the result dict vip_report renders."""
    log = log or (lambda m: print(m, file=sys.stderr))
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    started = time.monotonic()
    load0 = " ".join(open("/proc/loadavg").read().split()[:3])
    bench = Bench(os.path.abspath(pgfront))
    result = {"when": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), "command": command,
              "args": {"rounds": rounds, "events": list(events),
                       "primary_loss": [label for label, _, _ in primary_loss]},
              "takeover": [], "primary_loss": []}
    try:
        bench.start()
        for how in events:
            for label, version, interval in CONFIGS:
                row = {"how": how, "config": label, "version": version, "interval": interval,
                       "bound": master_down(BACKUP_PRIO, interval),
                       "skew": vip_report.skew(BACKUP_PRIO, interval), "pgfront": [], "keepalived": []}
                for r in range(rounds):
                    for impl in ("pgfront", "keepalived") if r % 2 == 0 else ("keepalived", "pgfront"):
                        t = bench.takeover(impl, version, interval, how)
                        row[impl].append(t)
                        log(f"vip: {how} {label} round {r + 1} {impl}: {t:.3f}s")
                row["pgfront_median"] = median(row["pgfront"])
                row["keepalived_median"] = median(row["keepalived"])
                result["takeover"].append(row)
        for health_label, health, npa in primary_loss:
            row = {"health": health_label, "no_primary_after": npa, "rounds": []}
            for r in range(rounds):
                lost, handoff, total = bench.primary_loss(health, npa)
                row["rounds"].append({"lost": lost, "handoff": handoff, "total": total})
                log(f"vip: primary loss ({health_label}, {npa}) round {r + 1}: cut->none {fmt(lost)}s, "
                    f"none->VIP {fmt(handoff)}s, total {total:.3f}s")
            row["lost_median"] = median(x["lost"] for x in row["rounds"])
            row["handoff_median"] = median(x["handoff"] for x in row["rounds"])
            row["total_median"] = median(x["total"] for x in row["rounds"])
            result["primary_loss"].append(row)
    finally:
        bench.close()
    result["minutes"] = (time.monotonic() - started) / 60
    result["load"] = [load0, " ".join(open("/proc/loadavg").read().split()[:3])]
    return result


def write(result, out_dir, results_path=None):
    """OUT/vip_takeover.{json,md}; with results_path, the section spliced into that report."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "vip_takeover.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = vip_report.render(result)
    with open(os.path.join(out_dir, "vip_takeover.md"), "w") as f:
        f.write(md)
    if results_path:
        text = ""
        if os.path.exists(results_path):
            with open(results_path) as f:
                text = f.read()
        with open(results_path + ".tmp", "w") as f:
            f.write(vip_report.splice(text, md))
        os.replace(results_path + ".tmp", results_path)
    return md


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pgfront", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--events", nargs="+", choices=EVENTS, default=list(EVENTS))
    p.add_argument("--out", default=os.path.join(REPO, "bench", "out"))
    p.add_argument("--results", default=os.path.join(REPO, "bench", "RESULTS.md"))
    p.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = p.parse_args()
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if os.geteuid() != 0:
        p.error("needs root (network namespaces, keepalived, Patroni as postgres)")
    command = ("/usr/bin/python3 bench/vip_takeover.py --pgfront build/app/pgfront "
               f"--rounds {args.rounds} --events {' '.join(args.events)}")
    result = measure(args.pgfront, args.rounds, args.events, command=command)
    print(write(result, args.out, None if args.no_results else args.results))


if __name__ == "__main__":
    main()
