"""Black-box test of issue 16 item 6 in embedded mode: a missing or truncated active model
folder no longer stops `mlprod serve` when a healthy baseline is on disk. It starts on the newest
loadable model that served (the baseline), says so loudly in its log and in /health/ready, and
inference runs; once the folder is back the active model serves again. PUT /models/{id} refuses
to take the only active model to zero traffic."""
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from mlprod_client import Server, request, user_data, wait_task  # noqa: E402


class ModelFallback(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="mlprod_fallback_")
        server = Server(data_dir=cls.data_dir)  # first start: data set, baseline, schema
        assert server.stop() == 0, server.logs()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def sql(self, query, args=()):
        con = sqlite3.connect(os.path.join(self.data_dir, "mlprod.db"), timeout=30)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def register_broken_active(self, truncated):
        """A new promoted model taking all traffic, its folder missing or its weights cut."""
        model_id = str(uuid.uuid4())
        folder = os.path.join(self.data_dir, "models", model_id)
        if truncated:
            shutil.copytree(os.path.join(self.data_dir, "models", "baseline"), folder)
            weights = os.path.join(folder, "weights.bin")
            with open(weights, "r+b") as f:
                f.truncate(os.path.getsize(weights) // 2)
        self.sql("UPDATE models SET use_percentage = 0, status = 'retired' "
                 "WHERE use_percentage > 0")
        self.sql("INSERT INTO models (task_id, status, path, use_percentage) "
                 "VALUES (?, 'promoted', ?, 1.0)", (model_id, "models/" + model_id))
        return model_id, folder

    def assert_serves_the_fallback(self, model_id):
        server = Server(data_dir=self.data_dir)
        try:
            status, ready = request("GET", server.url + "/health/ready")
            self.assertEqual(status, 200, ready)
            self.assertEqual(ready["checks"]["models"], "fallback", ready)
            self.assertIn("fallback model baseline", ready["warning"])
            status, task = request("POST", server.url + "/inference/start", user_data())
            self.assertEqual(status, 200, task)
            status, done = wait_task(server.url, "inference", task["task_id"], timeout=30)
            self.assertEqual((status, done["status"]), (200, "SUCCESS"), done)
            status, results = request(
                "GET", f"{server.url}/inference/results/{task['task_id']}?limit=3")
            self.assertEqual((status, len(results)), (200, 3), results)
            logs = server.logs()
            self.assertIn("FALLBACK", logs)
            self.assertIn(model_id, logs)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_a_missing_active_folder_falls_back_to_the_baseline(self):
        model_id, folder = self.register_broken_active(truncated=False)
        self.assert_serves_the_fallback(model_id)
        # The folder comes back: the active model serves and the warning is gone.
        shutil.copytree(os.path.join(self.data_dir, "models", "baseline"), folder)
        server = Server(data_dir=self.data_dir)
        try:
            status, ready = request("GET", server.url + "/health/ready")
            self.assertEqual(status, 200, ready)
            self.assertEqual(ready["checks"]["models"], "ok", ready)
            self.assertNotIn("warning", ready)
        finally:
            self.assertEqual(server.stop(), 0)
        shutil.rmtree(folder)  # the next test's fallback is the baseline again

    def test_a_truncated_active_folder_falls_back_to_the_baseline(self):
        model_id, _ = self.register_broken_active(truncated=True)
        self.assert_serves_the_fallback(model_id)

    def test_the_only_active_model_cannot_be_taken_to_zero_traffic(self):
        server = Server(data_dir=self.data_dir)
        try:
            # Whatever the other tests left, make the baseline the only active model.
            status, _ = request("PUT", server.url + "/models/baseline", {"use_percentage": 1.0})
            self.assertEqual(status, 200)
            status, body = request("PUT", server.url + "/models/baseline", {"use_percentage": 0})
            self.assertEqual(status, 409, body)
            self.assertIn("only active model", body["detail"])
            status, task = request("POST", server.url + "/inference/start", user_data())
            status, done = wait_task(server.url, "inference", task["task_id"], timeout=30)
            self.assertEqual(done["status"], "SUCCESS", done)
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
