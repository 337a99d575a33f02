"""Helpers for black-box tests of the distributed mode: `mlprod api` and `mlprod worker`
processes on the real PostgreSQL, RabbitMQ and Redis that scripts/services.sh started
(MLPROD_TEST_DATABASE_URL, MLPROD_TEST_AMQP_URL, MLPROD_TEST_REDIS_URL). Each deployment gets
its own database, queue name and Redis db so tests do not see each other's data."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid

from mlprod_client import BINARY, SOURCE_DIR, Server, free_port, request

DB_URL = os.environ.get("MLPROD_TEST_DATABASE_URL", "")
AMQP_URL = os.environ.get("MLPROD_TEST_AMQP_URL", "")
REDIS_URL = os.environ.get("MLPROD_TEST_REDIS_URL", "")
AVAILABLE = bool(DB_URL and AMQP_URL and REDIS_URL)
SKIP_REASON = "MLPROD_TEST_DATABASE_URL/AMQP_URL/REDIS_URL unset: run scripts/services.sh start"


def psql(url, sql):
    """Runs `sql`; returns what it printed (unaligned, tuples only), stripped."""
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True,
                          capture_output=True, timeout=60, text=True).stdout.strip()


def fresh_database():
    """A new empty PostgreSQL database next to the test one; returns its URL."""
    name = "mlprod_" + uuid.uuid4().hex[:12]
    psql(DB_URL, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(DB_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def services(*args):
    subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "services.sh"), *args],
                   check=True, timeout=180)


class Deployment:
    """An API and N workers sharing one database (a fresh one unless given), queue and data dir."""

    def __init__(self, workers=2, queue=None, start_api=True, worker_args=(), database_url=None,
                 api_args=()):
        self.data_dir = tempfile.mkdtemp(prefix="mlprod_dist_")
        self.queue = queue or "q_" + uuid.uuid4().hex[:10]
        self.redis_url = REDIS_URL
        self.env = {"DATABASE_URL": database_url or fresh_database(), "CELERY_BROKER_URL": AMQP_URL,
                    "CELERY_BACKEND_URL": REDIS_URL, "CELERY_QUEUE": self.queue}
        self.workers = []
        self.worker_args = list(worker_args)
        self.api = None
        try:
            if start_api:
                self.api = Server(data_dir=self.data_dir, env=self.env, command="api",
                                  extra_args=api_args)
                self.url = self.api.url
            for _ in range(workers):
                self.start_worker()
        except BaseException:
            self.close()  # a half-started deployment leaves no process or folder behind
            raise

    def start_worker(self, concurrency=2):
        return self.wait_worker_ready(self.spawn_worker(concurrency))

    def spawn_worker(self, concurrency=2):
        """Starts a worker process without waiting for it to serve its metrics."""
        port = free_port()
        log = open(os.path.join(self.data_dir, f"worker-{port}.log"), "ab")
        env = dict(os.environ)
        env.update(self.env)
        proc = subprocess.Popen(
            [BINARY, "worker", "--data-dir", self.data_dir, "--concurrency", str(concurrency),
             "--metrics-host", "127.0.0.1", "--metrics-port", str(port)] + self.worker_args,
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.data_dir)
        proc.metrics_url = f"http://127.0.0.1:{port}/metrics"
        proc.log = log
        self.workers.append(proc)
        return proc

    def wait_worker_ready(self, proc, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited with {proc.returncode}:\n{self.logs()}")
            try:
                if request("GET", proc.metrics_url, timeout=1)[0] == 200:
                    return proc
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("worker did not start:\n" + self.logs())

    def logs(self, tail=20000):
        out = []
        for name in sorted(os.listdir(self.data_dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.data_dir, name), "rb") as f:
                    out.append(f"--- {name}\n" + f.read().decode(errors="replace")[-tail:])
        return "\n".join(out)

    def close(self):
        codes = []
        for w in self.workers:
            if w.poll() is None:
                w.terminate()
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait()
            codes.append(w.returncode)
            w.log.close()
        if self.api:
            codes.append(self.api.stop())
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return codes


def celery_app(queue):
    """Real Celery (celery_peer.py) on the services' broker and result backend, sending to
    `queue` by default."""
    os.environ.update(PEER_BROKER_URL=AMQP_URL, PEER_BACKEND_URL=REDIS_URL, PEER_QUEUE=queue)
    import celery_peer  # noqa: E402  (reads the environment at import)
    celery_peer.app.conf.task_default_queue = queue
    return celery_peer.app


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class DeploymentTestCase(unittest.TestCase):
    """One Deployment (the API and WORKERS workers) for the whole class, at cls.dep and cls.url;
    every process must exit 0 on SIGTERM at the end."""

    WORKERS = 2

    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment(workers=cls.WORKERS)
        cls.url = cls.dep.url

    @classmethod
    def tearDownClass(cls):
        logs = cls.dep.logs()
        codes = cls.dep.close()
        if any(codes):
            raise AssertionError(f"processes exited {codes} on SIGTERM:\n{logs}")
