"""Black-box test of adopting a reference database (issue 15): PostgreSQL schemas as the
reference's SQLAlchemy models create them (tests/fixtures/reference_schema_*.sql, both layouts),
with rows, adopted by `mlprod api` in place; then the loop runs with `mlprod worker`. Also: a
second start changes nothing, a failed adoption leaves the database as it was, and a database
that is neither empty, nor mlprod's, nor the reference's is refused untouched."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from distributed import AMQP_URL, AVAILABLE, REDIS_URL, SKIP_REASON, Deployment  # noqa: E402
from distributed import fresh_database  # noqa: E402
from mlprod_client import BINARY, SOURCE_DIR, Server, free_port  # noqa: E402
from mlprod_client import request, user_data, wait_task  # noqa: E402

FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
TABLES = ["users", "locations", "inferences", "results", "events", "datasets", "models"]
N_LOCATIONS = 20


def query(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True,
                         capture_output=True, timeout=60, text=True)
    return out.stdout.strip()


def counts(url):
    return {t: int(query(url, f"SELECT COUNT(*) FROM {t}")) for t in TABLES}


def reference_database(layout, model_root):
    """A fresh database with the reference's schema of `layout` and rows as its API, worker and
    startup write them (ids from its sequences); returns (url, task ids, model ids)."""
    url = fresh_database()
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f",
                    os.path.join(FIXTURES, f"reference_schema_{layout}.sql")],
                   check=True, capture_output=True, timeout=60)
    named = layout == "src_mlprod"
    tasks = [str(uuid.uuid4()) for _ in range(3)]
    trained, queued = str(uuid.uuid4()), str(uuid.uuid4())
    # The reference's own model folders: pickled scikit-learn pipeline plus PyTorch weights.
    for folder in ("original", trained):
        os.makedirs(os.path.join(model_root, "app", "models", folder))
        for name, payload in (("pipeline.pkl", b"\x80\x04\x95pickled"), ("model.pt", b"PK\x03\x04")):
            with open(os.path.join(model_root, "app", "models", folder, name), "wb") as f:
                f.write(payload)
    name_col, names = ("name, ", ["'ada', ", "'bob', ", "'cy', "]) if named else ("", ["", "", ""])
    # The 2022 layout allows NULL in its boolean columns: the third user left one out.
    third_pool = "false" if named else "NULL"
    sql = [
        f"INSERT INTO users ({name_col}people_num, children_num, age_avg, age_std, age_min, "
        "age_max, budget, nights, time_arrival, pool, spa, pet_friendly, lake, mountain, sport) "
        f"VALUES ({names[0]}2, 0, 33.5, 1.5, 32, 35, 3000, 5, '2022-07-01', true, true, false, "
        f"true, true, false), ({names[1]}4, 2, 22.5, 14.5, 6, 41, 1200, 3, NULL, false, false, "
        f"true, false, true, true), ({names[2]}1, 0, 70, 0, 70, 70, 800, 2, '2022-08-15', "
        f"{third_pool}, true, false, false, false, false)",
        "INSERT INTO locations (lat, lon, children, breakfast, lunch, dinner, price, has_pool, "
        "has_spa, animals, near_lake, near_mountains, has_sport, family_rating, outdoor_rating, "
        "food_rating, leisure_rating, service_rating, user_score) SELECT 46 + i * 0.01, "
        "8.9 + i * 0.01, i % 2 = 0, true, i % 3 = 0, i % 2 = 1, 40 + 15 * i, i % 4 = 0, "
        "i % 5 = 0, i % 3 = 1, i % 2 = 0, i % 2 = 1, i % 3 = 2, 1 + i % 5, 1 + (i * 3) % 5, "
        "1 + (i * 7) % 5, 1 + (i * 2) % 5, 1 + (i * 4) % 5, 1 + (i % 4) "
        f"FROM generate_series(1, {N_LOCATIONS}) i",
        # The 2022 reference writes inferences without their user (create_inference), and one
        # never polled stays PENDING (mlprod's sweeper marks it failed: no user to score).
        "INSERT INTO inferences (task_id, time_get, user_id, status) VALUES "
        f"('{tasks[0]}', now(), 1, 'SUCCESS'), ('{tasks[1]}', now(), 2, 'SUCCESS'), "
        f"('{tasks[2]}', NULL, {'3' if named else 'NULL'}, "
        f"'{'FAILURE' if named else 'PENDING'}')",
        # Task 0: every location scored, the top ten shown, location 3 picked.
        "INSERT INTO results (task_id, user_id, location_id, score, label, shown) SELECT "
        f"'{tasks[0]}', 1, i, 1 - i / 40.0, CASE WHEN i = 3 THEN 1 ELSE 0 END, i <= 10 "
        f"FROM generate_series(1, {N_LOCATIONS}) i",
        "INSERT INTO results (task_id, user_id, location_id, score, label, shown) SELECT "
        f"'{tasks[1]}', 2, i, i / 40.0, 0, {'false' if named else 'NULL'} "
        f"FROM generate_series(1, {N_LOCATIONS}) i",
        # A Celery retry of the reference's inference task stored one location twice.
        "INSERT INTO results (task_id, user_id, location_id, score, label, shown) VALUES "
        f"('{tasks[1]}', 2, 1, 0.025, 0, false)",
        "INSERT INTO events (event) VALUES ('inference_start'), ('status'), ('results'), "
        "('selection'), ('good_inference')",
        f"INSERT INTO models (task_id, status, path, use_percentage, train_acc, train_auc, "
        "train_pre, train_rec, train_f1, test_acc, test_auc, test_pre, test_rec, test_f1) VALUES "
        f"('baseline_model', 'SUCCESS', '{model_root}/app/models/original', 1.0, "
        "0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "
        f"('{trained}', 'SUCCESS', '{model_root}/app/models/{trained}', 0, "
        "0.8, 0.75, 0.6, 0.5, 0.55, 0.78, 0.71, 0.58, 0.49, 0.53), "
        f"('{queued}', 'PENDING', {repr('') if named else 'NULL'}, 0, "
        "0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
        f"INSERT INTO datasets (task_id, result_id) VALUES ('{trained}', 1), ('{trained}', 2)",
    ]
    for statement in sql:
        query(url, statement)
    return url, tasks, {"active": "baseline_model", "trained": trained, "queued": queued}


def run_api_until_exit(url, data_dir, timeout=300):
    """Starts `mlprod api` on a database it must refuse; returns (exit code, output)."""
    env = dict(os.environ, DATABASE_URL=url, CELERY_BROKER_URL=AMQP_URL,
               CELERY_BACKEND_URL=REDIS_URL, CELERY_QUEUE="q_" + uuid.uuid4().hex[:10])
    proc = subprocess.run(
        [BINARY, "api", "--port", str(free_port()), "--data-dir", data_dir,
         "--config-dir", os.path.join(SOURCE_DIR, "config")],
        env=env, cwd=data_dir, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class ReferenceAdoption(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The refused starts share one data dir: its baseline is trained once.
        cls.refused_data_dir = tempfile.mkdtemp(prefix="mlprod_refadopt_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.refused_data_dir, ignore_errors=True)

    def setUp(self):
        self.model_root = tempfile.mkdtemp(prefix="mlprod_refmodels_")
        self.addCleanup(shutil.rmtree, self.model_root, True)

    def adopt_and_run_the_loop(self, layout, layout_words):
        url, tasks, models = reference_database(layout, self.model_root)
        before = counts(url)
        dep = Deployment(workers=1, database_url=url)
        try:
            logs = dep.api.logs()
            self.assertIn("ADOPTED the reference database", logs)
            self.assertIn(layout_words, logs)
            self.assertIn("kept every row (3 users, 20 locations, 3 inferences, 41 results, "
                          "5 events, 2 datasets, 3 models)", logs)
            self.assertIn("adopted reference model baseline_model", logs)
            after = counts(url)
            self.assertEqual(after, dict(before, models=before["models"] + 1), "+ mlprod baseline")
            # Every migration applied once, 1 to the newest (17 at the time of writing).
            self.assertEqual(query(url, "SELECT COUNT(*) = MAX(version) AND MIN(version) = 1 "
                                        "AND MAX(version) >= 17 FROM schema_migrations"), "t")
            # Spot values: users, labels, the reference's model rows and their folders' paths.
            expect_name = "ada" if layout == "src_mlprod" else ""
            self.assertEqual(query(url, "SELECT budget, name, people_num FROM users "
                                   "WHERE user_id = 1"), f"3000|{expect_name}|2")
            self.assertEqual(query(url, "SELECT pool FROM users WHERE user_id = 3"), "f")
            self.assertEqual(query(url, f"SELECT location_id, shown FROM results WHERE "
                                   f"task_id = '{tasks[0]}' AND label = 1"), "3|t")
            self.assertEqual(query(url, f"SELECT COUNT(*) FROM results WHERE task_id = "
                                   f"'{tasks[1]}' AND NOT shown"), "21")
            self.assertEqual(
                query(url, "SELECT status, use_percentage, path FROM models "
                      "WHERE task_id = 'baseline_model'"),
                f"retired|0|{self.model_root}/app/models/original")
            self.assertEqual(query(url, "SELECT path FROM models WHERE task_id = "
                                   f"'{models['trained']}'"),
                             f"{self.model_root}/app/models/{models['trained']}")

            status, listed = request("GET", dep.url + "/models")
            self.assertEqual(status, 200)
            by_id = {m["task_id"]: m for m in listed}
            self.assertEqual(by_id["baseline"]["state"], "promoted")
            self.assertEqual(by_id["baseline"]["use_percentage"], 1.0)
            for key, state in (("active", "retired"), ("trained", "rejected"),
                               ("queued", "failed")):
                row = by_id[models[key]]
                self.assertEqual((row["state"], row["use_percentage"]), (state, 0.0), row)
                self.assertIn("adopted from the reference database", row["reason"])
            self.assertIn("cannot load", by_id["baseline_model"]["reason"])
            self.assertEqual(by_id[models["trained"]]["test"]["auc"], 0.71)
            status, one = request("GET", dep.url + "/models/baseline_model")
            self.assertEqual([t["to"] for t in one["transitions"]][-1], "retired", one)

            # The reference's rows read through mlprod's API.
            status, user = request("GET", dep.url + "/content/user/2")
            self.assertEqual((status, user["budget"], user["children_num"]), (200, 1200, 2), user)
            status, top = request("GET", f"{dep.url}/inference/results/{tasks[0]}?limit=3")
            self.assertEqual(status, 200, top)
            self.assertEqual([r["location_id"] for r in top], [1, 2, 3])

            # The loop end to end on the adopted database: the baseline serves.
            for i in range(40):
                status, task = request("POST", dep.url + "/inference/start",
                                       user_data(budget=500 + 50 * i, nights=1 + i % 4))
                self.assertEqual(status, 200, task)
                status, done = wait_task(dep.url, "inference", task["task_id"], timeout=60)
                self.assertEqual(done["status"], "SUCCESS", (done, dep.logs()))
                status, results = request(
                    "GET", f"{dep.url}/inference/results/{task['task_id']}?limit=10")
                self.assertEqual((status, len(results)), (200, 10), results)
                self.assertEqual(results[0]["model_id"], "baseline")
                status, _ = request("PUT", dep.url + "/inference/select/",
                                    {"task_id": task["task_id"],
                                     "location_id": results[i % 10]["location_id"]})
                self.assertEqual(status, 200)
            status, train = request("POST", dep.url + "/train/start")
            self.assertEqual(status, 200, train)
            status, trained = wait_task(dep.url, "train", train["task_id"], timeout=600)
            self.assertEqual(trained["status"], "SUCCESS", (trained, dep.logs()))

            # A second start on the adopted database: nothing adopted or migrated again.
            self.assertEqual(dep.api.stop(), 0)
            settled = counts(url)
            log_size = os.path.getsize(dep.api.log_path)
            dep.api = Server(data_dir=dep.data_dir, env=dep.env, command="api")
            with open(dep.api.log_path, "rb") as f:
                f.seek(log_size)
                second = f.read().decode(errors="replace")
            self.assertNotIn("ADOPTED", second)
            self.assertNotIn("applied schema migration", second)
            self.assertNotIn("registered the baseline", second)
            self.assertEqual(counts(url), settled)
        finally:
            logs = dep.logs()
            codes = dep.close()
        self.assertFalse(any(codes), f"processes exited {codes}:\n{logs}")

    def test_adopts_the_2022_layout_and_the_loop_runs(self):
        self.adopt_and_run_the_loop("2022", "the 2022 layout (no users.name)")

    def test_adopts_the_src_mlprod_layout_and_the_loop_runs(self):
        self.adopt_and_run_the_loop("src_mlprod", "the src/mlprod layout (users.name)")

    def test_a_worker_started_first_waits_for_the_api_to_adopt(self):
        url, _, _ = reference_database("2022", self.model_root)
        before = counts(url)
        dep = Deployment(workers=0, start_api=False, database_url=url)
        try:
            worker = dep.spawn_worker()
            deadline = time.time() + 30
            while time.time() < deadline and "not adopted yet" not in dep.logs():
                time.sleep(0.2)
            self.assertIn("waiting for mlprod's schema in the database (the database holds the "
                          "reference system's tables (the 2022 layout (no users.name)), not "
                          "adopted yet (`mlprod api` adopts them", dep.logs())
            self.assertIsNone(worker.poll(), dep.logs())
            self.assertEqual(counts(url), before, "the worker changed nothing")
            dep.api = Server(data_dir=dep.data_dir, env=dep.env, command="api")
            dep.url = dep.api.url
            dep.wait_worker_ready(worker)
            for i in range(5):
                status, task = request("POST", dep.url + "/inference/start",
                                       user_data(budget=600 + 100 * i))
                self.assertEqual(status, 200, task)
                status, done = wait_task(dep.url, "inference", task["task_id"], timeout=60)
                self.assertEqual(done["status"], "SUCCESS", (done, dep.logs()))
        finally:
            logs = dep.logs()
            codes = dep.close()
        self.assertFalse(any(codes), f"processes exited {codes}:\n{logs}")

    def test_a_failed_adoption_leaves_the_database_as_it_was(self):
        url, _, _ = reference_database("2022", self.model_root)
        # An object of the reference's database in the way of migration 3.
        query(url, "CREATE FUNCTION mlprod_results_inserted() RETURNS trigger "
                   "LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$")
        before = counts(url)
        code, out = run_api_until_exit(url, self.refused_data_dir)
        self.assertNotEqual(code, 0, out)
        self.assertIn("adopting the reference database (the 2022 layout (no users.name)) "
                      "failed, nothing was changed", out)
        self.assertEqual(counts(url), before)
        self.assertEqual(query(url, "SELECT to_regclass('schema_migrations') IS NULL"), "t")
        self.assertEqual(query(url, "SELECT COUNT(*) FROM information_schema.columns WHERE "
                                    "(table_name = 'users' AND column_name = 'name') OR "
                                    "(table_name = 'results' AND column_name = 'model_id')"), "0")
        self.assertEqual(query(url, "SELECT status, use_percentage FROM models "
                                    "WHERE task_id = 'baseline_model'"), "SUCCESS|1")
        self.assertEqual(query(url, "SELECT data_type FROM information_schema.columns WHERE "
                                    "table_name = 'users' AND column_name = 'budget'"), "integer")

    def test_a_database_of_something_else_is_refused_untouched(self):
        url = fresh_database()
        query(url, "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL)")
        query(url, "INSERT INTO users (email) VALUES ('a@example.org')")
        code, out = run_api_until_exit(url, self.refused_data_dir)
        self.assertNotEqual(code, 0, out)
        self.assertIn("neither empty nor mlprod's nor the reference's", out)
        self.assertIn("refusing to change it", out)
        self.assertEqual(query(url, "SELECT COUNT(*) FROM information_schema.tables "
                                    "WHERE table_schema = current_schema()"), "1")
        self.assertEqual(query(url, "SELECT email FROM users"), "a@example.org")


if __name__ == "__main__":
    unittest.main()
