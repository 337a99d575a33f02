"""Black-box test of the built-in /dashboard page (issue 5): `mlprod serve` on a fresh data dir,
simulated traffic from `mlprod traffic`, then the page in headless Chromium must have drawn data
in its charts (each panel writes data-points="N"), and a screenshot goes to the test artefacts."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SOURCE_DIR = os.environ.get("MLPROD_SOURCE_DIR", os.getcwd())
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
from mlprod_client import BINARY, ServeTestCase, request  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = (os.environ.get("MLPROD_TEST_ARTIFACTS")
             or os.environ.get("MLPROD_DEFAULT_ARTIFACTS")
             or os.path.join(os.path.dirname(BINARY), "..", "..", "test-artifacts"))
# Panels that must show data after traffic in every mode; accuracy, picks and drift only when
# the process exposes their metric families.
ALWAYS = ["requests", "latency", "routes", "active"]


def chromium(url, *extra, budget_ms=8000):
    """Runs headless Chromium once on `url` with a throwaway profile; returns its stdout."""
    profile = tempfile.mkdtemp(prefix="mlprod_chromium_")
    try:
        out = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
             "--run-all-compositor-stages-before-draw", *extra, url],
            capture_output=True, timeout=180, text=True)
        if out.returncode != 0:
            raise AssertionError(f"chromium exited {out.returncode}:\n{out.stderr[-3000:]}")
        return out.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def panel_points(dom):
    """{panel id: data-points} from the dumped DOM."""
    points = {}
    for tag in re.findall(r"<div[^>]*\bid=\"panel-[a-z]+\"[^>]*>", dom):
        pid = re.search(r"id=\"panel-([a-z]+)\"", tag).group(1)
        n = re.search(r"data-points=\"(\d+)\"", tag)
        points[pid] = int(n.group(1)) if n else -1
    return points


class Dashboard(ServeTestCase):

    def test_page_charts_traffic_in_headless_chromium(self):
        traffic = subprocess.run(
            [BINARY, "traffic", "--url", self.url, "--users", "4", "--duration", "8",
             "--no-think"], capture_output=True, text=True, timeout=120)
        self.assertEqual(traffic.returncode, 0, traffic.stdout + traffic.stderr)
        time.sleep(2.5)  # the sampler's next point covers the end of the traffic

        status, data = request("GET", self.url + "/dashboard/data?window=300")
        self.assertEqual(status, 200, data)
        self.assertGreater(data["points"], 2)
        self.assertGreater(max(v or 0 for v in data["request_rate"]), 1.0)
        self.assertTrue(any(v is not None for v in data["latency_ms"]["p95"]))
        self.assertIn("POST /inference/start", data["route_rates"])
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as r:
            exposition = r.read().decode()
        required = list(ALWAYS)
        if "api_inference_feedback_total{" in exposition:
            required.append("accuracy")
            self.assertTrue(any(v is not None for v in data["accuracy"]["total"]))
        if "api_model_feedback_total{" in exposition:
            required.append("picks")
            self.assertTrue(data["model_pick_rate"], data.get("model_pick_rate"))
        if "drift_psi{" in exposition:
            required.append("drift")

        dom = chromium(self.url + "/dashboard", "--dump-dom")
        self.assertRegex(dom, r"<body[^>]*data-state=\"live\"", dom[:2000])
        points = panel_points(dom)
        self.assertEqual(sorted(points), sorted(ALWAYS + ["accuracy", "picks", "drift"]), dom[:2000])
        for pid in required:
            self.assertGreater(points[pid], 0, f"panel {pid} has no data: {points}")
        self.assertGreaterEqual(len(re.findall(r"<canvas", dom)), len(required), points)

        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.abspath(os.path.join(ARTIFACTS, "dashboard.png"))
        if os.path.exists(shot):
            os.remove(shot)
        chromium(self.url + "/dashboard", f"--screenshot={shot}", "--window-size=1400,1000")
        self.assertTrue(os.path.exists(shot), "no screenshot written")
        with open(shot, "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 20000, "screenshot suspiciously small (blank page?)")
        print(f"dashboard screenshot: {shot}; panels {points}", file=sys.stderr)


if __name__ == "__main__":
    # A missing browser fails the test: it is never silently skipped.
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} not found: install the Debian chromium package "
              "(scripts/install-test-deps.sh)", file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)
