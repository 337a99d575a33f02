#!/usr/bin/python3
"""Soak benchmark (issue 14): hours of `mlprod traffic` against one `mlprod serve`, sampled
every --interval: loop rate and p99 of the interval, RSS and open fds of the serve process,
store bytes and bytes per loop. Writes soak.tsv (the series) and summary.json to --out and
exits 1 when a given bound fails (2 on a run that could not be measured or was interrupted
by SIGINT/SIGTERM; what was sampled until then is written).

Traffic runs as consecutive `mlprod traffic --json` chunks of --interval seconds (its periodic
progress has no percentiles); a sample is taken as a chunk ends. The first chunk is the warm-up
(--warmup seconds): bytes per loop and fd growth are measured from its end, so the fixed file
overhead (schema, data set) does not count. Store bytes are the sum of the mlprod.db* files;
db_bytes is SQLite's page_count * page_size as a reader sees it (pages still in the WAL
included): the database's own growth, without the WAL file, which grows to a high-water size
in the first minutes and is then reused (wal_bytes shows it). --max-bytes-per-loop bounds
db_bytes per loop for that reason; the file sum per loop converges to it in a long run.
Standard library only; `run_soak(...)` is the entry point for tests.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from learning_loop import REPO, Serve  # noqa: E402

DEFAULT_BINARY = os.environ.get(
    "MLPROD_BINARY", os.path.join(REPO, "build", "release", "src", "app", "mlprod"))
COLUMNS = ["phase", "elapsed_s", "loops", "loops_per_s", "p99_loop_ms", "p99_start_ms",
           "errors", "refused", "rss_mib", "fds", "store_bytes", "wal_bytes", "db_bytes",
           "bytes_per_loop", "db_bytes_per_loop"]


def proc_status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def store_bytes(data_dir):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(data_dir, "mlprod.db*"))
               if os.path.isfile(p))


def db_bytes(data_dir):
    """Logical size of the SQLite database: every page a reader sees, WAL pages included."""
    uri = "file:" + os.path.join(data_dir, "mlprod.db") + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    return pages * size


def run_traffic(binary, url, seconds, users, seed):
    cmd = [binary, "traffic", "--url", url, "--users", str(users), "--no-think", "--duration",
           f"{seconds:g}", "--seed", str(seed), "--json"]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"mlprod traffic failed ({done.returncode}): {done.stderr.decode()}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


class Probe:
    """What one sample reads of the serve process (pid) and its data dir; None = not measured."""

    def __init__(self, pid, data_dir):
        self.pid, self.data_dir = pid, data_dir

    def read(self):
        out = {"rss_kib": None, "fds": None, "store_bytes": None, "wal_bytes": None,
               "db_bytes": None}
        if self.pid is not None:
            if not os.path.exists(f"/proc/{self.pid}"):
                raise RuntimeError(f"the serve process {self.pid} is gone")
            out["rss_kib"] = proc_status_kib(self.pid, "VmRSS")
            out["fds"] = len(os.listdir(f"/proc/{self.pid}/fd"))
        if self.data_dir is not None:
            out["store_bytes"] = store_bytes(self.data_dir)
            wal = os.path.join(self.data_dir, "mlprod.db-wal")
            out["wal_bytes"] = os.path.getsize(wal) if os.path.exists(wal) else 0
            out["db_bytes"] = db_bytes(self.data_dir)
        return out

    def peak_kib(self):
        return None if self.pid is None else proc_status_kib(self.pid, "VmHWM")


def per_loop(now, ref, loops):
    return None if now is None or ref is None or loops <= 0 else round((now - ref) / loops, 1)


def fmt(v):
    return "" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)


def progress_line(row):
    parts = [f"{row['phase']:7}", f"{row['elapsed_s']:7.1f} s", f"loops {row['loops']:>9}",
             f"{row['loops_per_s']:8.1f}/s" if row["loops_per_s"] is not None else "",
             f"p99 {row['p99_loop_ms']:6.1f} ms" if row["p99_loop_ms"] is not None else "",
             f"err {row['errors']}"]
    if row["rss_mib"] is not None:
        parts += [f"rss {row['rss_mib']:6.1f} MiB", f"fds {row['fds']}"]
    if row["store_bytes"] is not None:
        parts.append(f"store {row['store_bytes'] / 2**20:8.1f} MiB "
                     f"(wal {row['wal_bytes'] / 2**20:.1f})")
    if row["bytes_per_loop"] is not None:
        parts.append(f"{row['bytes_per_loop']:7.0f} B/loop (db {row['db_bytes_per_loop']:.0f})")
    return "soak: " + "  ".join(p for p in parts if p)


def run_soak(binary=DEFAULT_BINARY, duration=3600.0, interval=30.0, warmup=10.0, users=8,
             seed=42, url=None, pid=None, data_dir=None, serve_args=(), log=print):
    """Runs the soak; returns {"rows": [...], "summary": {...}, "serve_exit_code": the started
    server's exit code on SIGTERM or None} (bounds are not checked here)."""
    serve, tmp = None, None
    if url is None:
        tmp = data_dir is None
        data_dir = data_dir or tempfile.mkdtemp(prefix="mlprod_soak_")
        serve = Serve(binary, data_dir, serve_args)
        url, pid = serve.url, serve.proc.pid
        log(f"soak: mlprod serve pid {pid} at {url}, data dir {data_dir}")
    try:
        result = _soak(binary, url, Probe(pid, data_dir), duration, interval, warmup, users,
                       seed, log)
    finally:
        if serve is not None:
            code = serve.stop()
            serve.proc.stdout.close()
            log(f"soak: mlprod serve exited {code}")
            if tmp:
                shutil.rmtree(data_dir, ignore_errors=True)
    result["serve_exit_code"] = None if serve is None else code
    return result


def _soak(binary, url, probe, duration, interval, warmup, users, seed, log):
    rows, loops, errors, refused = [], 0, 0, 0
    start = probe.read()
    t0 = time.monotonic()
    rows.append(dict(phase="start", elapsed_s=0.0, loops=0, loops_per_s=None, p99_loop_ms=None,
                     p99_start_ms=None, errors=0, refused=0, **_sizes(start, None, 0)))
    log(progress_line(rows[-1]))
    ref, ref_loops, chunk, interrupted = start, 0, 0, False
    while True:
        elapsed = time.monotonic() - t0
        if elapsed >= duration - 0.5:
            break
        in_warmup = chunk == 0 and warmup > 0
        seconds = min(warmup if in_warmup else interval, duration - elapsed)
        try:
            out = run_traffic(binary, url, seconds, users, seed + 1000 * chunk)
        except KeyboardInterrupt:  # SIGINT/SIGTERM: keep the samples taken so far
            log("soak: interrupted, the summary covers the samples taken so far")
            interrupted = True
            break
        chunk += 1
        loops += out["loops"]
        errors += out["errors_total"]
        refused += out.get("refused", 0)
        now = probe.read()
        row = dict(phase="warmup" if in_warmup else "soak",
                   elapsed_s=round(time.monotonic() - t0, 1), loops=loops,
                   loops_per_s=out["loops_per_s"], p99_loop_ms=out["loop_ms"]["p99"],
                   p99_start_ms=out["start_to_success_ms"]["p99"], errors=out["errors_total"],
                   refused=out.get("refused", 0),
                   **_sizes(now, None if in_warmup else ref, loops - ref_loops))
        rows.append(row)
        log(progress_line(row))
        if in_warmup:
            ref, ref_loops = now, loops
    summary = summarize(rows, probe.peak_kib(), errors, refused)
    summary["interrupted"] = interrupted
    return {"rows": rows, "summary": summary}


def _sizes(now, ref, loops_since):
    """The size columns of a row; per-loop figures only when measured against a reference."""
    mib = None if now["rss_kib"] is None else round(now["rss_kib"] / 1024, 1)
    ref = ref or {}
    return dict(rss_mib=mib, fds=now["fds"], store_bytes=now["store_bytes"],
                wal_bytes=now["wal_bytes"], db_bytes=now["db_bytes"],
                bytes_per_loop=per_loop(now["store_bytes"], ref.get("store_bytes"), loops_since),
                db_bytes_per_loop=per_loop(now["db_bytes"], ref.get("db_bytes"), loops_since))


def summarize(rows, peak_kib, errors, refused):
    first, last = rows[0], rows[-1]
    ref = next((r for r in rows if r["phase"] == "warmup"), first)
    after = [r for r in rows if r["phase"] == "soak"]
    rss = [r["rss_mib"] for r in rows if r["rss_mib"] is not None]
    fds = [r["fds"] for r in after if r["fds"] is not None]
    total_loops = last["loops"]
    elapsed = last["elapsed_s"]
    return {
        "elapsed_s": elapsed, "loops": total_loops,
        "loops_per_s": round(total_loops / elapsed, 1) if elapsed else None,
        "errors_total": errors, "refused_total": refused,
        "rss_final_mib": last["rss_mib"], "rss_max_mib": max(rss) if rss else None,
        "rss_after_warmup_mib": ref["rss_mib"],
        "rss_peak_mib": None if peak_kib is None else round(peak_kib / 1024, 1),
        "store_bytes_final": last["store_bytes"],
        "wal_bytes_max": max((r["wal_bytes"] for r in rows if r["wal_bytes"] is not None),
                             default=None),
        "bytes_per_loop": last["bytes_per_loop"], "db_bytes_per_loop": last["db_bytes_per_loop"],
        "bytes_per_loop_with_warmup": per_loop(last["store_bytes"], first["store_bytes"],
                                               total_loops),
        "loops_measured": total_loops - ref["loops"],
        "fds_after_warmup": ref["fds"], "fds_final": last["fds"],
        "fds_max": max(fds) if fds else None,
        "fd_growth": None if not fds or ref["fds"] is None else max(fds) - ref["fds"],
    }


def check_bounds(summary, max_rss_mib=None, max_bytes_per_loop=None, max_fd_growth=None):
    """[(name, limit, value, ok)] of every bound given; value None (not measured) fails."""
    rss = [v for v in (summary["rss_peak_mib"], summary["rss_max_mib"]) if v is not None]
    wanted = [("rss_peak_mib", max_rss_mib, max(rss) if rss else None),
              ("db_bytes_per_loop", max_bytes_per_loop, summary["db_bytes_per_loop"]),
              ("fd_growth", max_fd_growth, summary["fd_growth"])]
    return [(name, limit, value, value is not None and value <= limit)
            for name, limit, value in wanted if limit is not None]


def write_out(out_dir, result, bounds):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "soak.tsv"), "w") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for row in result["rows"]:
            f.write("\t".join(fmt(row[c]) for c in COLUMNS) + "\n")
    summary = dict(result["summary"])
    summary["bounds"] = [{"name": n, "limit": lim, "value": v, "ok": ok}
                         for n, lim, v, ok in bounds]
    summary["ok"] = all(ok for *_, ok in bounds)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default=DEFAULT_BINARY,
                   help="mlprod binary [%(default)s; env MLPROD_BINARY]")
    p.add_argument("--duration", type=float, default=3600,
                   help="seconds of traffic in all [%(default)s]")
    p.add_argument("--interval", type=float, default=30,
                   help="seconds between samples [%(default)s]")
    p.add_argument("--warmup", type=float, default=10,
                   help="seconds of the first chunk, excluded from bytes/loop and fd growth "
                   "[%(default)s]")
    p.add_argument("--users", type=int, default=8,
                   help="mlprod traffic --users, no think time [%(default)s]")
    p.add_argument("--seed", type=int, default=42,
                   help="traffic seed of the first chunk (+1000 per chunk) [%(default)s]")
    p.add_argument("--url", help="soak a running server instead of starting mlprod serve")
    p.add_argument("--pid", type=int, help="with --url: its process, for RSS and fds")
    p.add_argument("--data-dir", help="data dir to measure (with --url) or to serve from "
                   "(default: a temp dir, removed afterwards)")
    p.add_argument("--serve-arg", action="append", default=[],
                   help="extra mlprod serve argument, repeatable (e.g. --serve-arg=--workers=4)")
    p.add_argument("--out", default=None, help="output dir for soak.tsv and summary.json "
                   "[default: soak-<UTC time> in the working directory]")
    p.add_argument("--max-rss-mib", type=float, help="bound: peak RSS (VmHWM) of mlprod serve")
    p.add_argument("--max-bytes-per-loop", type=float,
                   help="bound: SQLite database bytes (pages) per loop after the warm-up")
    p.add_argument("--max-fd-growth", type=int, help="bound: open fds above the warm-up's")
    a = p.parse_args(argv)
    if a.url is None and a.pid is not None:
        p.error("--pid goes with --url")
    out_dir = a.out or "soak-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    # Also when started in the background (SIGINT ignored): stop the traffic and the server.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupt)
    try:
        result = run_soak(a.binary, a.duration, a.interval, a.warmup, a.users, a.seed, a.url,
                          a.pid, a.data_dir, a.serve_arg,
                          log=lambda m: print(m, file=sys.stderr, flush=True))
    except (RuntimeError, OSError, sqlite3.Error, KeyboardInterrupt) as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2
    bounds = check_bounds(result["summary"], a.max_rss_mib, a.max_bytes_per_loop,
                          a.max_fd_growth)
    summary = write_out(out_dir, result, bounds)
    for key, value in summary.items():
        if key != "bounds":
            print(f"{key:28} {fmt(value)}")
    for b in summary["bounds"]:
        print(f"bound {b['name']:22} {fmt(b['value'])} <= {b['limit']:g}: "
              f"{'ok' if b['ok'] else 'FAILED'}")
    print(f"series: {os.path.join(out_dir, 'soak.tsv')}")
    if summary["interrupted"]:
        return 2
    return 0 if summary["ok"] else 1


def interrupt(_signum, _frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
