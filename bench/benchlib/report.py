"""bench/RESULTS.md and the PNG plots (gnuplot), from the JSON a run wrote.

Everything here works on plain dicts, so it can be re-run on a saved results.json
(`bench/run --report-only FILE`) and tested on a synthetic result set (`bench/run --smoke`).
"""
import math
import os
import shutil
import subprocess
import tempfile
import time

from . import vip_report

PROXIES = ("pgbouncer", "haproxy", "pgfront", "pgfront-pooled")
COLORS = {"direct": "#555555", "pgbouncer": "#1b9e77", "haproxy": "#377eb8", "pgfront": "#ff7f00",
          "pgfront-pooled": "#e41a1c", "haproxy+pgbouncer": "#984ea3"}


def color(name, i=0):
    return COLORS.get(name, ("#a65628", "#f781bf", "#999999")[i % 3])
ORDER = ("direct", "pgbouncer", "haproxy", "pgfront", "pgfront-pooled")
NOISE = 0.05
VIP_KEPT_NOTE = ("(This section is from an earlier run, kept because this run did not measure the VIP: "
                 "`bench/run --scenarios vip` remakes it alone.)")  # differences below 5 % are within run-to-run noise on a shared 2-core VM


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2.0


def aggregate(runs):
    """{(scenario, target): summary} over the runs of a result set."""
    groups = {}
    for r in runs:
        groups.setdefault((r["scenario"], r["target"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok"]
        fails = [r for r in rs if r["status"] != "ok"]
        s = {"scenario": key[0], "target": key[1], "runs": len(rs), "ok": len(ok),
             "clients": rs[0].get("clients"), "family": rs[0].get("family"), "rate": rs[0].get("rate"),
             "reason": fails[0]["reason"] if fails else None,
             "errors": sum((r.get("error_count") or 0) for r in rs),
             "aborted": sum((r.get("aborted_clients") or 0) for r in rs),
             "failed_txns": sum((r.get("failed") or 0) for r in rs)}
        for f in ("tps", "latency_avg_ms", "p99_ms", "p50_ms", "cpu_s_per_1k", "user_cpu_s_per_1k",
                  "kernel_cpu_s_per_1k", "peak_rss_kb", "average_connection_ms", "initial_connection_ms"):
            s[f] = median([r.get(f) for r in ok])
        s["partial_tps"] = median([r.get("tps") for r in fails])
        out[key] = s
    return out


def ordered_targets(names):
    return [t for t in ORDER if t in names] + sorted(n for n in names if n not in ORDER)


def scenario_order(runs):
    seen = []
    for r in runs:
        if r["scenario"] not in seen:
            seen.append(r["scenario"])
    return seen


def fmt(v, digits=1, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float) and math.isnan(v):
        return "–"
    if abs(v) >= 1000 and digits <= 1:
        return f"{v:,.0f}{unit}"
    return f"{v:.{digits}f}{unit}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def mb(kb):
    return None if kb is None else kb / 1024.0


def _cell_status(s):
    if s is None:
        return None
    if s["ok"] == 0:
        return f"fails: {s['reason']}"
    return None


# -------------------------------------------------------------------------------------------
# "where pgfront is behind" and the issue targets

def comparisons(agg, idle, failover_rows, unavailable, order=None):
    """(behind: list of plain sentences, targets: list of (goal, measured, verdict))."""
    behind, goals = [], []
    scen = list(order) if order else sorted({k[0] for k in agg})
    pooled_missing = "pgfront-pooled" in unavailable

    def get(sc, t):
        return agg.get((sc, t))

    # pass-through pgfront vs HAProxy
    for sc in scen:
        pf, ha = get(sc, "pgfront"), get(sc, "haproxy")
        if not pf or not ha:
            continue
        if pf["ok"] and ha["ok"]:
            tr, cr, pr = ratio(pf["tps"], ha["tps"]), ratio(pf["cpu_s_per_1k"], ha["cpu_s_per_1k"]), \
                ratio(pf["p99_ms"], ha["p99_ms"])
            if _fixed_rate(sc):
                tr = None  # both carry the same load: only CPU and latency compare
            else:
                goals.append((f"{sc}: pass-through tps ≥ HAProxy's", f"{fmt(pf['tps'])} vs {fmt(ha['tps'])} "
                              f"({fmt_ratio(tr)})", _verdict(tr is not None and tr >= 1.0, tr, 1.0, higher=True)))
            goals.append((f"{sc}: pass-through CPU/txn ≤ HAProxy's", f"{fmt(pf['cpu_s_per_1k'], 4)} vs "
                          f"{fmt(ha['cpu_s_per_1k'], 4)} s/1k ({fmt_ratio(cr)})",
                          _verdict(cr is not None and cr <= 1.0, cr, 1.0, higher=False)))
            if tr is not None and tr < 1 - 0.02:
                behind.append(f"{sc}: pass-through pgfront has {fmt_ratio(tr)} HAProxy's tps "
                              f"({fmt(pf['tps'])} vs {fmt(ha['tps'])}){_noise(tr)}.")
            if cr is not None and cr > 1 + 0.02:
                behind.append(f"{sc}: pgfront uses {fmt_ratio(cr)} HAProxy's CPU per transaction "
                              f"({fmt(pf['cpu_s_per_1k'], 4)} vs {fmt(ha['cpu_s_per_1k'], 4)} s per 1,000){_noise(cr)}.")
            if pr is not None and pr > 1 + 0.02:
                behind.append(f"{sc}: pgfront's p99 latency is {fmt_ratio(pr)} HAProxy's "
                              f"({fmt(pf['p99_ms'], 2)} vs {fmt(ha['p99_ms'], 2)} ms){_noise(pr)}.")
            if (pf.get("average_connection_ms") and ha.get("average_connection_ms")
                    and pf["average_connection_ms"] > ha["average_connection_ms"] * 1.02):
                r = pf["average_connection_ms"] / ha["average_connection_ms"]
                behind.append(f"{sc}: connection setup through pgfront takes {fmt_ratio(r)} HAProxy's "
                              f"({fmt(pf['average_connection_ms'], 1)} vs {fmt(ha['average_connection_ms'], 1)} ms)"
                              f"{_noise(r)}.")
        elif not pf["ok"] and ha["ok"]:
            behind.append(f"{sc}: pgfront fails where HAProxy works: {pf['reason']}.")
        pb = get(sc, "pgbouncer")
        if pb and pb["ok"] and not pf["ok"] and pooled_missing:
            behind.append(f"{sc}: PgBouncer serves {pf['clients']} clients ({fmt(pb['tps'])} tps); pgfront "
                          f"in pass-through mode cannot (every client needs a server connection) and its "
                          f"pooling is not in this build.")

    # pooled pgfront vs PgBouncer
    for sc in scen:
        pp, pb = get(sc, "pgfront-pooled"), get(sc, "pgbouncer")
        fam = sc.split("-")[0]
        if fam == "select" and sc.split("-")[-1] in ("50", "400"):
            if pp and pb and pp["ok"] and pb["ok"]:
                tr, cr = ratio(pp["tps"], pb["tps"]), ratio(pp["cpu_s_per_1k"], pb["cpu_s_per_1k"])
                goals.append((f"{sc}: transaction mode tps ≥ 1.15× PgBouncer", fmt_ratio(tr),
                              _verdict(tr is not None and tr >= 1.15, tr, 1.15, True)))
                goals.append((f"{sc}: transaction mode CPU/txn ≤ 0.6× PgBouncer", fmt_ratio(cr) + _kernel_floor(pp, pb),
                              _verdict(cr is not None and cr <= 0.6, cr, 0.6, False)))
            else:
                goals.append((f"{sc}: transaction mode tps ≥ 1.15× PgBouncer, CPU/txn ≤ 0.6×",
                              _why_missing(pp, pb, unavailable), "not measured"))
        if fam == "fixedrate":
            goal = f"{sc}: transaction mode CPU/txn ≤ 0.6× PgBouncer at the same fixed load"
            if pp and pb and pp["ok"] and pb["ok"]:
                cr = ratio(pp["cpu_s_per_1k"], pb["cpu_s_per_1k"])
                goals.append((goal, f"{fmt_ratio(cr)} ({fmt(pp['cpu_s_per_1k'], 4)} vs {fmt(pb['cpu_s_per_1k'], 4)} "
                              f"s/1k){_kernel_floor(pp, pb)}", _verdict(cr is not None and cr <= 0.6, cr, 0.6, False)))
            else:
                goals.append((goal, _why_missing(pp, pb, unavailable), "not measured"))
        if fam == "tpcb":
            if pp and pb and pp["ok"] and pb["ok"]:
                tr = ratio(pp["tps"], pb["tps"])
                goals.append((f"{sc}: TPC-B tps ≥ PgBouncer's", fmt_ratio(tr), _verdict(tr >= 1.0, tr, 1.0, True)))
            else:
                goals.append((f"{sc}: TPC-B tps ≥ PgBouncer's", _why_missing(pp, pb, unavailable), "not measured"))
        if fam == "connect":
            if pp and pb and pp["ok"] and pb["ok"]:
                r = ratio(pp["average_connection_ms"], pb["average_connection_ms"])
                goals.append((f"{sc}: connection setup ≤ PgBouncer's latency", fmt_ratio(r),
                              _verdict(r is not None and r <= 1.0, r, 1.0, False)))
            else:
                goals.append((f"{sc}: connection setup ≤ PgBouncer's latency", _why_missing(pp, pb, unavailable),
                              "not measured"))
        if pp and pb and pp["ok"] and pb["ok"]:
            tr, cr, prr = ratio(pp["tps"], pb["tps"]), ratio(pp["cpu_s_per_1k"], pb["cpu_s_per_1k"]), \
                ratio(pp["p99_ms"], pb["p99_ms"])
            if _fixed_rate(sc):
                tr = None
            if tr is not None and tr < 1 - 0.02:
                behind.append(f"{sc}: pooled pgfront has {fmt_ratio(tr)} PgBouncer's tps{_noise(tr)}.")
            if cr is not None and cr > 1 + 0.02:
                behind.append(f"{sc}: pooled pgfront uses {fmt_ratio(cr)} PgBouncer's CPU per transaction.")
            if prr is not None and prr > 1 + 0.02:
                behind.append(f"{sc}: pooled pgfront's p99 is {fmt_ratio(prr)} PgBouncer's{_noise(prr)}.")
        elif pp and pb and pb["ok"] and not pp["ok"]:
            behind.append(f"{sc}: pooled pgfront fails where PgBouncer works: {pp['reason']}.")

    # -M prepared vs PgBouncer's best working mode (issue 4)
    prep = [sc for sc in scen if sc.startswith("prepared-")]
    for sc in prep:
        n = sc.split("-")[-1]
        pb_modes = [agg.get((f"{m}-{n}", "pgbouncer")) for m in ("select", "extended", "prepared")]
        best = max((s["tps"] for s in pb_modes if s and s["ok"]), default=None)
        pp = get(sc, "pgfront-pooled")
        if pp and pp["ok"] and best:
            r = ratio(pp["tps"], best)
            goals.append((f"{sc}: -M prepared ≥ 1.3× PgBouncer's best working mode", f"{fmt_ratio(r)} "
                          f"({fmt(pp['tps'])} vs {fmt(best)})", _verdict(r >= 1.3, r, 1.3, True)))
        else:
            goals.append((f"{sc}: -M prepared ≥ 1.3× PgBouncer's best working mode",
                          _why_missing(pp, agg.get((sc, "pgbouncer")), unavailable) if not (pp and pp["ok"])
                          else "PgBouncer had no working mode", "not measured"))

    # idle clients
    for rec in idle:
        if rec["target"] in ("pgfront", "pgfront-pooled"):
            if rec["status"] == "ok":
                v = mb(rec.get("rss_idle_kb"))
                goals.append((f"{rec['scenario']}: RSS with {rec['clients']:,} idle clients ≤ 64 MB",
                              f"{fmt(v, 1)} MB ({rec['target']})", "met" if v is not None and v <= 64 else "NOT met"))
    idle_pf = [r for r in idle if r["target"] in ("pgfront", "pgfront-pooled") and r["status"] == "ok"]
    idle_pb = [r for r in idle if r["target"] == "pgbouncer" and r["status"] == "ok"]
    if idle and not idle_pf:
        why = next((r["reason"] for r in idle if r["target"] == "pgfront"), None)
        goals.append(("10,000 idle clients ≤ 64 MB RSS", "not measurable: " + (unavailable.get("pgfront-pooled")
                      or why or "no pgfront target"), "not measured"))
        if idle_pb:
            behind.append(f"{idle_pb[0]['clients']:,} idle clients: PgBouncer holds them in "
                          f"{fmt(mb(idle_pb[0].get('rss_idle_kb')), 1)} MB; pgfront cannot hold them at all without "
                          f"pooling ({why}).")
    for r in idle_pf:
        for pb in idle_pb:
            if r.get("rss_idle_kb") and pb.get("rss_idle_kb") and r["rss_idle_kb"] > pb["rss_idle_kb"] * 1.02:
                behind.append(f"{r['scenario']}: pgfront needs {fmt(mb(r['rss_idle_kb']), 1)} MB for the idle clients, "
                              f"PgBouncer {fmt(mb(pb['rss_idle_kb']), 1)} MB.")

    # failover
    for row in failover_rows:
        if row["target"].startswith("pgfront"):
            v = row["promotion_to_first_write_s"]
            goals.append((f"failover ({row['event']}), {row['target']}: promotion → first write ≤ 0.5 s",
                          f"{fmt(v, 3)} s (median)", "met" if v is not None and v <= 0.5 else "NOT met"))
            if v is None or v > 0.5:
                behind.append(f"failover ({row['event']}): {row['target']} needs {fmt(v, 3)} s from promotion to "
                              f"the first write (target ≤ 0.5 s).")
            for other in failover_rows:
                if other["event"] == row["event"] and not other["target"].startswith("pgfront"):
                    if (row["longest_gap_s"] is not None and other["longest_gap_s"] is not None
                            and row["longest_gap_s"] > other["longest_gap_s"] * 1.02):
                        behind.append(f"failover ({row['event']}): {row['target']}'s longest write gap "
                                      f"{fmt(row['longest_gap_s'], 2)} s is longer than {other['target']}'s "
                                      f"{fmt(other['longest_gap_s'], 2)} s.")
                    if other["errors"] is not None and row["errors"] is not None and row["errors"] > other["errors"]:
                        behind.append(f"failover ({row['event']}): {row['target']} clients saw {row['errors']} errors, "
                                      f"{other['target']} {other['errors']}.")

    if pooled_missing:
        behind.insert(0, f"No pooling yet: {unavailable['pgfront-pooled']}. Every comparison with PgBouncer "
                         "(transaction mode, 400/2,000 clients, 10,000 idle clients, -M prepared) is still open.")
    return behind, goals


def _fixed_rate(scenario):
    """Every target is held to the same tps (pgbench -R): tps says nothing about the proxy."""
    return scenario.split("-")[0] == "fixedrate"


def _noise(r):
    return " (within run-to-run noise here)" if r is not None and abs(r - 1) < NOISE else ""


def _verdict(ok, r, goal, higher):
    if r is None:
        return "not measured"
    if ok:
        return "met"
    return "NOT met (within noise)" if abs(r / goal - 1) < NOISE else "NOT met"


def _kernel_floor(pp, pb):
    """What the kernel alone costs pgfront, against PgBouncer's whole CPU: a CPU ratio below it
    cannot come from pgfront's own code."""
    floor = ratio(pp.get("kernel_cpu_s_per_1k"), pb.get("cpu_s_per_1k"))
    return f"; pgfront's kernel time alone: {fmt_ratio(floor)}" if floor is not None else ""


def cpu_split_rows(agg, scen):
    """Rows (scenario, PgBouncer user, kernel, pgfront user, kernel, user ratio, kernel ratio) in
    µs per transaction, for scenarios where pooled pgfront and PgBouncer both ran."""
    rows = []
    for sc in scen:
        pp, pb = agg.get((sc, "pgfront-pooled")), agg.get((sc, "pgbouncer"))
        if not (pp and pb and pp["ok"] and pb["ok"]):
            continue
        vals = [pb.get("user_cpu_s_per_1k"), pb.get("kernel_cpu_s_per_1k"),
                pp.get("user_cpu_s_per_1k"), pp.get("kernel_cpu_s_per_1k")]
        if any(v is None for v in vals):
            continue
        us = [v * 1000 for v in vals]
        rows.append((sc, *us, ratio(us[2], us[0]), ratio(us[3], us[1])))
    return rows


def _why_missing(pp, pb, unavailable):
    if pp is None:
        return unavailable.get("pgfront-pooled", "pgfront-pooled not run")
    if not pp["ok"]:
        return f"pgfront-pooled fails: {pp['reason']}"
    if pb is None:
        return "PgBouncer not run"
    return f"PgBouncer fails: {pb['reason']}"


def failover_rows(failover):
    """Median per (event, target) of bench/failover.py's results."""
    out = []
    events, names = [], []
    for r in failover:
        if r["event"] not in events:
            events.append(r["event"])
        for n in r["targets"]:
            if n not in names:
                names.append(n)
    for ev in events:
        for n in names:
            rows = [r["targets"][n] for r in failover if r["event"] == ev and n in r["targets"]]
            if not rows:
                continue
            out.append({"event": ev, "target": n,
                        "promotion_to_first_write_s": median([x["promotion_to_first_write_s"] for x in rows]),
                        "longest_gap_s": median([x["longest_gap_s"] for x in rows]),
                        "errors": sum(x["errors"] for x in rows),
                        "missing": sum(x.get("missing", 0) for x in rows)})
    return out


# -------------------------------------------------------------------------------------------
# plots

def plots(res, outdir, gnuplot="gnuplot"):
    """Writes the PNGs into outdir; returns {name: filename} of those made (empty without
    gnuplot)."""
    if not shutil.which(gnuplot):
        return {}
    os.makedirs(outdir, exist_ok=True)
    agg = aggregate(res["runs"])
    made = {}
    tmp = tempfile.mkdtemp(prefix="pgfront-bench-plot-")
    try:
        names = ordered_targets({k[1] for k in agg})
        sel = sorted({s["clients"] for s in agg.values() if s.get("family") == "select"})
        if sel:
            for metric, fname, ylabel, logy in (("tps", "tps_vs_clients.png", "transactions per second (median)", False),
                                                ("p99_ms", "p99_vs_clients.png", "p99 latency, ms (median)", True)):
                dat = os.path.join(tmp, f"{metric}.dat")
                with open(dat, "w") as f:
                    f.write("clients " + " ".join(f'"{n}"' for n in names) + "\n")
                    for c in sel:
                        vals = []
                        for n in names:
                            s = agg.get((f"select-{c}", n))
                            v = s.get(metric) if s and s["ok"] else None
                            vals.append("NaN" if v is None else f"{v:.4f}")
                        f.write(f"{c} " + " ".join(vals) + "\n")
                script = _gp_head(os.path.join(outdir, fname), f"pgbench -S: {metric.replace('_ms', '')} vs clients "
                                  "(missing point = fails)") + f"""
set xlabel "clients (log scale)"
set ylabel "{ylabel}"
set logscale x
{"set logscale y" if logy else "set yrange [0:*]"}
set xtics ({", ".join(f'"{c}" {c}' for c in sel)})
set xrange [{min(sel) * 0.7}:{max(sel) * 1.5}]
set key outside right
set datafile missing "NaN"
plot {", ".join(f'"{dat}" using 1:{i + 2} with linespoints lw 2 pt 7 lc rgb "{color(n, i)}" title columnheader({i + 2})'
                for i, n in enumerate(names))}
"""
                if _run_gp(gnuplot, script, tmp):
                    made[metric] = fname
        # CPU per transaction
        proxies = [n for n in names if n in PROXIES or n not in ORDER]
        scen = [sc for sc in scenario_order(res["runs"])
                if any(agg.get((sc, p)) and agg[(sc, p)]["ok"] and agg[(sc, p)]["cpu_s_per_1k"] for p in proxies)]
        if scen and proxies:
            dat = os.path.join(tmp, "cpu.dat")
            with open(dat, "w") as f:
                f.write("scenario " + " ".join(f'"{p}"' for p in proxies) + "\n")
                for sc in scen:
                    vals = []
                    for p in proxies:
                        s = agg.get((sc, p))
                        v = s["cpu_s_per_1k"] * 1000 if s and s["ok"] and s["cpu_s_per_1k"] is not None else None
                        vals.append("NaN" if v is None else f"{v:.3f}")
                    f.write(f'"{sc}" ' + " ".join(vals) + "\n")
            script = _gp_head(os.path.join(outdir, "cpu_per_txn.png"),
                              "proxy CPU per transaction (median; CPU s per 1,000 txns × 1,000 = µs per txn)") + f"""
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "proxy CPU, µs per transaction (log scale)"
set logscale y
set yrange [1:*]
set xtics rotate by -30
set key outside right
set datafile missing "NaN"
plot {", ".join(f'"{dat}" using {i + 2}:xtic(1) lc rgb "{color(p, i)}" title columnheader({i + 2})'
                for i, p in enumerate(proxies))}
"""
            if _run_gp(gnuplot, script, tmp):
                made["cpu"] = "cpu_per_txn.png"
        # failover timeline: first round of each event
        fo = res.get("failover") or []
        events = []
        for r in fo:
            if r.get("timeline") and r["event"] not in [e["event"] for e in events]:
                events.append(r)
        if events:
            tnames = []
            for r in events:
                for n in r["timeline"]["targets"]:
                    if n not in tnames:
                        tnames.append(n)
            parts = []
            for ei, r in enumerate(events):
                files = []
                for ti, n in enumerate(tnames):
                    tl = r["timeline"]["targets"].get(n)
                    if not tl:
                        continue
                    okf = os.path.join(tmp, f"fo{ei}_{ti}_ok.dat")
                    erf = os.path.join(tmp, f"fo{ei}_{ti}_err.dat")
                    with open(okf, "w") as f:
                        f.write("".join(f"{t} {ti + 1}\n" for t in tl["ok"]) or f"0 NaN\n")
                    with open(erf, "w") as f:
                        f.write("".join(f"{t} {ti + 1}\n" for t in tl["errors"]) or f"0 NaN\n")
                    files.append((okf, erf, n, ti))
                promo = r.get("patroni_promotion_after_event_s")
                plot = ", ".join(
                    f'"{okf}" using 1:2 with points pt 7 ps 0.35 lc rgb "{color(n, ti)}" notitle, '
                    f'"{erf}" using 1:2 with points pt 2 ps 1.2 lc rgb "red" '
                    + ('title "client error"' if i == 0 else "notitle")
                    for i, (okf, erf, n, ti) in enumerate(files))
                ytics = ", ".join(f'"{n}" {ti + 1}' for ti, n in enumerate(tnames))
                arrow = (f'set arrow 1 from {promo},graph 0 to {promo},graph 1 nohead dt 2 lc rgb "black"\n'
                         f'set label 1 " promotion" at {promo},graph 0.95 left\n') if promo is not None else \
                    "unset arrow 1\nunset label 1\n"
                parts.append(f"""
set title "{r['event']} (round {r['round']}): successful writes (dots, one INSERT per 20 ms) per target"
set xlabel "seconds since the {'switchover command' if r['event'] == 'switchover' else 'kill -9 of the postmaster'}"
set ytics ({ytics})
set yrange [0.5:{len(tnames) + 0.5}]
set xrange [-2.2:*]
{arrow}
plot {plot}
""")
            height = 330 * len(events) + 40
            script = _gp_head(os.path.join(outdir, "failover_timeline.png"), None, height=height) + \
                f"set multiplot layout {len(events)},1\nset key top right\nset grid x\n" + "".join(parts) + \
                "unset multiplot\n"
            if _run_gp(gnuplot, script, tmp):
                made["failover"] = "failover_timeline.png"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return made


def _gp_head(png, title, height=480):
    t = f'set title "{title}"\n' if title else ""
    return f"""set terminal pngcairo size 960,{height} font "sans,10" noenhanced
set output "{png}"
set grid
{t}"""


def _run_gp(gnuplot, script, tmp):
    path = os.path.join(tmp, "plot.gp")
    with open(path, "w") as f:
        f.write(script)
    r = subprocess.run([gnuplot, path], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        print(f"report: gnuplot failed: {r.stderr.strip()[:500]}")
        return False
    return True


# -------------------------------------------------------------------------------------------
# markdown

def markdown(res, plot_files, plot_dir_rel="plots", kept_vip_section=None):
    """RESULTS.md's text. kept_vip_section: the VIP takeover section of the report this one
    replaces, shown as it was when this run did not measure the VIP."""
    agg = aggregate(res["runs"])
    m = res["machine"]
    opts = res.get("options", {})
    unavailable = res.get("unavailable", {})
    names = ordered_targets({k[1] for k in agg} | {r["target"] for r in res.get("idle", [])})
    L = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(res["started"]))
    minutes = (res.get("finished", res["started"]) - res["started"]) / 60.0
    L += ["# pgfront benchmarks: pgfront vs PgBouncer vs HAProxy vs a direct connection", ""]
    L += [f"Profile **{res.get('profile')}**, run {started}, {minutes:.1f} minutes. Reproduce with:", "",
          "```sh", res["command"], "```", "",
          f"(`make {'bench-quick' if res.get('profile') == 'quick' else 'bench'}` builds first, then runs the same; "
          "`bench/README.md` explains every scenario and option.)", ""]
    L += ["> **These numbers are indicative.** They come from a shared 2-core VM on which other "
          "engineers were building and running tests at the same time (load average "
          f"{res['load'].get('start')} at the start, {res['load'].get('end')} at the end; every run's load "
          "before and after is in the last table). Only ratios between targets measured in the same run, "
          "interleaved, mean much; absolute tps do not transfer to other machines.", ""]
    if res.get("error"):
        L += [f"**This run did not finish:** `{res['error']}`. The tables show what was measured before.", ""]
    L += ["## Machine and versions", "", "| | |", "|---|---|"]
    for k, label in (("hostname", "host"), ("nproc", "nproc"), ("cpu", "CPU"), ("memory_gib", "memory (GiB)"),
                     ("kernel", "kernel"), ("os", "OS"), ("postgresql", "PostgreSQL"), ("pgbench", "pgbench"),
                     ("pgbouncer", "PgBouncer"), ("haproxy", "HAProxy"), ("patroni", "Patroni"),
                     ("pgfront", "pgfront --version"), ("git", "pgfront source")):
        L.append(f"| {label} | {m.get(k)} |")
    L += ["", "## Setup and method", ""]
    L += [f"- One harness cluster (`tests/harness`): 3 × PostgreSQL 15 under Patroni, etcd, all on loopback, "
          f"`max_connections` {res.get('max_connections')}, scram-sha-256. Dataset `pgbench -i -s "
          f"{opts.get('scale')}` in `appdb` as `app`, made once through a direct connection; every run uses `-n`.",
          "- Targets, all in front of the same primary:"]
    for t in res.get("targets", []):
        L.append(f"  - {t['describe']}")
    for n, why in unavailable.items():
        L.append(f"  - **{n}: skipped** — {why}")
    L += [f"- Interleaved: for each of {opts.get('rounds')} round(s), each scenario runs against every target in "
          "turn (direct, pgbouncer, haproxy, pgfront[, pgfront-pooled]) before the next scenario, the order rotated "
          "by one target each round so that no target always runs last; tables show "
          "medians over the rounds that worked. A scenario that failed in round 1 is not repeated "
          "(`--retry-failed` repeats it). Before each TPC-B run the primary gets pgbench's own preparation "
          "(VACUUM of the pgbench tables, TRUNCATE pgbench_history) and a CHECKPOINT, outside the measured time.",
          f"- pgbench runs about {opts.get('duration')} s of transactions: `-T`, lengthened by the expected connection "
          f"time (pgbench counts it in `-T`), below {opts.get('count_mode_clients')} clients; from there on `-t` with "
          "a per-client count sized from the target's tps at 50 clients (hundreds of SCRAM logins take seconds "
          f"before the first transaction). `-j {opts.get('jobs')}` (`-j 1` for 1 client and where connections "
          "are expected to fail: pgbench 15 with `-j 2` can SIGSEGV then), "
          f"after a {opts.get('warmup')} s warm-up per target.",
          "- tps and latency average: pgbench's summary (tps without the initial connection time). p99: from "
          "pgbench's per-transaction `--log` (sampled with `--sampling-rate` when a run would log more than "
          f"{opts.get('max_log_lines'):,} transactions; logs are deleted after each run).",
          "- Proxy CPU: utime+stime from `/proc/PID/stat` (PgBouncer: its pid; HAProxy: its process tree; pgfront: "
          "its pid), sampled every 0.1 s and taken from the end of pgbench's connection phase to the end of the "
          "run (for `-C` the whole run), divided by the transactions; utime and stime are also kept apart (\"Where the "
          "proxy's CPU goes\"). Peak RSS: VmHWM from `/proc/PID/status`, reset "
          "before each run through `/proc/PID/clear_refs`.",
          "- Errors: pgbench's failed transactions, aborted clients and error lines. `fails: <reason>` means the "
          "target could not run the scenario; the reason is pgbench's (or the predicted one, when stated).",
          "- Both cores are saturated in most runs (pgbench, PostgreSQL and the proxy share them): every µs of proxy "
          "CPU is taken from PostgreSQL.", ""]
    if res.get("notes"):
        L += ["Notes:", ""] + [f"- {n}" for n in res["notes"]] + [""]

    # summary
    scen = scenario_order(res["runs"])
    if scen:
        L += ["## Summary (median tps)", "", "| scenario | " + " | ".join(names) + " |",
              "|---|" + "---|" * len(names)]
        for sc in scen:
            cells = []
            for n in names:
                s = agg.get((sc, n))
                if s is None:
                    cells.append("not run" if n not in unavailable else "n/a")
                elif s["ok"]:
                    cells.append(fmt(s["tps"]))
                else:
                    cells.append("fails")
            L.append(f"| {sc} | " + " | ".join(cells) + " |")
        L.append("")

    frows = failover_rows(res.get("failover") or [])
    behind, goals = comparisons(agg, res.get("idle", []), frows, unavailable, scen)
    crashes = res.get("crashes") or []
    behind = [f"{c['target']} {c['how']} {c['when']} (log tail under \"Crashes\")."
              for c in crashes if c["target"].startswith("pgfront")] + behind
    L += ["## Where pgfront is behind", ""]
    L += [f"- {b}" for b in behind] if behind else ["- Nowhere in this run's measurements."]
    L += ["", "## Targets from issues 3, 4 and 7", "", "| target | measured (same run) | verdict |", "|---|---|---|"]
    for g, meas, verdict in goals:
        L.append(f"| {g} | {meas} | {verdict} |")
    L.append("")

    split = cpu_split_rows(agg, scen)
    if split:
        L += ["## Where the proxy's CPU goes: pgfront (transaction mode) vs PgBouncer", "",
              "User time is the proxy's own code; kernel time is the work the kernel does for its socket "
              "reads and writes, which on loopback includes delivering each message to the peer and waking it. "
              "The kernel's share is set by the traffic (how many messages, how many system calls), not by "
              "how fast the proxy's code is. µs per transaction, medians over the rounds:", "",
              "| scenario | PgBouncer user | PgBouncer kernel | pgfront user | pgfront kernel | user ratio | "
              "kernel ratio | pgfront kernel ÷ PgBouncer total |", "|---|---|---|---|---|---|---|---|"]
        for sc, pb_user, pb_kernel, pp_user, pp_kernel, user_r, kernel_r in split:
            L.append(f"| {sc} | {fmt(pb_user, 2)} | {fmt(pb_kernel, 2)} | {fmt(pp_user, 2)} | {fmt(pp_kernel, 2)} "
                     f"| {fmt_ratio(user_r)} | {fmt_ratio(kernel_r)} | {fmt_ratio(ratio(pp_kernel, pb_user + pb_kernel))} |")
        L.append("")

    if crashes:
        L += ["## Crashes", "", "A target that exited during the run was restarted (at most `--max-restarts` times) so "
              "the later scenarios still measure it; runs it broke are marked `fails`.", ""]
        for c in crashes:
            L += [f"**{c['target']}** {c['how']} {c['when']}. Last lines of its log:", "", "```",
                  (c.get("log_tail") or "").rstrip()[-3000:], "```", ""]

    if plot_files:
        L += ["## Plots", ""]
        for key, title in (("tps", "tps vs clients (pgbench -S)"), ("p99_ms", "p99 latency vs clients (pgbench -S)"),
                           ("cpu", "proxy CPU per transaction"), ("failover", "failover timeline")):
            if key in plot_files:
                L += [f"![{title}]({plot_dir_rel}/{plot_files[key]})", ""]

    # per scenario
    titles = {}
    for r in res["runs"]:
        titles.setdefault(r["scenario"], r)
    L += ["## Scenarios", ""]
    for sc in scen:
        r0 = titles[sc]
        L += [f"### {sc}: {_title(r0)}", ""]
        L += ["| target | tps | vs PgBouncer | vs HAProxy | latency avg (ms) | p99 (ms) | "
              + ("connect (ms) | " if r0.get("family") == "connect" else "")
              + "proxy CPU (s / 1,000 txn) | peak RSS (MB) | errors / aborted clients | runs ok |",
              "|---|---|---|---|---|---|" + ("---|" if r0.get("family") == "connect" else "") + "---|---|---|---|"]
        pb, ha = agg.get((sc, "pgbouncer")), agg.get((sc, "haproxy"))
        for n in names:
            s = agg.get((sc, n))
            if s is None:
                if n in unavailable:
                    L.append(f"| {n} | skipped: {unavailable[n]} |")
                continue
            if not s["ok"]:
                partial = f" (partial: {fmt(s['partial_tps'])} tps)" if s.get("partial_tps") else ""
                L.append(f"| {n} | fails: {s['reason']}{partial} | | | | | "
                         + ("| " if r0.get("family") == "connect" else "")
                         + f"| | {s['errors']} / {s['aborted']} | 0/{s['runs']} |")
                continue
            L.append(
                f"| {n} | {fmt(s['tps'])} | {fmt_ratio(ratio(s['tps'], pb['tps']) if pb and pb['ok'] else None)} "
                f"| {fmt_ratio(ratio(s['tps'], ha['tps']) if ha and ha['ok'] else None)} "
                f"| {fmt(s['latency_avg_ms'], 3)} | {fmt(s['p99_ms'], 3)} | "
                + (f"{fmt(s['average_connection_ms'], 2)} | " if r0.get("family") == "connect" else "")
                + f"{fmt(s['cpu_s_per_1k'], 4)} | {fmt(mb(s['peak_rss_kb']), 1)} "
                f"| {s['errors'] + s['failed_txns']} / {s['aborted']} | {s['ok']}/{s['runs']} |")
        L.append("")

    idle = res.get("idle", [])
    if idle:
        n = idle[0]["clients"]
        L += [f"### idle-{n}: {n:,} idle logged-in clients (memory)", "",
              f"Opened by one asyncio process doing the startup and SCRAM handshake "
              f"({opts.get('idle_concurrency')} at a time), held {opts.get('idle_hold')} s, then closed.", "",
              "| target | opened | RSS before (MB) | RSS with the clients (MB) | peak RSS (MB) | per client (bytes) | "
              "time to open (s) | proxy CPU per 1,000 logins (ms) | load before → after |",
              "|---|---|---|---|---|---|---|---|---|"]
        for rec in sorted(idle, key=lambda r: ordered_targets([x["target"] for x in idle]).index(r["target"])):
            if rec["status"] != "ok" and not rec.get("opened"):
                L.append(f"| {rec['target']} | fails: {rec['reason']} | | | | | | | {rec['load_before']} → "
                         f"{rec['load_after']} |")
                continue
            L.append(f"| {rec['target']} | {rec['opened']:,}{'' if rec['status'] == 'ok' else ' — fails: ' + rec['reason']} "
                     f"| {fmt(mb(rec.get('rss_before_kb')), 1)} | {fmt(mb(rec.get('rss_idle_kb')), 1)} "
                     f"| {fmt(mb(rec.get('peak_rss_kb')), 1)} | {fmt(rec.get('per_client_bytes'), 0)} "
                     f"| {fmt(rec.get('open_s'), 1)} | {fmt(rec.get('login_cpu_ms_per_1k'), 1)} "
                     f"| {rec['load_before']} → {rec['load_after']} |")
        for t, why in unavailable.items():
            L.append(f"| {t} | skipped: {why} | | | | | | | |")
        L.append("")

    if res.get("failover_md"):
        L += [res["failover_md"].rstrip("\n"), ""]
        L += ["PgBouncer in front of a fixed primary cannot follow a failover, so the failover scenario uses the "
              "classic stack instead: `haproxy+pgbouncer` is a second PgBouncer (same settings) whose server is "
              "HAProxy's primary port; it keeps PgBouncer's default `server_login_retry` (15 s): after one failed server "
              "login (HAProxy still sending it to the old primary) it refuses clients with \"server login has been failing, "
              "try again later\" until that time is up. pgfront's pooled mode defaults to 1 s. "
              + ("The timeline plot is above (Plots)." if "failover" in plot_files else ""), ""]
        if res.get("failover"):
            L += ["Load average before → after each event: " + "; ".join(
                f"{r['event']} round {r['round']}: {r.get('load_before')} → {r.get('load_after')}"
                for r in res["failover"]), ""]
    elif "failover" in (opts.get("scenarios") or []):
        L += ["## Failover", "", "Not measured in this run" + (f": {res['error']}" if res.get("error") else "."), ""]

    if res.get("vip_takeover"):
        L += [vip_report.render(res["vip_takeover"]).rstrip("\n"), ""]
    elif "vip" in (opts.get("scenarios") or []):
        L += [vip_report.SECTION, "", "Not measured in this run" + (f": {res['error']}" if res.get("error") else "."),
              ""]
    elif kept_vip_section:
        L += [kept_vip_section, ""]
        if VIP_KEPT_NOTE not in kept_vip_section:
            L += [VIP_KEPT_NOTE, ""]

    L += ["## All runs", "", "| round | scenario | target | status | tps | p99 (ms) | CPU s/1k | -j | -T s / -t txns | "
          "load before → after |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["runs"]:
        st = "ok" if r["status"] == "ok" else "fails: " + (r["reason"] or "")[:120]
        L.append(f"| {r['round']} | {r['scenario']} | {r['target']} | {st} | {fmt(r.get('tps'))} "
                 f"| {fmt(r.get('p99_ms'), 3)} | {fmt(r.get('cpu_s_per_1k'), 4)} | {r.get('jobs', '–')} "
                 f"| {_len(r)} | {r['load_before']} → {r['load_after']} |")
    L.append("")
    return "\n".join(L)


def _len(r):
    if r.get("per_client_txns"):
        return f"-t {r['per_client_txns']}"
    return f"-T {r['duration_s']}" if r.get("duration_s") else "–"


def _title(r):
    fam, c = r.get("family"), r.get("clients")
    return {"select": f"pgbench -S (select only), {c} client(s)",
            "fixedrate": f"pgbench -S at a fixed {r.get('rate') or '?'} tps (-R), {c} clients: proxy CPU at the same load",
            "tpcb": f"TPC-B (pgbench's default script), {c} clients",
            "prepared": f"pgbench -M prepared -S, {c} clients",
            "extended": f"pgbench -M extended -S, {c} clients",
            "connect": f"connection setup: pgbench -C -S (new connection per transaction), {c} clients"}.get(fam, r["scenario"])


def write(res, bench_dir, out_dir=None, results_name="RESULTS.md", plot_dir="plots"):
    """Makes the plots and RESULTS.md in bench_dir; also writes out_dir/failover.md if there
    is a failover section (the file bench/failover.py writes). Returns RESULTS.md's path."""
    path = os.path.join(bench_dir, results_name)
    kept = None
    if not res.get("vip_takeover") and os.path.exists(path):
        with open(path) as f:
            kept = vip_report.extract(f.read())
    made = plots(res, os.path.join(bench_dir, plot_dir))
    text = markdown(res, made, plot_dir, kept_vip_section=kept)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    if out_dir and res.get("failover_md"):
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "failover.md"), "w") as f:
            f.write(res["failover_md"])
    return path
