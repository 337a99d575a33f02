"""Black-box test of `mlprod serve` (issue 3): the whole recommender loop over HTTP against the
built binary with a fresh data dir, training with all ten metrics, restart reusing the data,
a clean exit on SIGTERM, and `mlprod traffic` stopped by Ctrl-C still printing its summary."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from mlprod_client import (BINARY, Server, ServeTestCase, request, user_data,  # noqa: E402
                           wait_task)

LOCATION_FIELDS = ["location_id", "lat", "lon", "children", "breakfast", "lunch", "dinner",
                   "price", "has_pool", "has_spa", "animals", "near_lake", "near_mountains",
                   "has_sport", "family_rating", "outdoor_rating", "food_rating",
                   "leisure_rating", "service_rating", "user_score"]
METRICS = ["acc", "auc", "pre", "rec", "f1"]


class ServeLoop(ServeTestCase):

    def start_and_wait(self, **overrides):
        status, task = request("POST", self.url + "/inference/start", user_data(**overrides))
        self.assertEqual(status, 200, task)
        self.assertEqual(task["type"], "inference")
        self.assertEqual(task["status"], "PENDING")
        status, st = request("GET", f"{self.url}/inference/status/{task['task_id']}?wait=10")
        self.assertEqual(status, 200, st)
        self.assertEqual(st["status"], "SUCCESS")
        return task["task_id"]

    def test_1_root_and_info(self):
        self.assertEqual(request("GET", self.url + "/"), (200, "Hi! 😀"))
        status, info = request("GET", self.url + "/content/info")
        self.assertEqual(status, 200)
        self.assertEqual(info["locations"], 210)
        # The whole catalogue without ?limit=, as the reference answers; a limit still pages.
        status, locations = request("GET", self.url + "/content/locations")
        self.assertEqual(status, 200)
        self.assertEqual([r["location_id"] for r in locations], list(range(1, 211)))
        self.assertEqual(set(locations[0]), set(LOCATION_FIELDS + ["creation_time"]))
        status, page = request("GET", self.url + "/content/locations?after=200&limit=5")
        self.assertEqual([r["location_id"] for r in page], [201, 202, 203, 204, 205])

    def test_2_loop(self):
        _, before = request("GET", self.url + "/content/info")
        task_id = self.start_and_wait()
        status, results = request("GET", f"{self.url}/inference/results/{task_id}?limit=10")
        self.assertEqual(status, 200)
        self.assertEqual(len(results), 10)
        # The model's order, except on the exploration share (--explore-share, 5 %): a
        # random order whose rows say so and log their propensity.
        scores = [r["score"] for r in results]
        if results[0]["explored"]:
            self.assertTrue(all(r["explored"] and 0 < r["propensity"] < 1 for r in results))
        else:
            self.assertEqual(scores, sorted(scores, reverse=True))
            self.assertTrue(all(0.95 < r["propensity"] <= 1 for r in results), results[0])
        for r in results:
            for field in LOCATION_FIELDS + ["score"]:
                self.assertIn(field, r)
        pick = results[3]["location_id"]
        status, row = request("PUT", self.url + "/inference/select/",
                              {"task_id": task_id, "location_id": pick})
        self.assertEqual(status, 200, row)
        self.assertEqual(row["label"], 1)
        self.assertEqual(row["location_id"], pick)
        # One answer per task: the same pick again is 200 (counted once), another answer 409.
        self.assertEqual(request("PUT", self.url + "/inference/select/",
                                 {"task_id": task_id, "location_id": pick}), (200, row))
        for changed in (results[0]["location_id"], -1):
            status, body = request("PUT", self.url + "/inference/select/",
                                   {"task_id": task_id, "location_id": changed})
            self.assertEqual(status, 409, body)
        # "No pick" answers null; a location the task never showed cannot be picked.
        other = self.start_and_wait()
        _, shown = request("GET", f"{self.url}/inference/results/{other}?limit=3")
        _, stored = request("GET", f"{self.url}/content/results?task_id={other}&limit=1000")
        unshown = next(r["location_id"] for r in stored if not r["shown"])  # kept, not shown
        status, body = request("PUT", self.url + "/inference/select/",
                               {"task_id": other, "location_id": unshown})
        self.assertEqual(status, 422, body)
        self.assertEqual(request("PUT", self.url + "/inference/select/",
                                 {"task_id": other, "location_id": -1}), (200, None))
        _, after = request("GET", self.url + "/content/info")
        self.assertEqual(after["users"], before["users"] + 2)
        self.assertEqual(after["locations"], 210)
        # The results debug read shows the label on the picked row.
        status, rows = request("GET", f"{self.url}/content/results?task_id={task_id}&limit=1000")
        self.assertEqual(status, 200)
        labelled = [r for r in rows if r["label"] == 1]
        self.assertEqual([r["location_id"] for r in labelled], [pick])

    def test_3_unknown_task(self):
        status, body = request("GET", self.url + "/inference/status/00000000-0000-4000-8000-000000000000")
        self.assertEqual(status, 404)
        self.assertIn("detail", body)

    def test_4_training_stores_all_ten_metrics(self):
        for i in range(45):
            task_id = self.start_and_wait(budget=200 + 50 * i, nights=1 + i % 7, spa=i % 2 == 0)
            _, results = request("GET", f"{self.url}/inference/results/{task_id}?limit=10")
            self.assertEqual(len(results), 10)
            request("PUT", self.url + "/inference/select/",
                    {"task_id": task_id, "location_id": results[i % 10]["location_id"]})
        status, task = request("POST", self.url + "/train/start")
        self.assertEqual(status, 200, task)
        self.assertEqual(task["type"], "training")
        status, done = wait_task(self.url, "train", task["task_id"])
        self.assertEqual(status, 200, done)
        self.assertEqual(done["status"], "SUCCESS", done)
        status, model = request("GET", f"{self.url}/models/{task['task_id']}")
        self.assertEqual(status, 200, model)
        for split in ("train", "test"):
            for m in METRICS:
                self.assertIsInstance(model[split][m], float, f"{split}.{m} in {model}")
        status, models = request("GET", self.url + "/models")
        self.assertEqual(status, 200)
        ids = [m["task_id"] for m in models]
        self.assertIn("baseline", ids)
        self.assertIn(task["task_id"], ids)
        # The offline gate compared both models on the generator-labelled holdout; a candidate
        # that passed is a canary on 10 % of inferences next to the baseline, else rejected.
        gate = model["offline"]["gate"]
        self.assertEqual(gate["holdout_rows"], 2000, gate)
        self.assertEqual(gate["current"]["model_id"], "baseline")
        self.assertIn(model["state"], ("canary", "rejected"), model)
        share = {m["task_id"]: m["use_percentage"] for m in models}
        self.assertEqual(share["baseline"], 1.0)
        self.assertEqual(share[task["task_id"]], 0.1 if model["state"] == "canary" else 0.0)
        # Passed = better beyond chance: the paired bootstrap's lower bound of the AUC
        # difference is above 0 (few explored lists yet, so the generator-labelled holdout).
        self.assertEqual(gate["holdout"], "reference", gate)
        passed = gate["auc_difference_lower_bound"] > 0
        self.assertEqual(model["state"] == "canary", passed, gate)


class ServeWithKeys(unittest.TestCase):
    """MLPROD_API_KEY and MLPROD_READ_KEY from the environment guard other people's data."""

    def test_personal_reads_need_a_key_and_the_read_key_changes_nothing(self):
        server = Server(env={"MLPROD_API_KEY": "admin-k", "MLPROD_READ_KEY": "read-k"})
        try:
            url = server.url
            status, task = request("POST", url + "/inference/start", user_data())
            self.assertEqual(status, 200, task)  # the trip request itself stays open
            self.assertEqual(request("GET", f"{url}/inference/status/{task['task_id']}")[0], 200)
            for path in ("/content/users", "/content/results", "/content/user/1"):
                self.assertEqual(request("GET", url + path)[0], 401, path)
                self.assertEqual(request("GET", url + path,
                                         headers={"Authorization": "bearer read-k"})[0], 200, path)
                self.assertEqual(request("GET", url + path,
                                         headers={"Authorization": "BEARER admin-k"})[0], 200,
                                 path)
            self.assertEqual(request("POST", url + "/train/start",
                                     headers={"Authorization": "Bearer read-k"})[0], 401)
            for path in ("/content/info", "/content/locations?limit=1", "/metrics",
                         "/health/ready"):
                self.assertEqual(request("GET", url + path)[0], 200, path)
            self.assertEqual(server.stop(), 0)
            self.assertNotIn("admin-k", server.logs())
            self.assertNotIn("read-k", server.logs())
        finally:
            server.cleanup()


class TrafficInterrupted(ServeTestCase):
    def test_ctrl_c_prints_the_summary_of_what_ran(self):
        proc = subprocess.Popen([BINARY, "traffic", "--url", self.url, "--users", "4",
                                 "--duration", "120", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        proc.send_signal(signal.SIGINT)
        asked = time.time()
        out, err = proc.communicate(timeout=30)
        self.assertLess(time.time() - asked, 10, "the summary waited for the whole run")
        self.assertEqual(proc.returncode, 128 + signal.SIGINT, err)
        self.assertIn("stopped by SIGINT", err)
        self.assertIn("traffic summary:", err)
        summary = json.loads(out)
        self.assertGreater(summary["loops"], 0)
        self.assertLess(summary["elapsed_s"], 60)


class ServeRestart(unittest.TestCase):
    def test_second_start_reuses_data_and_model(self):
        first = Server()
        try:
            request("POST", first.url + "/inference/start", user_data())
            self.assertEqual(first.stop(), 0)
            second = Server(data_dir=first.data_dir)
            try:
                _, info = request("GET", second.url + "/content/info")
                self.assertEqual(info["locations"], 210)
                self.assertGreaterEqual(info["users"], 1)
                self.assertNotIn("training the baseline", second.logs().split("listening")[-1])
                self.assertEqual(second.stop(), 0)
                self.assertEqual(second.logs().count("training the baseline model"), 1)
            finally:
                second.cleanup()
        finally:
            first.owns_dir = True
            first.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
