"""Black-box test of input drift monitoring (issue 5): `mlprod serve` on a fresh data dir, driven
by `mlprod traffic`. Traffic from the training profiles (config/user.tsv, drawn in proportion to
meta_n as the data set is) keeps every drift_psi below 0.1 once the window is full; traffic from
the noisy profile (config/user_noise.tsv) pushes budget, people_num and the age features above
0.25 within one window."""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from mlprod_client import BINARY, SOURCE_DIR, ServeTestCase, request  # noqa: E402

WINDOW = 500
FEATURES = ["people_num", "children_num", "budget", "nights", "pool", "spa", "pet_friendly",
            "lake", "mountain", "sport", "age_min", "age_max", "age_std"]
SAMPLE = re.compile(r'^(drift_\w+)(?:\{feature="(\w+)"\})? (\S+)$')


def drift_metrics(url):
    """{(name, feature or None): value} of the drift_* samples on /metrics."""
    status, body = request("GET", url + "/metrics")
    assert status == 200, status
    out = {}
    for line in body.splitlines():
        m = SAMPLE.match(line)
        if m:
            out[(m.group(1), m.group(2))] = float(m.group(3))
    return out


def run_traffic(url, profiles, loops, seed):
    """`mlprod traffic` without think time for `loops` loops; returns its stderr."""
    cmd = [BINARY, "traffic", "--url", url, "--no-think", "--users", "8",
           "--requests", str(loops), "--feedback", "0", "--seed", str(seed)]
    if profiles:
        cmd += ["--profiles", profiles]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr


class Drift(ServeTestCase):
    SERVER_ARGS = ("--drift-window", str(WINDOW))

    def wait_window(self, expected, timeout=10):
        """Waits until the gauges show `expected` requests in the window (published every
        0.5 s) and two more publish periods have passed, then returns the drift samples."""
        time.sleep(1.2)
        deadline = time.time() + timeout
        while True:
            m = drift_metrics(self.url)
            if m.get(("drift_window_requests", None)) == expected or time.time() > deadline:
                return m
            time.sleep(0.2)

    def psi(self, m):
        return {f: m.get(("drift_psi", f)) for f in FEATURES}

    def test_1_nothing_before_traffic(self):
        m = drift_metrics(self.url)
        self.assertEqual(m.get(("drift_window_requests", None)), 0.0, m)
        self.assertFalse([k for k in m if k[0] == "drift_psi"], m)

    def test_2_training_profiles_stay_stable(self):
        run_traffic(self.url, None, WINDOW + 100, seed=42)
        m = self.wait_window(WINDOW)
        self.assertEqual(m.get(("drift_window_requests", None)), WINDOW)
        psi = self.psi(m)
        print("default traffic PSI:", {f: round(v, 4) for f, v in psi.items()}, file=sys.stderr)
        for f, v in psi.items():
            self.assertIsNotNone(v, f"drift_psi{{feature={f}}} missing")
            self.assertLess(v, 0.1, f)
        for f in FEATURES:
            self.assertIn(("drift_input_mean", f), m)
            self.assertIn(("drift_reference_mean", f), m)
        # The reference is the baseline's training data: budgets between 50 and 1500.
        self.assertTrue(50 < m[("drift_reference_mean", "budget")] < 1500, m)

    def test_3_noisy_profile_drifts(self):
        noisy = os.path.join(SOURCE_DIR, "config", "user_noise.tsv")
        run_traffic(self.url, noisy, WINDOW, seed=7)
        m = self.wait_window(WINDOW)
        psi = self.psi(m)
        print("noisy traffic PSI:", {f: round(v, 4) for f, v in psi.items()}, file=sys.stderr)
        for f in ["budget", "people_num", "age_min", "age_max", "age_std"]:
            self.assertGreater(psi[f], 0.25, f)
        # Noisy groups: budgets of 10000-20000 against the training data's mean below 1500.
        self.assertGreater(m[("drift_input_mean", "budget")], 10000)
        self.assertLess(m[("drift_reference_mean", "budget")], 1500)


if __name__ == "__main__":
    unittest.main(verbosity=2)
