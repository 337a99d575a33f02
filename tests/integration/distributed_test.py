"""Black-box tests of the distributed mode (issue 4): `mlprod api` + `mlprod worker` processes
on real PostgreSQL, RabbitMQ and Redis, and real Python Celery as the peer in both directions."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from distributed import (AMQP_URL, AVAILABLE, REDIS_URL, SKIP_REASON, Deployment,  # noqa: E402
                         DeploymentTestCase, celery_app, services)
from mlprod_client import BINARY  # noqa: E402
from mlprod_client import request, user_data, wait_task  # noqa: E402

PYTHON = "/usr/bin/python3"


def start_inference(url, **overrides):
    status, task = request("POST", url + "/inference/start", user_data(**overrides))
    assert status == 200, (status, task)
    return task["task_id"]


def wait_success(url, task_id, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, body = request("GET", f"{url}/inference/status/{task_id}?wait=5")
        if status == 200 and body["status"] == "SUCCESS":
            return
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} not SUCCESS after {timeout}s: {status} {body}")


class Distributed(DeploymentTestCase):
    def test_loop_and_training_on_real_services(self):
        for i in range(45):
            task_id = start_inference(self.url, budget=300 + 40 * i, nights=1 + i % 5)
            wait_success(self.url, task_id)
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
            request("PUT", self.url + "/inference/select/",
                    {"task_id": task_id, "location_id": results[i % 10]["location_id"]})
        status, task = request("POST", self.url + "/train/start")
        self.assertEqual(status, 200)
        status, done = wait_task(self.url, "train", task["task_id"])
        self.assertEqual(status, 200, done)
        self.assertEqual(done["status"], "SUCCESS", done)
        status, model = request("GET", f"{self.url}/models/{task['task_id']}")
        self.assertEqual(status, 200, model)
        self.assertIsInstance(model["test"]["auc"], float)

    def test_celery_client_runs_tasks_on_our_workers(self):
        task_id = start_inference(self.url)
        wait_success(self.url, task_id)
        _, results = request("GET", f"{self.url}/content/results?task_id={task_id}&limit=1")
        user_id = results[0]["user_id"]
        app = celery_app(self.dep.queue)
        for name in ("mlprod.worker.tasks.inference.inference",
                     "worker.tasks.inference.inference"):
            r = app.send_task(name, args=[user_id], queue=self.dep.queue)
            value = r.get(timeout=10)
            self.assertEqual(r.state, "SUCCESS")
            self.assertEqual(value["user_id"], user_id)
            _, rows = request("GET", f"{self.url}/content/results?task_id={r.id}&limit=1000")
            self.assertEqual(len(rows), 10)  # --keep-results' default: the shown list

    def test_celery_client_sees_our_failure(self):
        app = celery_app(self.dep.queue)
        r = app.send_task("mlprod.worker.tasks.inference.inference", args=[987654321],
                          queue=self.dep.queue)
        with self.assertRaises(Exception) as caught:
            r.get(timeout=10)
        self.assertEqual(r.state, "FAILURE")
        self.assertIn("987654321", str(caught.exception))
        self.assertEqual(type(caught.exception).__name__, type(r.result).__name__)
        self.assertNotEqual(type(caught.exception).__name__, "Exception")

    def test_training_ids_that_are_not_uuids_write_no_file(self):
        # Issue 16 item 1: the training task's id names the model folder. Real Celery messages
        # with a traversal id, an absolute id and the id "baseline" fail with a ValueError and
        # write nothing: not outside the data dir, not over the baseline's folder or row.
        scratch = tempfile.mkdtemp(prefix="mlprod_escape_")
        tag = uuid.uuid4().hex[:10]
        baseline_dir = os.path.join(self.dep.data_dir, "models", "baseline")
        before = {n: os.path.getmtime(os.path.join(baseline_dir, n))
                  for n in os.listdir(baseline_dir)}
        _, row_before = request("GET", self.url + "/models/baseline")
        traversal = "../../escape-" + tag
        absolute = os.path.join(scratch, "absolute-" + tag)
        app = celery_app(self.dep.queue)
        for task_id in (traversal, absolute, "baseline"):
            r = app.send_task("mlprod.worker.tasks.train.training", task_id=task_id,
                              queue=self.dep.queue)
            with self.assertRaises(Exception) as caught:
                r.get(timeout=30)
            self.assertEqual(r.state, "FAILURE", task_id)
            self.assertEqual(type(caught.exception).__name__, "ValueError", task_id)
            self.assertIn("must be a UUID", str(caught.exception))
        escaped = os.path.normpath(os.path.join(self.dep.data_dir, "models", traversal))
        self.assertFalse(os.path.exists(escaped), escaped)
        self.assertFalse(os.path.exists(absolute), absolute)
        self.assertEqual(os.listdir(scratch), [])
        after = {n: os.path.getmtime(os.path.join(baseline_dir, n))
                 for n in os.listdir(baseline_dir)}
        self.assertEqual(before, after, "the baseline folder is untouched")
        _, row_after = request("GET", self.url + "/models/baseline")
        for key in ("path", "test", "train"):
            self.assertEqual(row_before.get(key), row_after.get(key), key)
        _, models = request("GET", self.url + "/models")
        ids = {m["task_id"] for m in models}
        self.assertNotIn(traversal, ids)
        self.assertNotIn(absolute, ids)
        os.rmdir(scratch)

    def test_poison_and_unknown_messages_do_not_block_the_queue(self):
        import amqp  # python3-amqp, the library Celery's pyamqp transport uses
        host = AMQP_URL.split("@")[1].split("/")[0]
        conn = amqp.Connection(host=host, userid="guest", password="guest")
        conn.connect()
        ch = conn.channel()
        ch.queue_declare(self.dep.queue, durable=True, auto_delete=False)
        ch.basic_publish(amqp.Message(b"{not json", content_type="application/json",
                                      content_encoding="utf-8",
                                      application_headers={"task": "x", "id": str(uuid.uuid4())}),
                         exchange="", routing_key=self.dep.queue)
        conn.close()
        app = celery_app(self.dep.queue)
        app.send_task("no.such.task", args=[1], queue=self.dep.queue)
        task_id = start_inference(self.url)
        wait_success(self.url, task_id, timeout=20)
        logs = self.dep.logs()
        self.assertIn("no.such.task", logs)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class CeleryWorkerPeer(unittest.TestCase):
    def test_our_api_publishes_what_a_celery_worker_understands(self):
        dep = Deployment(workers=0)
        record = tempfile.mktemp(prefix="celery_peer_", suffix=".json")
        env = dict(os.environ, PEER_BROKER_URL=AMQP_URL, PEER_BACKEND_URL=REDIS_URL,
                   PEER_QUEUE=dep.queue, PEER_RECORD=record,
                   PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
        worker = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "celery_peer", "worker", "-Q", dep.queue,
             "--pool", "solo", "-l", "warning", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            task_id = start_inference(dep.url)
            deadline = time.time() + 30
            while not os.path.exists(record) and time.time() < deadline:
                time.sleep(0.1)
            self.assertTrue(os.path.exists(record), "the Celery worker got nothing")
            with open(record) as f:
                got = json.load(f)
            _, rows = request("GET", f"{dep.url}/content/users?limit=1000")
            self.assertEqual(got["args"], [rows[-1]["user_id"]])
            self.assertEqual(got["id"], task_id)
            self.assertEqual(got["task"], "mlprod.worker.tasks.inference.inference")
            self.assertEqual(got["retries"], 0)
            self.assertEqual(got["root_id"], task_id)
            self.assertEqual(got["correlation_id"], task_id)
            self.assertEqual(got["delivery_info"]["routing_key"], dep.queue)
            self.assertEqual(got["kwargs"], {})
            # The Celery worker stored SUCCESS in Redis in Celery's format: our API reads it.
            status, body = request("GET", f"{dep.url}/inference/status/{task_id}?wait=10")
            self.assertEqual((status, body["status"]), (200, "SUCCESS"))
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            dep.close()
            if os.path.exists(record):
                os.remove(record)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class WorkerKilled(unittest.TestCase):
    def test_kill_9_mid_run_loses_and_duplicates_nothing(self):
        # Every location's row kept (the reference's behaviour), so that a duplicate or a
        # partial write of any row would show.
        dep = Deployment(workers=1, worker_args=["--keep-results", "0"])
        try:
            ids = [start_inference(dep.url, budget=100 + i) for i in range(200)]
            time.sleep(0.3)  # let the worker get into the middle of the queue
            dep.workers[0].send_signal(signal.SIGKILL)
            dep.workers[0].wait()
            dep.start_worker()
            for task_id in ids:
                wait_success(dep.url, task_id, timeout=60)
            db = dep.env["DATABASE_URL"]
            out = subprocess.run(
                ["psql", db, "-qAt", "-c",
                 "SELECT count(DISTINCT task_id), count(*) FROM results"],
                capture_output=True, text=True, check=True).stdout.strip()
            self.assertEqual(out, f"200|{200 * 210}")
        finally:
            dep.close()


# Restarts the servers of scripts/services.sh (MLPROD_SERVICES_DIR), one after the other, while
# mlprod traffic runs. Redis restarts empty (no persistence), so finished tasks must still read
# SUCCESS from the database afterwards.
@unittest.skipUnless(AVAILABLE and os.environ.get("MLPROD_SERVICES_DIR"),
                     "needs the servers of scripts/services.sh (MLPROD_SERVICES_DIR) to restart")
class ServiceRestarts(unittest.TestCase):
    def ready(self, url):
        try:
            return request("GET", url + "/health/ready", timeout=2)
        except OSError as e:
            return 0, str(e)

    def test_dependencies_restart_during_traffic(self):
        dep = Deployment(workers=2)
        traffic = subprocess.Popen(
            [BINARY, "traffic", "--url", dep.url, "--users", "4", "--duration", "600",
             "--think-min", "0.05", "--think-max", "0.2", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        accepted = []
        try:
            time.sleep(2)
            for svc in ("rabbitmq", "redis", "postgres"):
                services("down", svc)
                status, body = self.ready(dep.url)
                self.assertEqual(status, 503, f"{svc} down: /health/ready said {status} {body}")
                self.assertIsInstance(body, dict)
                status, body = request("POST", dep.url + "/inference/start", user_data())
                if status == 200:  # accepted while down: it must still complete later
                    accepted.append((f"accepted while {svc} was down", body["task_id"]))
                else:
                    self.assertEqual(status, 503, f"{svc} down: start said {status} {body}")
                    self.assertIn("detail", body)
                services("up", svc)
                back = time.time()
                while self.ready(dep.url)[0] != 200:
                    self.assertLess(time.time() - back, 10, f"not ready 10 s after {svc} came back")
                    time.sleep(0.2)
                task_id = start_inference(dep.url)
                accepted.append((f"started after {svc} came back", task_id))
                wait_success(dep.url, task_id, timeout=30)
            for phase, task_id in accepted:
                try:
                    wait_success(dep.url, task_id, timeout=60)
                except AssertionError as e:
                    lines = [ln for ln in dep.logs(tail=10**9).splitlines() if task_id in ln]
                    raise AssertionError(f"{e} ({phase})\nlog lines of the task:\n" +
                                         "\n".join(lines))
        finally:
            traffic.send_signal(signal.SIGINT)
            try:
                traffic.wait(timeout=30)
            except subprocess.TimeoutExpired:
                traffic.kill()
            traffic.stdout.close()
            logs = dep.logs()
            codes = dep.close()
        self.assertEqual(codes, [0, 0, 0], logs)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class TrainingLane(unittest.TestCase):
    def test_queued_trainings_leave_the_inference_threads_free(self):
        # Issue 16: ten queued trainings held every worker thread and an inference waited for
        # them (8.9 s instead of 27 ms). One worker, 2 inference threads, 1 training thread.
        dep = Deployment(workers=1)
        try:
            for i in range(20):  # shown and picked results, so the trainings really train
                task_id = start_inference(dep.url, budget=300 + 40 * i)
                wait_success(dep.url, task_id)
                _, shown = request("GET", f"{dep.url}/inference/results/{task_id}?limit=10")
                request("PUT", dep.url + "/inference/select/",
                        {"task_id": task_id, "location_id": shown[i % 10]["location_id"]})
            app = celery_app(dep.queue)
            trainings = [app.send_task("mlprod.worker.tasks.train.training", queue=dep.queue)
                         for _ in range(10)]
            started = time.time()
            wait_success(dep.url, start_inference(dep.url), timeout=60)
            took = time.time() - started
            unfinished = sum(1 for t in trainings if t.state not in ("SUCCESS", "FAILURE"))
            print(f"\ninference with 10 trainings queued: {took * 1000:.0f} ms, {unfinished} "
                  "trainings still unfinished", file=sys.stderr)
            # Without the lane the inference ran only after nine trainings had started.
            self.assertGreaterEqual(unfinished, 5)
            for t in trainings:  # one at a time on the lane; leave the deployment idle
                t.get(timeout=600, propagate=False)
            self.assertTrue(all(t.ready() for t in trainings), [t.state for t in trainings])
            print("training outcomes:", sorted({f"{t.state} {t.result}"[:160] for t in trainings}),
                  file=sys.stderr)
        finally:
            logs = dep.logs()
            codes = dep.close()
        self.assertEqual(codes, [0, 0], logs)


if __name__ == "__main__":
    unittest.main(verbosity=2)
