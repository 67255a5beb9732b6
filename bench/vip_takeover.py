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
        [--out bench/out] [--results bench/RESULTS.md]

Writes OUT/vip_takeover.json and OUT/vip_takeover.md, and puts the markdown into RESULTS
as its "VIP takeover" section (replacing an older one). Needs root (namespaces).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "harness"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import netns  # noqa: E402
from netns import VIP, Lab  # noqa: E402
from pgcluster import Cluster  # noqa: E402

CONFIGS = [  # (label, version, advert interval in s)
    ("v2, advert_int 1 s", 2, 1.0),
    ("v3, advert_int 100 ms", 3, 0.1),
]
MASTER_PRIO, BACKUP_PRIO = 150, 100
SECTION = "## VIP takeover"


def master_down(priority, interval):
    return 3 * interval + (256 - priority) * interval / 256


def interval_text(interval):
    return "1s" if interval >= 1 else f"{int(round(interval * 1000))}ms"


class Bench:
    def __init__(self, args):
        self.args = args
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
        for sp in self.speakers:
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
        sp = netns.start_pgfront(self.lab, host, self.args.pgfront, text, self.workdir(host))
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


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v):
    return "–" if v is None else f"{v:.3f}"


def render(result):
    a = result["args"]
    lines = [SECTION, "",
             f"Run {result['when']} on this 2-core VM, {result['minutes']:.1f} minutes, "
             f"{a['rounds']} rounds (median shown, every value in `bench/out/vip_takeover.json`). "
             "Reproduce with:", "",
             "```sh",
             "/usr/bin/python3 bench/vip_takeover.py --pgfront build/app/pgfront --rounds "
             f"{a['rounds']}", "```", "",
             "Method: network namespaces made by the script (a bridge inside a namespace, hosts "
             "h1 and h2 on it; tests/e2e/netns.py), the same namespaces for both implementations, "
             f"interleaved round by round. h1 has priority {MASTER_PRIO}, h2 {BACKUP_PRIO}; h1 is "
             "Master, then it is signalled and we time the VIP's arrival on h2 (an rtnetlink "
             "RTM_NEWADDR event in h2's namespace). The signal is sent right after one of h1's "
             "adverts reached h2, so every round sees the whole Master_Down_Interval (the worst "
             "case) instead of a random part of it. keepalived 2.2.7 (Debian) runs as in "
             "`lab.md` (`keepalived -n -l -D`, state BACKUP, same VRID, VIP and interval); "
             "its SIGKILL stops the parent and kills the VRRP child, as a crash would. pgfront "
             "runs with a real one-node Patroni cluster behind it (it sees the primary).", "",
             "| takeover after | config | RFC bound (3×interval + skew) | pgfront | keepalived |",
             "|---|---|---|---|---|"]
    for row in result["takeover"]:
        lines.append(f"| {row['how']} of the Master | {row['config']} | "
                     f"{fmt(row['bound']) if row['how'] == 'SIGKILL' else 'skew ' + fmt(row['skew'])} s | "
                     f"**{fmt(row['pgfront_median'])} s** | {fmt(row['keepalived_median'])} s |")
    lines += ["",
              "Rounds (s): " + "; ".join(
                  f"{r['how']} {r['config']}: pgfront {', '.join(fmt(x) for x in r['pgfront'])} / "
                  f"keepalived {', '.join(fmt(x) for x in r['keepalived'])}" for r in result["takeover"]),
              "",
              "**Primary lost → VIP on the peer** (pgfront only; keepalived has no view of the "
              "cluster without a `vrrp_script`). h1 (Master) is cut off every Patroni REST port "
              "inside its namespace: packets silently dropped, as in a partition. Columns: cut → "
              "h1's topology says `primary=none` (its health loop: `fall` failed polls, each "
              "bounded by `timeout`), then `no_primary_after` + priority-0 advert + h2's "
              "Skew_Time → VIP on h2, and the total. VRRPv3, 100 ms adverts.", "",
              "| health settings | no_primary_after | cut → no primary | no primary → VIP on peer | cut → VIP on peer |",
              "|---|---|---|---|---|"]
    for row in result["primary_loss"]:
        lines.append(f"| {row['health']} | {row['no_primary_after']} | {fmt(row['lost_median'])} s | "
                     f"**{fmt(row['handoff_median'])} s** | {fmt(row['total_median'])} s |")
    lines += ["",
              "Reading it: after SIGKILL both implementations wait out the Backup's "
              "Master_Down_Interval (3.609 s at 1 s, 0.361 s at 100 ms, priority 100) and the "
              "rest is the time to notice the timer and add the address. After SIGTERM both send "
              "a priority-0 advert and the Backup takes over after its Skew_Time (0.609 s / "
              "0.061 s). Both leave the VIP on a SIGKILLed Master's interface; both remove it "
              "when they start again, and `pgfront --release-vip` (systemd `ExecStopPost`) "
              "removes it as soon as the unit stops, so pgfront's window with two holders ends "
              "when systemd notices the crash rather than when the daemon restarts.",
              f"Load average at start {result['load'][0]}, at end {result['load'][1]}.", ""]
    return "\n".join(lines)


def splice(results_path, markdown):
    """Puts `markdown` into RESULTS.md as its VIP takeover section (replacing an older one)."""
    text = ""
    if os.path.exists(results_path):
        with open(results_path) as f:
            text = f.read()
    start = text.find(SECTION)
    if start >= 0:
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + markdown + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + markdown
    with open(results_path, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pgfront", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out", default=os.path.join(REPO, "bench", "out"))
    p.add_argument("--results", default=os.path.join(REPO, "bench", "RESULTS.md"))
    p.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = p.parse_args()
    args.pgfront = os.path.abspath(args.pgfront)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    started = time.monotonic()
    load0 = " ".join(open("/proc/loadavg").read().split()[:3])
    bench = Bench(args)
    result = {"when": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
              "args": {"rounds": args.rounds}, "takeover": [], "primary_loss": []}
    try:
        bench.start()
        for how in ("SIGKILL", "SIGTERM"):
            for label, version, interval in CONFIGS:
                row = {"how": how, "config": label, "version": version, "interval": interval,
                       "bound": master_down(BACKUP_PRIO, interval),
                       "skew": (256 - BACKUP_PRIO) * interval / 256, "pgfront": [], "keepalived": []}
                for r in range(args.rounds):
                    for impl in ("pgfront", "keepalived") if r % 2 == 0 else ("keepalived", "pgfront"):
                        t = bench.takeover(impl, version, interval, how)
                        row[impl].append(t)
                        print(f"{how} {label} round {r + 1} {impl}: {t:.3f}s", file=sys.stderr)
                row["pgfront_median"] = median(row["pgfront"])
                row["keepalived_median"] = median(row["keepalived"])
                result["takeover"].append(row)
        for health_label, health, npa in (
                ("interval 200ms, timeout 400ms, fall 2", {"interval": "200ms", "timeout": "400ms",
                                                            "fall": 2}, "1s"),
                ("defaults: interval 500ms, timeout 1s, fall 2", {"interval": "500ms", "timeout": "1s",
                                                                 "fall": 2}, "3s")):
            row = {"health": health_label, "no_primary_after": npa, "rounds": []}
            for r in range(args.rounds):
                lost, handoff, total = bench.primary_loss(health, npa)
                row["rounds"].append({"lost": lost, "handoff": handoff, "total": total})
                print(f"primary loss ({health_label}, {npa}) round {r + 1}: cut->none {fmt(lost)}s, "
                      f"none->VIP {fmt(handoff)}s, total {total:.3f}s", file=sys.stderr)
            row["lost_median"] = median(x["lost"] for x in row["rounds"])
            row["handoff_median"] = median(x["handoff"] for x in row["rounds"])
            row["total_median"] = median(x["total"] for x in row["rounds"])
            result["primary_loss"].append(row)
    finally:
        bench.close()
    result["minutes"] = (time.monotonic() - started) / 60
    result["load"] = [load0, " ".join(open("/proc/loadavg").read().split()[:3])]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vip_takeover.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = render(result)
    with open(os.path.join(args.out, "vip_takeover.md"), "w") as f:
        f.write(md)
    if not args.no_results:
        splice(args.results, md)
    print(md)


if __name__ == "__main__":
    main()
