"""Black-box tests of issue 14 in embedded mode. No accepted task lost: `mlprod serve` stopped by
SIGTERM during a burst of POST /inference/start and killed with SIGKILL under load; after the
restart every accepted inference reaches SUCCESS within 20 s with its rows written once, and a
training caught by the kill is either run again or failed with its reason. Backpressure: a
burst beyond --max-queue is refused with 503 + Retry-After and writes nothing."""
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from mlprod_client import Server, request, user_data  # noqa: E402

KEEP = 10  # --keep-results' default


def burst(url, stop, accepted):
    """POSTs /inference/start until `stop` is set or the server goes away."""
    while not stop.is_set():
        try:
            status, body = request("POST", url + "/inference/start", user_data(), timeout=5)
        except OSError:
            return  # the server stopped under us
        if status == 200:
            accepted.append(body["task_id"])


class Recovery(unittest.TestCase):
    def setUp(self):
        self.server = None
        self.data_dir = tempfile.mkdtemp(prefix="mlprod_recovery_")
        self.db = os.path.join(self.data_dir, "mlprod.db")

    def tearDown(self):
        if self.server:
            self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def sql(self, query, args=()):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def stop_under_load(self, sig, seconds=1.5, train=False):
        self.server = Server(data_dir=self.data_dir, extra_args=["--workers", "1"])
        stop, accepted = threading.Event(), []
        threads = [threading.Thread(target=burst, args=(self.server.url, stop, accepted))
                   for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        if train:
            status, _ = request("POST", self.server.url + "/train/start")
            self.assertEqual(status, 200)
        self.server.proc.send_signal(sig)
        code = self.server.proc.wait(timeout=60)
        stop.set()
        for t in threads:
            t.join()
        self.server.log.close()
        if sig == signal.SIGTERM:
            self.assertEqual(code, 0, self.server.logs()[-3000:])
        self.server = None
        return accepted

    def test_stops_and_kills_under_load_lose_nothing(self):
        accepted = []
        for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGKILL):
            got = self.stop_under_load(sig, train=sig == signal.SIGKILL)
            self.assertGreater(len(got), 0)
            accepted += got
        # Tasks accepted and never run, as a crash right after the answer leaves them: a few
        # finished ones put back to that state (rows gone, status PENDING).
        done = [r[0] for r in self.sql(
            "SELECT task_id FROM inferences WHERE status = 'SUCCESS' LIMIT 5")]
        self.assertEqual(len(done), 5)
        for task_id in done:
            self.sql("DELETE FROM results WHERE task_id = ?", (task_id,))
            self.sql("UPDATE inferences SET status = 'PENDING' WHERE task_id = ?", (task_id,))
        unfinished = self.sql(
            "SELECT COUNT(*) FROM inferences WHERE status IN ('PENDING', 'STARTED')")[0][0]
        self.assertGreaterEqual(unfinished, 5)
        print(f"\n{len(accepted)} accepted in three stopped runs, {unfinished - 5} of them left "
              "unfinished by the stops, 5 more put back", file=sys.stderr)

        self.server = Server(data_dir=self.data_dir)
        deadline = time.time() + 20
        placeholders = ",".join("?" * len(accepted))
        while True:
            left = self.sql(f"SELECT COUNT(*) FROM inferences WHERE task_id IN ({placeholders}) "
                            "AND status <> 'SUCCESS'", accepted)[0][0]
            if left == 0 or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(left, 0, f"{left} of {len(accepted)} accepted inferences not SUCCESS "
                                  f"20 s after the restart ({unfinished} were unfinished)")
        self.assertIn("recovery:", self.server.logs())
        # Rows written once per task: the kept rows, distinct locations, none twice.
        bad = self.sql("SELECT task_id, COUNT(*), COUNT(DISTINCT location_id) FROM results "
                       "GROUP BY task_id HAVING COUNT(*) <> ? OR COUNT(DISTINCT location_id) <> ?",
                       (KEEP, KEEP))
        self.assertEqual(bad, [])
        with_rows = self.sql(f"SELECT COUNT(DISTINCT task_id) FROM results WHERE task_id IN "
                             f"({placeholders})", accepted)[0][0]
        self.assertEqual(with_rows, len(accepted))
        for task_id in accepted[:: max(1, len(accepted) // 20)] + done:
            status, body = request("GET", f"{self.server.url}/inference/status/{task_id}")
            self.assertEqual((status, body["status"]), (200, "SUCCESS"), task_id)

        # The training the last kill caught: queued again (pending) and run, or failed with the
        # reason (it was training). Never left pending or training.
        deadline = time.time() + 120
        while True:
            _, models = request("GET", self.server.url + "/models")
            open_runs = [m for m in models if m["status"] in ("pending", "training")]
            if not open_runs or time.time() > deadline:
                break
            time.sleep(1)
        self.assertEqual(open_runs, [])
        for m in models:
            if m["status"] == "failed":
                self.assertTrue(m["reason"], m)  # interrupted, or the re-run's own reason
        self.assertEqual(self.server.stop(), 0)


def post_start(url):
    """POST /inference/start; (status, task id or None, Retry-After header or None)."""
    req = urllib.request.Request(url + "/inference/start", data=json.dumps(user_data()).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())["task_id"], None
    except urllib.error.HTTPError as e:
        e.read()
        return e.code, None, e.headers.get("Retry-After")


class Backpressure(unittest.TestCase):
    """A burst far above what one worker thread runs: beyond --max-queue the start route answers
    503 with Retry-After and writes nothing; every accepted inference still finishes."""

    def test_burst_beyond_max_queue_is_refused_with_retry_after(self):
        server = Server(extra_args=["--workers", "1", "--max-queue", "2"])
        try:
            answers, stop = [], threading.Event()

            def post_until_stopped():
                while not stop.is_set():
                    answers.append(post_start(server.url))

            threads = [threading.Thread(target=post_until_stopped) for _ in range(16)]
            for t in threads:
                t.start()
            time.sleep(3)
            stop.set()
            for t in threads:
                t.join()
            accepted = [task for status, task, _ in answers if status == 200]
            refused = [(status, retry) for status, _, retry in answers if status != 200]
            self.assertGreater(len(refused), 0, "no request was refused")
            self.assertEqual(set(refused), {(503, "1")})
            db = os.path.join(server.data_dir, "mlprod.db")
            con = sqlite3.connect(db, timeout=30)
            try:
                rows = con.execute("SELECT COUNT(*) FROM inferences").fetchone()[0]
            finally:
                con.close()
            self.assertEqual(rows, len(accepted), "a refused request wrote an inference")
            for task_id in accepted[-20:]:
                status, body = request("GET", f"{server.url}/inference/status/{task_id}?wait=20")
                self.assertEqual((status, body["status"]), (200, "SUCCESS"))
            _, metrics = request("GET", server.url + "/metrics")
            self.assertIn(f'api_inference_refused_total{{app_name="api"}} {len(refused)}', metrics)
            with open(f"/proc/{server.proc.pid}/status") as f:
                hwm_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
            # The memory bound is the release build's: ASan's shadow memory and quarantine
            # multiply a process's RSS.
            if os.environ.get("MLPROD_SANITIZED") != "1":
                self.assertLessEqual(hwm_kb, 64 * 1024)
            print(f"\n{len(accepted)} accepted, {len(refused)} refused, peak RSS "
                  f"{hwm_kb / 1024:.1f} MiB", file=sys.stderr)
            self.assertEqual(server.stop(), 0)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
