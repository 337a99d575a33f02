"""Live test of the shipped monitoring configuration (issue 5): a real Prometheus (Debian
package) on loopback, configured from config/prometheus.yml with the unchanged
config/alerts.yml, scrapes a real `mlprod api` and two `mlprod worker`s on the PostgreSQL,
RabbitMQ and Redis of scripts/services.sh while `mlprod traffic` sends users of the profiles the
model was trained on (the drift alert must stay quiet), then the noisy, drifting profile. The
test provokes task failures (inference tasks for users that do not exist, published through the
broker like any Celery client would, with the inference row the API would have written), 5xx
answers (clients reading those failed tasks' status: 500 "Task failed") and a rejected message
(an unknown task name), then requires:
  - Prometheus to report MlprodHighErrorRate, MlprodTaskFailures and MlprodInputDrift firing,
    and MlprodTargetDown, MlprodNoWorkers and MlprodNoActiveModel not;
  - every alert rule loaded with health "ok", and its expression to evaluate without error;
  - every PromQL expression of grafana/dashboards/mlprod.json (Grafana variables expanded) to
    answer without error and with data, instant and over the test's time range;
  - every PostgreSQL query of the dashboard (Grafana macros expanded) to run on the deployment's
    database and return rows;
  - the same of every panel query of the reference project's dashboards
    (reference_dashboard.py), the one that fails on mlprod on purpose with exactly its error.
Runs about two minutes; everything it starts is bounded in time and killed on failure."""
import copy
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dashboard as dash  # noqa: E402
import reference_dashboard as reference  # noqa: E402
from live_queries import promql_problems, run_sql, sql_problems  # noqa: E402
from distributed import (AMQP_URL, AVAILABLE, REDIS_URL, SKIP_REASON, Deployment,  # noqa: E402
                         psql)
from mlprod_client import BINARY, SOURCE_DIR, free_port, request  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
NORMAL_PROFILES = os.path.join(SOURCE_DIR, "config", "user.tsv")
NOISY_PROFILES = os.path.join(SOURCE_DIR, "config", "user_noise.tsv")
DRIFT_FEATURES = ("budget", "people_num", "children_num", "age_min", "age_max", "age_std")
PROVOKED = ("MlprodHighErrorRate", "MlprodTaskFailures", "MlprodInputDrift")
MUST_STAY_QUIET = ("MlprodTargetDown", "MlprodNoWorkers", "MlprodNoActiveModel")
ALERT_DEADLINE_S = 300  # the longest `for:` of the provoked alerts is 1m
MISSING_USER = 987650000


def test_prometheus_config(shipped, targets, rules_file):
    """The shipped config with loopback targets and 1 s intervals; the rules file unchanged."""
    cfg = copy.deepcopy(shipped)
    cfg["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    cfg["rule_files"] = [rules_file]
    jobs = [job["job_name"] for job in cfg["scrape_configs"]]
    assert sorted(jobs) == sorted(targets), f"jobs of config/prometheus.yml: {jobs}"
    for job in cfg["scrape_configs"]:
        for key in [k for k in job if k.endswith("_sd_configs") or k == "static_configs"]:
            del job[key]
        job["static_configs"] = [{"targets": targets[job["job_name"]]}]
    return cfg


class PrometheusServer:
    def __init__(self, config, workdir, port):
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = os.path.join(workdir, "prometheus.yml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
        check = subprocess.run([PROMTOOL, "check", "config", self.config_path],
                               capture_output=True, text=True, timeout=60)
        if check.returncode != 0:
            raise RuntimeError("promtool rejects the test config:\n" + check.stdout + check.stderr)
        self.log_path = os.path.join(workdir, "prometheus.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.config_path}",
             f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn",
             "--storage.tsdb.retention.time=1d"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited {self.proc.returncode}:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("prometheus did not become ready:\n" + self.logs())

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-5000:]

    def api(self, path, **params):
        """GET (no params) or form POST to /api/v1/<path>; returns the parsed answer, errors
        included (Prometheus answers 400/422 with a JSON error body)."""
        data = urllib.parse.urlencode(params).encode() if params else None
        req = urllib.request.Request(self.url + "/api/v1/" + path, data=data)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            try:
                return json.load(e)
            except ValueError:
                return {"status": "error", "error": f"HTTP {e.code}"}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Provoker(threading.Thread):
    """Runs `step` every `period` seconds until stopped; remembers the first exception."""

    def __init__(self, name, period, step):
        super().__init__(name=name, daemon=True)
        self.period, self.step = period, step
        self.stop_event = threading.Event()
        self.error = None
        self.count = 0

    def run(self):
        while not self.stop_event.is_set():
            try:
                self.step()
                self.count += 1
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.error = self.error or e
            self.stop_event.wait(self.period)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


def celery_app(queue):
    os.environ.update(PEER_BROKER_URL=AMQP_URL, PEER_BACKEND_URL=REDIS_URL, PEER_QUEUE=queue)
    import celery_peer  # noqa: E402  (reads the environment at import)
    celery_peer.app.conf.task_default_queue = queue
    return celery_peer.app


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class Monitoring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in (PROMETHEUS, PROMTOOL):
            if not os.access(tool, os.X_OK):
                raise RuntimeError(f"{tool} missing: install the Debian prometheus package "
                                   "(scripts/install-test-deps.sh)")
        cls.t0 = datetime.datetime.now(datetime.timezone.utc)
        cls.workdir = tempfile.mkdtemp(prefix="mlprod_monitoring_")
        cls.dep = cls.prom = cls.traffic = cls.traffic_log = cls.celery = None
        cls.provokers = []
        try:
            cls._start()
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def _start(cls):
        cls.dep = Deployment(workers=2)
        with open(dash.PROMETHEUS_YML) as f:
            shipped = yaml.safe_load(f)
        api = urllib.parse.urlsplit(cls.dep.url).netloc
        workers = [urllib.parse.urlsplit(w.metrics_url).netloc for w in cls.dep.workers]
        prom_port = free_port()
        targets = {"api": [api], "worker": workers, "prometheus": [f"127.0.0.1:{prom_port}"]}
        cfg = test_prometheus_config(shipped, targets, dash.ALERTS_YML)
        cls.prom = PrometheusServer(cfg, cls.workdir, prom_port)
        cls.expected_targets = len(workers) + 1

        cls.traffic_log = open(os.path.join(cls.workdir, "traffic.log"), "ab")
        cls.start_traffic(NORMAL_PROFILES)

        app = cls.celery = celery_app(cls.dep.queue)
        # One message no worker knows: worker_messages_rejected_total{reason=...} gets a series.
        app.send_task("no.such.task", args=[1], queue=cls.dep.queue)
        cls.failed_ids = []

        db = cls.dep.env["DATABASE_URL"]

        def fail_a_task():
            # The inference row the API writes at /inference/start (so that the API knows the
            # task), then the task itself for a user id that does not exist: the worker records
            # FAILURE, and clients reading its status get 500 "Task failed".
            task_id = str(uuid.uuid4())
            psql(db, f"INSERT INTO inferences (task_id, status) VALUES ('{task_id}', 'PENDING')")
            app.send_task("mlprod.worker.tasks.inference.inference", task_id=task_id,
                          args=[MISSING_USER + len(cls.failed_ids)], queue=cls.dep.queue)
            cls.failed_ids.append(task_id)

        cls.status_500 = 0

        def read_failed_status():
            # What a client polling a failed task sees: 500 {"detail": "Task failed"}.
            for task_id in cls.failed_ids[-2:]:
                status, _ = request("GET", f"{cls.dep.url}/inference/status/{task_id}", timeout=10)
                if status == 500:
                    cls.status_500 += 1

        cls.provokers = [Provoker("task-failures", 1.0, fail_a_task),
                         Provoker("5xx", 0.1, read_failed_status)]
        for p in cls.provokers:
            p.start()

    @classmethod
    def start_traffic(cls, profiles):
        cls.stop_traffic()
        cls.traffic = subprocess.Popen(
            [BINARY, "traffic", "--url", cls.dep.url, "--users", "4", "--duration", "600",
             "--think-min", "0.05", "--think-max", "0.2", "--feedback", "0.9",
             "--profiles", profiles, "--json"],
            stdout=cls.traffic_log, stderr=subprocess.STDOUT)

    @classmethod
    def stop_traffic(cls):
        if cls.traffic and cls.traffic.poll() is None:
            cls.traffic.send_signal(signal.SIGINT)
            try:
                cls.traffic.wait(timeout=30)
            except subprocess.TimeoutExpired:
                cls.traffic.kill()
                cls.traffic.wait()

    @classmethod
    def _cleanup(cls):
        for p in cls.provokers:
            p.stop()
        cls.stop_traffic()
        if cls.traffic_log:
            cls.traffic_log.close()
        if cls.celery:
            cls.celery.close()
        if cls.prom:
            cls.prom.stop()
        if cls.dep:
            cls.dep.close()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls._cleanup()

    def diagnostics(self):
        alerts = self.prom.api("alerts").get("data", {}).get("alerts", [])
        return ("\nalerts: " + json.dumps([(a["labels"]["alertname"], a["state"]) for a in alerts])
                + f"\n5xx answers provoked: {self.status_500}, failing tasks sent: "
                f"{len(self.failed_ids)}\nprometheus log:\n{self.prom.logs()}"
                f"\nmlprod logs:\n{self.dep.logs(tail=3000)}")

    def firing(self):
        alerts = self.prom.api("alerts").get("data", {}).get("alerts", [])
        return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}

    # Test methods run in name order: the alerts first, so that every dashboard query (the
    # "Alerts firing" table included) sees a deployment that has been through everything.
    def test_1_targets_up(self):
        deadline = time.time() + 30
        while True:
            active = self.prom.api("targets").get("data", {}).get("activeTargets", [])
            mlprod = [t for t in active if t["labels"]["job"] in ("api", "worker")]
            if len(mlprod) == self.expected_targets and all(t["health"] == "up" for t in mlprod):
                break
            if time.time() > deadline:
                self.fail("targets not up: " + json.dumps(
                    [(t["labels"], t["health"], t.get("lastError")) for t in mlprod]))
            time.sleep(0.5)

    def test_2_no_drift_under_normal_traffic(self):
        """Traffic from the profiles the model was trained on: once every worker's drift window
        holds PSI values, none of the alert's features is near its threshold. Then the noisy
        profile takes over."""
        deadline = time.time() + 120
        selector = "|".join(DRIFT_FEATURES)
        while True:
            psi = self.prom.api("query", query=f'drift_psi{{feature=~"{selector}"}}')["data"]["result"]
            if len(psi) == len(DRIFT_FEATURES) * len(self.dep.workers):
                break
            if time.time() > deadline:
                self.fail("no drift_psi from every worker after 120 s of traffic: "
                          + json.dumps(psi) + self.diagnostics())
            time.sleep(1)
        time.sleep(5)
        worst = self.prom.api("query", query=f'max by (feature) (drift_psi{{feature=~"{selector}"}})')
        values = {s["metric"]["feature"]: float(s["value"][1]) for s in worst["data"]["result"]}
        self.start_traffic(NOISY_PROFILES)
        self.assertTrue(all(v < 0.2 for v in values.values()), f"PSI under normal traffic: {values}")
        active = {a["labels"]["alertname"] for a in self.prom.api("alerts")["data"]["alerts"]}
        self.assertNotIn("MlprodInputDrift", active)

    def test_3_provoked_alerts_fire(self):
        deadline = time.time() + ALERT_DEADLINE_S
        while not set(PROVOKED) <= self.firing():
            for p in self.provokers:
                self.assertIsNone(p.error, f"provoker {p.name} failed: {p.error!r}")
            if self.traffic.poll() is not None:
                with open(os.path.join(self.workdir, "traffic.log"), "rb") as f:
                    self.fail("mlprod traffic exited early: " +
                              f.read().decode(errors="replace")[-2000:])
            if time.time() > deadline:
                self.fail(f"not firing after {ALERT_DEADLINE_S}s: "
                          f"{sorted(set(PROVOKED) - self.firing())}" + self.diagnostics())
            time.sleep(2)
        quiet = set(MUST_STAY_QUIET) & {a["labels"]["alertname"] for a in
                                        self.prom.api("alerts")["data"]["alerts"]}
        self.assertFalse(quiet, f"alerts of a healthy deployment are active: {quiet}"
                         + self.diagnostics())

    def test_4_every_rule_evaluates(self):
        with open(dash.ALERTS_YML) as f:
            shipped = {r["alert"]: r["expr"] for g in yaml.safe_load(f)["groups"]
                       for r in g["rules"]}
        loaded = {}
        for group in self.prom.api("rules")["data"]["groups"]:
            for rule in group["rules"]:
                loaded[rule["name"]] = rule
        self.assertEqual(sorted(loaded), sorted(shipped), "rules loaded by Prometheus")
        problems = []
        for name, expr in shipped.items():
            rule = loaded[name]
            if rule.get("health") != "ok" or rule.get("lastError"):
                problems.append(f"{name}: health {rule.get('health')} {rule.get('lastError')}")
            answer = self.prom.api("query", query=expr)
            if answer.get("status") != "success":
                problems.append(f"{name}: {answer.get('error')}")
        self.assertFalse(problems, "\n".join(problems))

    def test_5_dashboard_promql(self):
        now = time.time()
        start = self.t0.timestamp()
        problems, ran = [], 0
        for title, ref, uid, text, target in dash.queries(dash.load_dashboard()):
            if uid != dash.PROM_UID:
                continue
            expr = dash.expand_promql(text, now - start)
            ran += 1
            problems += promql_problems(self.prom, expr, start, now, f"{title!r} {ref}: {expr}")
        self.assertGreater(ran, 20)
        self.assertFalse(problems, f"{len(problems)} of {ran} queries:\n" + "\n".join(problems))

    def sql_window(self):
        t_from = self.t0 - datetime.timedelta(minutes=1)
        t_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        return t_from, t_to

    def test_6_dashboard_sql(self):
        t_from, t_to = self.sql_window()
        db = self.dep.env["DATABASE_URL"]
        problems, ran = [], 0
        for title, ref, uid, text, target in dash.queries(dash.load_dashboard()):
            if uid != dash.PG_UID:
                continue
            sql = dash.expand_sql(text, t_from, t_to, interval="10s")
            ran += 1
            problems += sql_problems(db, sql, target.get("format") == "time_series",
                                     f"{title!r} {ref}")
        self.assertGreaterEqual(ran, 6)
        self.assertFalse(problems, f"{len(problems)} of {ran} queries:\n" + "\n".join(problems))

    def test_7_reference_dashboard_promql(self):
        """The reference's panels (its "Processing time" reads api_processing_time_count) on
        mlprod's series: every one answers with data."""
        now = time.time()
        start = self.t0.timestamp()
        api = urllib.parse.urlsplit(self.dep.url).netloc
        problems = []
        for source, title, text in reference.PROMQL:
            expr = dash.expand_promql(text.replace(reference.INSTANCE, api), now - start)
            problems += promql_problems(self.prom, expr, start, now, f"{source} {title!r}: {expr}")
        self.assertEqual(len(reference.PROMQL), 5)
        self.assertFalse(problems, "\n".join(problems))

    def test_8_reference_dashboard_sql(self):
        t_from, t_to = self.sql_window()
        db = self.dep.env["DATABASE_URL"]
        problems = []
        for panel in reference.SQL:
            where = f"{panel['source']} {panel['title']!r}"
            sql = dash.expand_sql(panel["sql"], t_from, t_to)
            if "expect_error" not in panel:
                problems += sql_problems(db, sql, True, where)
                continue
            code, _, stderr = run_sql(db, sql)
            if code == 0 or panel["expect_error"] not in stderr:
                problems.append(f"{where}: expected the error {panel['expect_error']!r}, got "
                                f"exit {code} {stderr!r}: update reference_dashboard.py and "
                                "docs/compatibility.md")
            problems += sql_problems(db, dash.expand_sql(panel["remedy"], t_from, t_to), True,
                                     where + " (remedy)")
        self.assertEqual(len(reference.SQL), 5)
        self.assertFalse(problems, "\n".join(problems))


if __name__ == "__main__":
    unittest.main(verbosity=2)
