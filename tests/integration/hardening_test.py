"""Black-box: the items of issue 16 that tests/integration/http_hardening_test.py (raw HTTP) does
not cover, against the built binaries and, for the distributed cases, the real PostgreSQL,
RabbitMQ and Redis of scripts/services.sh:

- item 5: concurrent answers to one task (one wins), repeated answers counted once;
- items 6 and 7: a model without a folder cannot take traffic, and a second /train/start while
  one runs answers with the running one; distributed, a kept database whose model folders are
  gone (the data dir recreated) serves again;
- item 7: far-future `eta` messages beyond the prefetch window do not stop the queue;
- item 8: a database that refuses writes gives a short 503 detail (the dependency's own error
  only in the log) and makes /health/ready unavailable;
- item 9: a PostgreSQL multi-host URL, a Redis ACL user, `amqps://` (refused, not downgraded to
  plain AMQP), IPv6 literals, AMQP heartbeats on by default, a user id of 2^63.

Like the raw-socket file it runs against any binary (MLPROD_BINARY), so it shows which of these
an older build failed (docs/security.md, "Regression tests")."""
import datetime
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from distributed import (AMQP_URL, AVAILABLE, DB_URL, REDIS_URL, SKIP_REASON,  # noqa: E402
                         Deployment, DeploymentTestCase, celery_app, fresh_database, psql)
from mlprod_client import (Server, ServeTestCase, free_port, request, user_data,  # noqa: E402
                           wait_task)


def start_and_wait(url):
    status, task = request("POST", url + "/inference/start", user_data())
    assert status == 200, (status, task)
    status, done = wait_task(url, "inference", task["task_id"], timeout=30)
    assert done["status"] == "SUCCESS", done
    return task["task_id"]


def counter(url, name, labels):
    """The sum of the /metrics samples of `name` whose labels include `labels`."""
    status, text = request("GET", url + "/metrics")
    assert status == 200
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Feedback(ServeTestCase):
    def test_concurrent_answers_one_wins_and_repeats_count_once(self):
        task_id = start_and_wait(self.url)
        _, shown = request("GET", f"{self.url}/inference/results/{task_id}?limit=10")
        good_before = counter(self.url, "api_inference_feedback_total", {"outcome": "good"})
        answers = [r["location_id"] for r in shown] * 2
        statuses = [None] * len(answers)

        def answer(i):
            statuses[i] = request("PUT", self.url + "/inference/select/",
                                  {"task_id": task_id, "location_id": answers[i]})[0]

        threads = [threading.Thread(target=answer, args=(i,)) for i in range(len(answers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _, rows = request("GET", f"{self.url}/content/results?task_id={task_id}&limit=1000")
        picked = [r["location_id"] for r in rows if r["label"] == 1]
        self.assertEqual(len(picked), 1, f"labelled rows {picked}, answers {statuses}")
        # The winner's own answer may arrive twice (200 both times); every other one is 409.
        self.assertEqual(sorted(set(statuses)), [200, 409], statuses)
        self.assertEqual(statuses.count(200), answers.count(picked[0]), statuses)
        for _ in range(20):
            status, _ = request("PUT", self.url + "/inference/select/",
                                {"task_id": task_id, "location_id": picked[0]})
            self.assertEqual(status, 200)
        good_after = counter(self.url, "api_inference_feedback_total", {"outcome": "good"})
        self.assertEqual(good_after - good_before, 1, "one task, one good inference")


class Training(ServeTestCase):
    def test_a_model_without_folder_takes_no_traffic_and_a_second_start_joins_the_first(self):
        status, first = request("POST", self.url + "/train/start")
        self.assertEqual(status, 200, first)
        status, second = request("POST", self.url + "/train/start")
        self.assertEqual(status, 200, second)
        self.assertEqual(second["task_id"], first["task_id"], "a second training was queued")
        # While it runs the model row has no folder: traffic for it would fail every inference.
        status, body = request("PUT", f"{self.url}/models/{first['task_id']}",
                               {"use_percentage": 0.5})
        after = request("GET", f"{self.url}/train/status/{first['task_id']}")[1]
        if after.get("status") not in ("SUCCESS", "FAILURE"):  # so it was running at the PUT
            self.assertEqual(status, 409, body)
        _, done = wait_task(self.url, "train", first["task_id"])
        self.assertIn(done["status"], ("SUCCESS", "FAILURE"), done)  # few labels: may fail
        start_and_wait(self.url)  # whatever the training did, inference still runs


class DistributedTasks(DeploymentTestCase):
    def celery(self):
        return celery_app(self.dep.queue)

    def test_far_future_eta_tasks_do_not_stop_the_queue(self):
        # Two workers × two threads, Celery's prefetch of 4 per thread: 40 held tasks are more
        # than every prefetch window together.
        app = self.celery()
        eta = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        for _ in range(40):
            app.send_task("mlprod.worker.tasks.inference.inference", args=[1], eta=eta,
                          queue=self.dep.queue)
        time.sleep(1)
        started = time.time()
        start_and_wait(self.url)
        self.assertLess(time.time() - started, 30)

    def test_a_user_id_of_2_to_the_63_is_refused(self):
        app = self.celery()
        r = app.send_task("mlprod.worker.tasks.inference.inference", args=[2**63],
                          queue=self.dep.queue)
        with self.assertRaises(Exception) as caught:
            r.get(timeout=20)
        self.assertEqual(r.state, "FAILURE")
        self.assertIn("out of range", str(caught.exception))
        self.assertNotIn("-9223372036854775808", str(caught.exception))


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class DataDirRecreated(unittest.TestCase):
    def test_a_database_whose_model_folders_are_gone_serves_again(self):
        # Item 6: the data dir recreated under a database that names model folders in it. The
        # API must not accept tasks no worker can run: it repairs the baseline or is not ready.
        db_url = fresh_database()
        first = Deployment(workers=1, database_url=db_url)
        try:
            start_and_wait(first.url)
        finally:
            first.close()  # removes its data dir, models and all
        second = Deployment(workers=1, database_url=db_url)
        try:
            status, ready = request("GET", second.url + "/health/ready")
            if status == 200:
                start_and_wait(second.url)
            else:
                self.assertIn("model", json.dumps(ready))
        finally:
            second.close()


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class DatabaseRefusesWrites(unittest.TestCase):
    def test_short_503_detail_and_not_ready(self):
        db_url = fresh_database()
        name = urllib.parse.urlsplit(db_url).path.lstrip("/")
        dep = Deployment(workers=1, database_url=db_url)
        try:
            start_and_wait(dep.url)
            self.assertEqual(request("GET", dep.url + "/health/ready")[0], 200)
            psql(DB_URL, f"ALTER DATABASE {name} SET default_transaction_read_only = on")
            psql(DB_URL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{name}'")
            answers = [request("POST", dep.url + "/inference/start", user_data())
                       for _ in range(3)]
            refused = [body for status, body in answers if status == 503]
            self.assertTrue(refused, answers)
            for body in refused:
                detail = body["detail"]
                for raw in ("read-only transaction", "ERROR", "127.0.0.1", "port", "soci"):
                    self.assertNotIn(raw, detail, detail)
            status, ready = request("GET", dep.url + "/health/ready")
            self.assertEqual(status, 503, ready)
            self.assertIn("read-only", json.dumps(ready))
            self.assertIn("read-only transaction", dep.logs())  # the raw error goes to the log
        finally:
            psql(DB_URL, f"ALTER DATABASE {name} RESET default_transaction_read_only")
            psql(DB_URL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{name}'")
            dep.close()


def run_api(env, timeout=40):
    """`mlprod api` with `env` over the services' URLs: (Server, None) once it serves, or
    (None, its output) when it exits first."""
    full = {"DATABASE_URL": fresh_database(), "CELERY_BROKER_URL": AMQP_URL,
            "CELERY_BACKEND_URL": REDIS_URL, "CELERY_QUEUE": "q_" + uuid.uuid4().hex[:10]}
    full.update(env)
    try:
        return Server(env=full, command="api", extra_args=("--startup-timeout", "3")), None
    except RuntimeError as e:
        return None, str(e)


class AmqpTuneSpy:
    """A TCP relay in front of RabbitMQ that reads the heartbeat a client asks for in its
    Connection.Tune-Ok (AMQP 0-9-1: frame type 1, class 10, method 31)."""

    def __init__(self, target):
        self.target = target
        self.heartbeat = None
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self.pump, args=(server, client, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(client, server, True), daemon=True).start()

    def pump(self, src, dst, from_client):
        seen = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client and self.heartbeat is None and len(seen) < 4096:
                    seen += data
                    self.parse(seen)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def parse(self, stream):
        pos = 8 if stream.startswith(b"AMQP") else 0
        while pos + 7 <= len(stream):
            kind, _, size = struct.unpack(">BHI", stream[pos:pos + 7])
            payload = stream[pos + 7:pos + 7 + size]
            if len(payload) < size:
                return
            if kind == 1 and payload[:4] == struct.pack(">HH", 10, 31):
                self.heartbeat = struct.unpack(">H", payload[10:12])[0]
                return
            pos += 7 + size + 1

    def close(self):
        self.listener.close()


def with_netloc(url, netloc):
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(netloc=netloc))


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class ConnectionSettings(unittest.TestCase):
    def serves(self, env):
        server, failure = run_api(env)
        self.assertIsNotNone(server, failure)
        try:
            status, ready = request("GET", server.url + "/health/ready")
            self.assertEqual(status, 200, ready)
            status, task = request("POST", server.url + "/inference/start", user_data())
            self.assertEqual(status, 200, task)  # row written, task published
        finally:
            server.stop()
            server.cleanup()

    def test_postgres_multi_host_url_with_a_port_per_host(self):
        # libpq's order: the first host that answers. Either order must reach the server.
        parts = urllib.parse.urlsplit(fresh_database())
        good, closed = f"{parts.hostname}:{parts.port}", f"127.0.0.1:{free_port()}"
        for hosts in (f"{good},{closed}", f"{closed},{good}"):
            with self.subTest(hosts=hosts):
                netloc = f"{parts.username}:{parts.password}@{hosts}"
                self.serves({"DATABASE_URL": urllib.parse.urlunsplit(parts._replace(netloc=netloc))})

    def test_redis_acl_user_authenticates_with_its_name(self):
        user = "bb_" + uuid.uuid4().hex[:8]
        parts = urllib.parse.urlsplit(REDIS_URL)
        cli = ["redis-cli", "-h", parts.hostname, "-p", str(parts.port)]
        subprocess.run(cli + ["ACL", "SETUSER", user, "on", ">pw-" + user, "~*", "&*", "+@all"],
                       check=True, capture_output=True, timeout=10)
        try:
            self.serves({"CELERY_BACKEND_URL": with_netloc(
                REDIS_URL, f"{user}:pw-{user}@{parts.hostname}:{parts.port}")})
        finally:
            subprocess.run(cli + ["ACL", "DELUSER", user], capture_output=True, timeout=10)

    def test_amqps_is_refused_not_downgraded(self):
        # The plain AMQP port under an amqps:// URL: a client without TLS must not talk to it.
        server, failure = run_api({"CELERY_BROKER_URL": AMQP_URL.replace("amqp://", "amqps://")})
        if server:
            server.stop()
            server.cleanup()
            self.fail("mlprod api served with amqps:// over a plain connection")
        self.assertRegex(failure, r"(?i)amqps|tls")

    def test_ipv6_literals_are_hosts_not_parse_errors(self):
        # Without a port the last ':' is inside the brackets; with one, both must work.
        port = free_port()
        for env in ({"CELERY_BROKER_URL": "amqp://nobody:wrong@[::1]/"},
                    {"CELERY_BROKER_URL": f"amqp://nobody:wrong@[::1]:{port}/"},
                    {"DATABASE_URL": "postgresql://nobody:wrong@[::1]/db"},
                    {"DATABASE_URL": f"postgresql://nobody:wrong@[::1]:{port}/db"},
                    {"CELERY_BACKEND_URL": "redis://:wrong@[::1]/0"},
                    {"CELERY_BACKEND_URL": f"redis://[::1]:{port}/0"}):
            with self.subTest(env=env):
                server, failure = run_api(env)
                if server:
                    server.stop()
                    server.cleanup()
                    self.fail("nothing listens there")
                self.assertNotRegex(failure, r"(?i)bad port|invalid (port|url)|malformed")
                self.assertRegex(failure, r"::1")

    def test_amqp_heartbeat_is_on_by_default(self):
        parts = urllib.parse.urlsplit(AMQP_URL)
        spy = AmqpTuneSpy((parts.hostname, parts.port))
        try:
            netloc = f"{parts.username}:{parts.password}@127.0.0.1:{spy.port}"
            dep = Deployment(workers=0)
            dep.env["CELERY_BROKER_URL"] = with_netloc(AMQP_URL, netloc)
            worker = dep.start_worker()
            try:
                deadline = time.time() + 10
                while spy.heartbeat is None and time.time() < deadline:
                    time.sleep(0.1)
                self.assertIsNotNone(spy.heartbeat, "no Tune-Ok seen")
                self.assertEqual(spy.heartbeat, 60)
                self.assertIsNone(worker.poll())
            finally:
                dep.close()
        finally:
            spy.close()


if __name__ == "__main__":
    unittest.main()
