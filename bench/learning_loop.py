#!/usr/bin/python3
"""Learning-loop scenario: does retraining on live feedback make live recommendations better?

Starts `mlprod serve --port 0` on a temporary data dir, measures the baseline's live quality
(`mlprod traffic --json`, fixed measurement seed), then per round: feedback traffic, POST
/train/start, wait for the training, wait (with more feedback traffic) until no model is in an
undecided status, and measure again. With --auto nobody starts a training: each round is
feedback traffic and a measurement, and the server's own retraining triggers do the rest ("left
to itself"). Prints a table and optionally writes every round as JSON. Standard library only;
`run_scenario(...)` is the entry point for tests.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BINARY = os.path.join(REPO, "build", "release", "src", "app", "mlprod")
DEFAULT_UNDECIDED = "PENDING,TRAINING,training,candidate,canary"
LISTENING = re.compile(r"listening on (http://[0-9.]+:\d+)")


def http_json(method, url, body=None, timeout=60):
    """(status, parsed JSON or text) of one request; HTTP errors are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


class Serve:
    """`mlprod serve --port 0` as a child process; the URL is read from its stdout."""

    def __init__(self, binary, data_dir, serve_args=(), timeout=600):
        self.log_path = os.path.join(data_dir, "serve.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
             *serve_args],
            stdout=subprocess.PIPE, stderr=self.log, cwd=REPO)
        self.url = None
        deadline = time.time() + timeout  # the first start trains the baseline
        while self.url is None:
            line = self.proc.stdout.readline()
            if not line:
                self.stop()
                raise RuntimeError(f"mlprod serve exited; see {self.log_path}")
            self.log.write(line)
            self.log.flush()
            m = LISTENING.search(line.decode(errors="replace"))
            if m:
                self.url = m.group(1)
            elif time.time() > deadline:
                self.stop()
                raise RuntimeError("mlprod serve printed no URL in time")
        # Keep draining stdout so a chatty server never blocks on a full pipe.
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self):
        for line in self.proc.stdout:
            self.log.write(line)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "drain", None) is not None:
            self.drain.join(5)
        self.log.close()
        return self.proc.returncode


def run_traffic(binary, url, loops, seed, profiles=None, users=4, no_think=True):
    """One `mlprod traffic --json` run of exactly `loops` loops; its JSON summary."""
    cmd = [binary, "traffic", "--url", url, "--users", str(users), "--requests", str(loops),
           "--seed", str(seed), "--json"]
    if no_think:
        cmd.append("--no-think")
    if profiles:
        cmd += ["--profiles", profiles]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"mlprod traffic failed ({done.returncode}): {done.stderr.decode()}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def models_snapshot(url):
    status, models = http_json("GET", url + "/models")
    if status != 200:
        raise RuntimeError(f"GET /models: {status} {models}")
    out = []
    for m in models:
        gate = (m.get("offline") or {}).get("gate") or {}
        out.append({"task_id": m["task_id"], "status": m["status"],
                    "use_percentage": m.get("use_percentage"), "reason": m.get("reason"),
                    "registered_reason": m.get("registered_reason"),
                    "gate": {"current": (gate.get("current") or {}).get("auc"),
                             "candidate": (gate.get("candidate") or {}).get("auc"),
                             "lower_bound": gate.get("auc_difference_lower_bound"),
                             "holdout": gate.get("holdout")} if gate else None,
                    "canary": m.get("canary")})
    return out


def served_ndcg(by_model):
    """NDCG@10 of the lists the models ranked: every group but the explored (random) lists."""
    total, loops = 0.0, 0
    for model, q in (by_model or {}).items():
        mean = (q.get("ndcg_at_10") or {}).get("mean")
        n = q.get("loops") or 0
        if model != "explored" and mean is not None and n:
            total += mean * n
            loops += n
    return total / loops if loops else None


def quality_record(summary):
    """What a measurement run says about quality: overall, per model, and of the ranked lists."""
    q = summary.get("quality") or {}
    ndcg = q.get("ndcg_at_10") or {}
    return {"loops": summary.get("loops"), "errors": summary.get("errors_total"),
            "served_ndcg_at_10": served_ndcg(summary.get("quality_by_model")),
            "pick_rate": q.get("pick_rate"), "pick_rate_ci95": q.get("pick_rate_ci95"),
            "ndcg_at_10": ndcg.get("mean"), "ndcg_ci95": ndcg.get("ci95"),
            "best_shown": q.get("best_shown"), "regret": q.get("regret"),
            "no_acceptable": q.get("no_acceptable"),
            "quality_by_model": summary.get("quality_by_model")}


def wait_training(url, task_id, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, st = http_json("GET", f"{url}/train/status/{task_id}?wait=30", timeout=60)
        if status == 200 and st.get("status") in ("SUCCESS", "FAILURE"):
            return st["status"]
        if status not in (200, 202):
            raise RuntimeError(f"GET /train/status: {status} {st}")
    return "TIMEOUT"


def run_scenario(binary=DEFAULT_BINARY, rounds=2, feedback_loops=3000, measure_loops=2000,
                 seed=1, measure_seed=1000000, profiles=None, users=4, no_think=True,
                 undecided=DEFAULT_UNDECIDED, decide_timeout=600, decide_loops=500,
                 train_timeout=900, serve_args=(), data_dir=None, log=None, auto=False,
                 stop_when=None):
    """Runs the whole scenario and returns {"baseline": record, "rounds": [record, ...], ...}.

    undecided: comma-separated model statuses that mean "not decided yet"; while any model has
    one, feedback traffic continues in chunks of decide_loops, for
    at most decide_timeout seconds. data_dir: kept when given, else a temp dir removed after.
    auto: no POST /train/start; each round is feedback_loops of traffic and a measurement.
    stop_when: with auto, a predicate on (round record, baseline record) that ends the scenario
    early.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    undecided_set = {s.strip() for s in undecided.split(",") if s.strip()}
    owns_dir = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="mlprod_learning_loop_")
    server = Serve(binary, data_dir, serve_args)

    def t(loops, traffic_seed):
        return run_traffic(binary, server.url, loops, traffic_seed, profiles, users, no_think)

    try:
        log(f"learning loop: serve at {server.url}, data dir {data_dir}")
        out = {"config": {"rounds": rounds, "feedback_loops": feedback_loops,
                          "measure_loops": measure_loops, "seed": seed,
                          "measure_seed": measure_seed, "profiles": profiles, "users": users,
                          "no_think": no_think, "undecided": sorted(undecided_set),
                          "auto": auto, "serve_args": list(serve_args)},
               "rounds": []}
        base = quality_record(t(measure_loops, measure_seed))
        base["models"] = models_snapshot(server.url)
        out["baseline"] = base
        log(f"baseline: {format_row('base', base)}")
        total_loops = base["loops"]
        for r in range(1, rounds + 1):
            started = time.time()
            feedback = t(feedback_loops, seed * 1000000 + 10000 * r)
            if auto:
                rec = quality_record(t(measure_loops, measure_seed))
                total_loops += feedback["loops"] + rec["loops"]
                rec.update({"round": r, "feedback_loops": feedback["loops"],
                            "loops_so_far": total_loops, "models": models_snapshot(server.url),
                            "seconds": round(time.time() - started, 1)})
                out["rounds"].append(rec)
                log(f"round {r}: {format_row(str(r), rec)}")
                if stop_when is not None and stop_when(rec, base):
                    break
                continue
            status, task = http_json("POST", server.url + "/train/start")
            if status != 200:
                raise RuntimeError(f"POST /train/start: {status} {task}")
            training = wait_training(server.url, task["task_id"], train_timeout)
            decide_deadline = time.time() + decide_timeout
            extra_loops, chunk = 0, 0
            while True:
                pending = [m for m in models_snapshot(server.url) if m["status"] in undecided_set]
                if not pending or time.time() > decide_deadline:
                    break
                chunk += 1
                extra_loops += t(decide_loops, seed * 1000000 + 10000 * r + 20 * chunk)["loops"]
            rec = quality_record(t(measure_loops, measure_seed))
            rec.update({"round": r, "trained_model": task["task_id"], "training": training,
                        "feedback_loops": feedback["loops"], "decide_loops": extra_loops,
                        "undecided_left": [m["task_id"] for m in pending],
                        "models": models_snapshot(server.url),
                        "seconds": round(time.time() - started, 1)})
            out["rounds"].append(rec)
            log(f"round {r}: {format_row(str(r), rec)}")
        return out
    finally:
        server.stop()
        if owns_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def _f(v, fmt="{:.3f}"):
    return "-" if v is None else fmt.format(v)


def format_row(name, rec):
    ci = rec.get("ndcg_ci95") or [None, None]
    pci = rec.get("pick_rate_ci95") or [None, None]
    serving = ",".join(f"{m['task_id'][:8]}:{m['status']}:{_f(m['use_percentage'], '{:g}')}"
                       for m in rec.get("models", []))
    return (f"{name:>5}  pick {_f(rec['pick_rate'])} [{_f(pci[0])},{_f(pci[1])}]  "
            f"ndcg@10 {_f(rec['ndcg_at_10'])} [{_f(ci[0])},{_f(ci[1])}]  "
            f"served {_f(rec.get('served_ndcg_at_10'))}  "
            f"best_shown {_f(rec['best_shown'])}  regret {_f(rec['regret'])}  "
            f"models {serving}")


def print_table(result, file=sys.stdout):
    print("round  pick rate [ci95]       ndcg@10 [ci95]         served  best_shown  regret  "
          "per-model ndcg@10 (loops)", file=file)
    for name, rec in [("base", result["baseline"])] + [(str(r["round"]), r)
                                                       for r in result["rounds"]]:
        ci = rec.get("ndcg_ci95") or [None, None]
        pci = rec.get("pick_rate_ci95") or [None, None]
        per_model = " ".join(
            f"{m[:8]}={_f((q.get('ndcg_at_10') or {}).get('mean'))}({q.get('loops')})"
            for m, q in (rec.get("quality_by_model") or {}).items())
        print(f"{name:>5}  {_f(rec['pick_rate'])} [{_f(pci[0])},{_f(pci[1])}]  "
              f"{_f(rec['ndcg_at_10'])} [{_f(ci[0])},{_f(ci[1])}]  "
              f"{_f(rec.get('served_ndcg_at_10')):>6}  {_f(rec['best_shown']):>10}  {_f(rec['regret']):>6}  {per_model}", file=file)
    for rec in result["rounds"]:
        models = ", ".join(f"{m['task_id'][:8]} {m['status']} {_f(m['use_percentage'], '{:g}')}"
                           for m in rec["models"])
        print(f"round {rec['round']} models: {models}", file=file)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default=DEFAULT_BINARY, help="mlprod binary [%(default)s]")
    p.add_argument("--serve-arg", action="append", default=[],
                   help="extra argument for mlprod serve (repeatable), e.g. "
                        "--serve-arg=--config-dir=DIR")
    p.add_argument("--rounds", type=int, default=2, help="training rounds [%(default)s]")
    p.add_argument("--feedback-loops", type=int, default=3000,
                   help="feedback loops before each training [%(default)s]")
    p.add_argument("--measure-loops", type=int, default=2000,
                   help="loops of each measurement run [%(default)s]")
    p.add_argument("--seed", type=int, default=1,
                   help="feedback traffic of round r uses seed * 1000000 + 10000 * r (simulated user i adds i, so rounds never share people) [%(default)s]")
    p.add_argument("--measure-seed", type=int, default=1000000,
                   help="seed of every measurement run (the same people each time) "
                        "[%(default)s]")
    p.add_argument("--profiles", help="profile table for feedback and measurement traffic "
                                      "[mlprod traffic's default, config/user.tsv]")
    p.add_argument("--users", type=int, default=4, help="simulated users [%(default)s]")
    p.add_argument("--think", dest="no_think", action="store_false",
                   help="let simulated users think between loops [default: --no-think]")
    p.add_argument("--undecided", default=DEFAULT_UNDECIDED,
                   help="model statuses that mean undecided; wait (with feedback traffic) "
                        "until no model has one [%(default)s]")
    p.add_argument("--decide-timeout", type=float, default=600,
                   help="longest wait for undecided models, seconds [%(default)s]")
    p.add_argument("--decide-loops", type=int, default=500,
                   help="feedback loops per chunk while waiting [%(default)s]")
    p.add_argument("--auto", action="store_true",
                   help="never POST /train/start: rounds of feedback + measurement only, the "
                        "server's retraining triggers decide (pass e.g. "
                        "--serve-arg=--retrain-min-gap=0)")
    p.add_argument("--data-dir", help="keep the server's data here [a temp dir, removed]")
    p.add_argument("--json-out", help="write the whole result as JSON to this file")
    a = p.parse_args(argv)
    result = run_scenario(binary=a.binary, rounds=a.rounds, feedback_loops=a.feedback_loops,
                          measure_loops=a.measure_loops, seed=a.seed, measure_seed=a.measure_seed,
                          profiles=a.profiles, users=a.users, no_think=a.no_think,
                          undecided=a.undecided, decide_timeout=a.decide_timeout,
                          decide_loops=a.decide_loops, serve_args=a.serve_arg,
                          data_dir=a.data_dir, auto=a.auto)
    print_table(result)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
