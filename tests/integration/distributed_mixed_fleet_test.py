"""Black-box tests of mixed fleets (issue 15 item 5) on real PostgreSQL, RabbitMQ and Redis:
`mlprod api --task-names` with real Celery workers that register the reference's task names
(reference_peer.py), a fleet moved one process at a time from the reference's 2022 workers to
mlprod workers and back, and the reference's task names of both layouts run by `mlprod worker`."""
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
from distributed import AMQP_URL, AVAILABLE, REDIS_URL, SKIP_REASON, Deployment, psql  # noqa: E402
from mlprod_client import BINARY, Server, request, user_data  # noqa: E402

PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


class ReferencePeer:
    """A real Celery worker (reference_peer.py) with one layout's task names on `queue`."""

    def __init__(self, layout, queue):
        fd, self.record = tempfile.mkstemp(prefix="reference_peer_", suffix=".jsonl")
        os.close(fd)
        fd, self.log_path = tempfile.mkstemp(prefix="reference_peer_", suffix=".log")
        os.close(fd)
        self.ready = self.record + ".ready"
        env = dict(os.environ, PEER_BROKER_URL=AMQP_URL, PEER_BACKEND_URL=REDIS_URL,
                   PEER_QUEUE=queue, PEER_RECORD=self.record, PEER_READY=self.ready,
                   PEER_LAYOUT=layout, PYTHONPATH=HERE)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "reference_peer", "worker", "-Q", queue,
             "--pool", "solo", "-l", "info", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the Celery worker did not start:\n" + self.logs())
            time.sleep(0.2)

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def received(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        for path in (self.record, self.log_path, self.ready):
            if os.path.exists(path):
                os.remove(path)


def start_inference(url):
    status, task = request("POST", url + "/inference/start", user_data())
    assert status == 200, (status, task)
    return task["task_id"]


def wait_status(url, kind, task_id, want="SUCCESS", timeout=60):
    deadline = time.time() + timeout
    body = None
    while time.time() < deadline:
        status, body = request("GET", f"{url}/{kind}/status/{task_id}?wait=5")
        if status == 200 and body["status"] == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"{kind} {task_id} not {want} after {timeout} s: {body}")


def restart_api(dep, *args):
    """Replaces the deployment's API by one with `args`, as an operator's restart would."""
    code = dep.api.stop()
    assert code == 0, f"the API exited {code} on SIGTERM:\n{dep.api.logs()}"
    dep.api = Server(data_dir=dep.data_dir, env=dep.env, command="api", extra_args=args)
    dep.url = dep.api.url


def row_statuses(dep, ids):
    """The distinct `inferences.status` values of the tasks `ids`."""
    listed = ",".join(f"'{i}'" for i in ids)
    out = psql(dep.env["DATABASE_URL"],
               f"SELECT DISTINCT status FROM inferences WHERE task_id IN ({listed})")
    return set(out.split())


def wait_until(check, timeout=30):
    deadline = time.time() + timeout
    while not check():
        if time.time() > deadline:
            return False
        time.sleep(0.1)
    return True


def has_rows(url, task_id):
    status, rows = request("GET", f"{url}/inference/results/{task_id}?limit=1")
    assert status == 200, (status, rows)
    return bool(rows)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class MixedFleet(unittest.TestCase):
    def test_reference_2022_worker_runs_both_tasks_of_an_api_with_its_names(self):
        dep = Deployment(workers=0, api_args=["--task-names", "reference-2022"])
        peer = ReferencePeer("2022", dep.queue)
        try:
            task_id = start_inference(dep.url)
            wait_status(dep.url, "inference", task_id)
            _, users = request("GET", f"{dep.url}/content/users?limit=1000")
            status, train = request("POST", dep.url + "/train/start")
            self.assertEqual(status, 200, train)
            wait_status(dep.url, "train", train["task_id"])
            self.assertEqual(peer.received(), [
                {"task": "worker.tasks.inference.inference", "id": task_id,
                 "args": [users[-1]["user_id"]]},
                {"task": "worker.tasks.train.training", "id": train["task_id"], "args": []}])
            self.assertNotIn("unregistered", peer.logs())
            self.assertIn("task names reference-2022 (worker.tasks.inference.inference)",
                          dep.api.logs())
        finally:
            peer.stop()
            self.assertEqual(dep.close(), [0])

    def test_default_names_are_unregistered_on_a_reference_2022_worker(self):
        # Why the setting exists: without it the 2022 workers drop what mlprod publishes.
        dep = Deployment(workers=0)
        peer = ReferencePeer("2022", dep.queue)
        try:
            task_id = start_inference(dep.url)
            deadline = time.time() + 30
            rejected = "unregistered task of type 'mlprod.worker.tasks.inference.inference'"
            while rejected not in peer.logs() and time.time() < deadline:
                time.sleep(0.2)
            self.assertIn(rejected, peer.logs())
            self.assertEqual(peer.received(), [])
            # Celery stores FAILURE (NotRegistered) for it: the API answers "Task failed".
            status, body = request("GET", f"{dep.url}/inference/status/{task_id}?wait=5")
            self.assertEqual((status, body.get("detail")), (500, "Task failed"), body)
        finally:
            peer.stop()
            self.assertEqual(dep.close(), [0])

    def test_fleet_moves_one_process_at_a_time_to_mlprod_workers_and_back(self):
        # docs/deployment.md, "Mixed fleets": every step leaves a fleet that runs every task.
        # The sweepers of the mlprod workers stay on: a reference worker leaves its rows PENDING,
        # and what records them (the API's status answer, else the sweeper) must not run them
        # twice.
        dep = Deployment(workers=0, api_args=["--task-names", "reference-2022"],
                         worker_args=["--task-names", "reference-2022", "--sweep-after", "5"])
        peers = [ReferencePeer("2022", dep.queue)]
        try:
            def step(n=6):
                ids = [start_inference(dep.url) for _ in range(n)]
                for task_id in ids:
                    wait_status(dep.url, "inference", task_id)
                by_peer = {r["id"] for p in peers for r in p.received()} & set(ids)
                by_mlprod = {t for t in ids if has_rows(dep.url, t)}
                self.assertEqual(by_peer | by_mlprod, set(ids))
                self.assertEqual(by_peer & by_mlprod, set())
                # The status answers recorded the reference's SUCCESS (queued behind them).
                self.assertTrue(wait_until(lambda: row_statuses(dep, ids) == {"SUCCESS"}),
                                row_statuses(dep, ids))
                return len(by_peer), len(by_mlprod)

            self.assertEqual(step(), (6, 0))  # the reference's 2022 workers, mlprod's API
            # Inferences nobody asks about: the reference worker runs them, their rows stay
            # PENDING until the first mlprod worker's sweeper finds them finished in the result
            # backend, and records that instead of publishing them again.
            unpolled = [start_inference(dep.url) for _ in range(3)]
            self.assertTrue(wait_until(
                lambda: set(unpolled) <= {r["id"] for r in peers[0].received()}))
            self.assertEqual(row_statuses(dep, unpolled), {"PENDING"})
            dep.start_worker()
            self.assertTrue(wait_until(lambda: row_statuses(dep, unpolled) == {"SUCCESS"}),
                            dep.logs())
            self.assertIn("finished in the result backend: state recorded", dep.logs())
            ran = [r["id"] for r in peers[0].received()]
            self.assertEqual([ran.count(t) for t in unpolled], [1, 1, 1])
            self.assertFalse(any(has_rows(dep.url, t) for t in unpolled))
            peer_n, mlprod_n = step(12)  # both kinds consume the queue
            self.assertGreater(peer_n, 0)
            self.assertGreater(mlprod_n, 0)
            peers.pop().stop()
            self.assertEqual(step(), (0, 6))
            restart_api(dep)  # moved: mlprod names from here on
            self.assertEqual(step(), (0, 6))
            # And back: the API's names first, then the reference's workers, then ours leave.
            restart_api(dep, "--task-names", "reference-2022")
            self.assertEqual(step(), (0, 6))
            peers.append(ReferencePeer("2022", dep.queue))
            peer_n, mlprod_n = step(12)
            self.assertGreater(peer_n, 0)
            self.assertGreater(mlprod_n, 0)
            dep.workers[0].send_signal(signal.SIGTERM)
            self.assertEqual(dep.workers[0].wait(timeout=30), 0)
            self.assertEqual(step(), (6, 0))
            self.assertNotIn("unregistered", peers[0].logs())
        finally:
            for p in peers:
                p.stop()
            logs = dep.logs()
            codes = dep.close()
        self.assertEqual(codes, [0, 0], logs)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class ReferenceNamesOnMlprodWorkers(unittest.TestCase):
    def test_training_names_of_both_layouts_run_on_an_mlprod_worker(self):
        # The inference names of both layouts: distributed_test.py. A name a worker does not
        # know gets no result at all; these get a model row the worker moved past pending.
        dep = Deployment(workers=1)
        os.environ.update(PEER_BROKER_URL=AMQP_URL, PEER_BACKEND_URL=REDIS_URL,
                          PEER_QUEUE=dep.queue, PEER_RECORD=os.devnull)
        import reference_peer  # noqa: E402  (reads the environment at import)
        try:
            for name in ("worker.tasks.train.training", "mlprod.worker.tasks.train.training"):
                task_id = str(uuid.uuid4())
                r = reference_peer.app.send_task(name, task_id=task_id, queue=dep.queue)
                r.get(timeout=300, propagate=False)
                self.assertIn(r.state, ("SUCCESS", "FAILURE"), name)
                status, model = request("GET", f"{dep.url}/models/{task_id}")
                self.assertEqual(status, 200, (name, model))
                self.assertNotIn(model["status"], ("pending", "training"), (name, model))
                self.assertEqual(model["registered_reason"], "training task received")
        finally:
            logs = dep.logs()
            codes = dep.close()
        self.assertEqual(codes, [0, 0], logs)


class StartupErrors(unittest.TestCase):
    """An unknown preset stops every publishing process before it connects to anything."""

    def run_mlprod(self, *args, env=None):
        with tempfile.TemporaryDirectory() as cwd:  # no .env there
            return subprocess.run([BINARY, *args, "--data-dir", cwd], cwd=cwd, timeout=60,
                                  env=dict(os.environ, **(env or {})), capture_output=True,
                                  text=True)

    def test_unknown_flag_value_is_a_usage_error_naming_the_presets(self):
        for command in ("serve", "api", "worker"):
            done = self.run_mlprod(command, "--task-names", "2022")
            self.assertEqual(done.returncode, 2, (command, done.stderr))
            self.assertIn("--task-names", done.stderr)
            self.assertIn("unknown task names '2022': use one of mlprod, reference, "
                          "reference-2022", done.stderr)

    def test_unknown_variable_value_stops_the_process_naming_the_variable(self):
        for command in ("serve", "api", "worker"):
            done = self.run_mlprod(command, env={"MLPROD_TASK_NAMES": "worker.tasks"})
            self.assertEqual(done.returncode, 1, (command, done.stderr))
            self.assertIn("MLPROD_TASK_NAMES: unknown task names 'worker.tasks'", done.stderr)

    def test_help_of_every_publishing_command_documents_the_flag(self):
        for command in ("serve", "api", "worker"):
            done = subprocess.run([BINARY, command, "--help"], capture_output=True, text=True,
                                  timeout=60)
            self.assertEqual(done.returncode, 0)
            self.assertIn("--task-names", done.stdout)
            self.assertIn("reference-2022", done.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
