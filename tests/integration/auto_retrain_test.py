"""Black-box test of retraining that runs itself (issue 13): `mlprod serve` with a small
--retrain-labels threshold, fed answered lists by `mlprod traffic`, queues a training run by
itself with the trigger's reason in GET /models (registered_reason); with --auto-retrain off (or
MLPROD_AUTO_RETRAIN=off) the same feedback queues nothing."""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from mlprod_client import BINARY, Server, request  # noqa: E402

LABELS = 200
# Only the label trigger, and no gap, so the test sees it fire within one check (5 s).
ARGS = ["--retrain-labels", str(LABELS), "--retrain-min-gap", "0", "--retrain-every", "0",
        "--retrain-drift-psi", "0"]
CHECK_INTERVAL_S = 5


def drive_feedback(url, loops):
    """Answered lists: every loop of `mlprod traffic` ends with a pick or a no-pick."""
    out = subprocess.run([BINARY, "traffic", "--url", url, "--users", "8", "--no-think",
                          "--requests", str(loops), "--feedback", "1", "--seed", "5"],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"mlprod traffic failed: {out.stderr[-2000:]}")


def models(url):
    status, body = request("GET", url + "/models")
    assert status == 200, body
    return body


def auto_models(url):
    return [m for m in models(url) if m["registered_reason"].startswith("auto:")]


def retrain_counter(url, trigger):
    status, text = request("GET", url + "/metrics")
    assert status == 200
    m = re.search(r'^api_retrain_triggers_total\{[^}]*trigger="%s"[^}]*\} (\S+)$' % trigger,
                  text, re.M)
    return float(m.group(1)) if m else None


class AutoRetrain(unittest.TestCase):
    def run_server(self, extra_args, env=None):
        server = Server(extra_args=extra_args, env=env)
        self.addCleanup(server.cleanup)
        return server

    def stop(self, server):
        code = server.stop()
        self.assertEqual(code, 0, server.logs())

    def test_enough_new_labels_queue_a_training_run_with_the_triggers_reason(self):
        server = self.run_server(ARGS)
        self.assertEqual(retrain_counter(server.url, "labels"), 0)
        drive_feedback(server.url, LABELS + 40)
        deadline = time.time() + 4 * CHECK_INTERVAL_S
        found = []
        while not found and time.time() < deadline:
            found = auto_models(server.url)
            time.sleep(0.5)
        self.assertEqual(len(found), 1, models(server.url))
        reason = found[0]["registered_reason"]
        m = re.fullmatch(r"auto: (\d+) new labels since the last training \(threshold (\d+)\)",
                         reason)
        self.assertIsNotNone(m, reason)
        self.assertGreaterEqual(int(m.group(1)), LABELS, reason)
        self.assertEqual(int(m.group(2)), LABELS)
        self.assertEqual(retrain_counter(server.url, "labels"), 1)
        self.assertEqual(retrain_counter(server.url, "schedule"), 0)
        self.assertIn("retrain trigger labels: training task " + found[0]["task_id"],
                      server.logs())
        self.stop(server)

    def test_with_auto_retrain_off_the_same_feedback_queues_nothing(self):
        for args, env, why in ((ARGS + ["--auto-retrain", "off"], None, "--auto-retrain off"),
                               (ARGS, {"MLPROD_AUTO_RETRAIN": "off"},
                                "MLPROD_AUTO_RETRAIN=off")):
            with self.subTest(why):
                server = self.run_server(args, env)
                drive_feedback(server.url, LABELS + 40)
                time.sleep(CHECK_INTERVAL_S + 2)  # at least one check would have fired
                listed = models(server.url)
                self.assertEqual([m["task_id"] for m in listed], ["baseline"], listed)
                self.assertIn(f"automatic retraining off ({why})", server.logs())
                self.stop(server)


if __name__ == "__main__":
    unittest.main(verbosity=2)
