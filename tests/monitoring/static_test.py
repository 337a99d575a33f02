"""Offline checks of the shipped monitoring files: the Grafana dashboard JSON (what Grafana needs
to load and render it: unique ids, grid positions, a provisioned datasource uid and non-empty
queries in every panel, PromQL that parses), the provisioning YAML and config/prometheus.yml as
docker-compose expects them. The live test (monitoring_test.py) runs the same queries against
real servers."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard as dash  # noqa: E402
import reference_dashboard as reference  # noqa: E402

PANEL_TYPES = {"timeseries", "stat", "table", "gauge", "bargauge", "piechart", "text", "row"}
PROMTOOL = shutil.which("promtool", path="/usr/bin:" + os.environ.get("PATH", ""))


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = dash.load_dashboard()
        cls.panels = list(dash.all_panels(cls.d))

    def test_top_level(self):
        for key in ("uid", "title", "schemaVersion", "panels", "time"):
            self.assertIn(key, self.d)
        self.assertEqual(self.d["uid"], "mlprod")
        self.assertRegex(self.d["uid"], r"^[A-Za-z0-9_-]{1,40}$")
        self.assertGreaterEqual(self.d["schemaVersion"], 36)
        self.assertNotIn("id", self.d, "a provisioned dashboard must not carry a database id")

    def test_unique_ids_and_grid(self):
        ids = [p.get("id") for p in self.panels]
        self.assertTrue(all(isinstance(i, int) for i in ids), ids)
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        cells = {}
        for p in self.panels:
            g = p["gridPos"]
            self.assertTrue(all(isinstance(g[k], int) for k in "hwxy"), p["title"])
            self.assertGreater(g["w"], 0)
            self.assertGreater(g["h"], 0)
            self.assertLessEqual(g["x"] + g["w"], 24, p["title"])
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    self.assertNotIn((x, y), cells, f"{p['title']} overlaps {cells.get((x, y))}")
                    cells[(x, y)] = p["title"]

    def test_every_panel_has_datasource_and_queries(self):
        provisioned = {ds["uid"]: ds["type"] for ds in load_yaml(dash.DATASOURCES)["datasources"]}
        titles = set()
        for p in self.panels:
            self.assertIn(p.get("type"), PANEL_TYPES, p.get("title"))
            self.assertTrue(p.get("title"), p)
            if p["type"] == "row":
                continue
            self.assertNotIn(p["title"], titles, "panel titles must be unique")
            titles.add(p["title"])
            ds = p.get("datasource") or {}
            self.assertIn(ds.get("uid"), provisioned, p["title"])
            self.assertEqual(ds.get("type"), provisioned[ds["uid"]], p["title"])
            targets = p.get("targets") or []
            self.assertTrue(targets, f"{p['title']} has no query")
            refs = [t.get("refId") for t in targets]
            self.assertEqual(len(refs), len(set(refs)), p["title"])
            for t in targets:
                self.assertRegex(t.get("refId") or "", r"^[A-Z]$", p["title"])
                self.assertEqual(t.get("datasource"), ds, p["title"])
                if ds["uid"] == dash.PROM_UID:
                    self.assertTrue((t.get("expr") or "").strip(), p["title"])
                else:
                    sql = t.get("rawSql") or ""
                    self.assertTrue(sql.strip(), p["title"])
                    self.assertTrue(t.get("rawQuery"), p["title"])
                    self.assertIn(t.get("format"), ("time_series", "table"), p["title"])
                    if t["format"] == "time_series":
                        self.assertRegex(sql, r'\$__timeGroupAlias\(|AS "time"', p["title"])
                        self.assertIn("$__timeFilter(", sql, p["title"])

    def test_reference_panels_present(self):
        titles = " | ".join(p["title"].lower() for p in self.panels)
        for words in ("active inferences", "live accuracy", "request rate", "latency", "people",
                      "budget", "ages", "wishes", "tasks", "model", "population stability"):
            self.assertIn(words, titles)

    def test_promql_parses(self):
        """Each expression, variables expanded, becomes a recording rule for `promtool check
        rules`, which parses PromQL offline. The reference dashboards' expressions too."""
        self.assertTrue(PROMTOOL, "promtool not found: install the Debian prometheus package "
                                  "(scripts/install-test-deps.sh)")
        rules = []
        for title, ref, uid, text, _ in dash.queries(self.d):
            if uid == dash.PROM_UID:
                rules.append({"record": f"dashboard:check_{len(rules)}",
                              "expr": dash.expand_promql(text, 3600)})
        self.assertGreater(len(rules), 20)
        for _, _, text in reference.PROMQL:
            rules.append({"record": f"dashboard:check_{len(rules)}",
                          "expr": dash.expand_promql(text, 3600)})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dashboard_rules.yml")
            with open(path, "w") as f:
                yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
            out = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True,
                                 text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_sql_macros_expand(self):
        import datetime
        now = datetime.datetime.now(datetime.timezone.utc)
        n = 0
        for title, ref, uid, text, _ in dash.queries(self.d):
            if uid == dash.PG_UID:
                sql = dash.expand_sql(text, now - datetime.timedelta(hours=1), now)
                self.assertNotIn("$", sql, title)
                n += 1
        self.assertGreaterEqual(n, 6)
        for panel in reference.SQL:
            for key in ("sql", "remedy"):
                if key in panel:
                    sql = dash.expand_sql(panel[key], now - datetime.timedelta(hours=1), now)
                    self.assertNotIn("$", sql, panel["title"])
                    self.assertIn('AS "time"', sql, panel["title"])


class Provisioning(unittest.TestCase):
    def test_datasources(self):
        doc = load_yaml(dash.DATASOURCES)
        self.assertEqual(doc["apiVersion"], 1)
        by_uid = {ds["uid"]: ds for ds in doc["datasources"]}
        prom = by_uid[dash.PROM_UID]
        self.assertEqual(prom["type"], "prometheus")
        self.assertEqual(prom["url"], "http://prometheus:9090")
        pg = by_uid[dash.PG_UID]
        self.assertEqual(pg["type"], "postgres")
        self.assertEqual(pg["url"], "${DATABASE_HOST}")
        self.assertEqual(pg["user"], "${DATABASE_USER}")
        self.assertEqual(pg["jsonData"]["database"], "${DATABASE_SCHEMA}")
        self.assertEqual(pg["secureJsonData"]["password"], "${DATABASE_PASS}")
        names = [ds["name"] for ds in doc["datasources"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(sum(1 for ds in doc["datasources"] if ds.get("isDefault")), 1)

    def test_dashboard_provider(self):
        doc = load_yaml(dash.DASHBOARD_PROVIDERS)
        self.assertEqual(doc["apiVersion"], 1)
        (provider,) = doc["providers"]
        self.assertEqual(provider["type"], "file")
        self.assertEqual(provider["options"]["path"], "/var/lib/grafana/dashboards")


class PrometheusConfig(unittest.TestCase):
    def test_jobs_as_docker_compose_expects(self):
        doc = load_yaml(dash.PROMETHEUS_YML)
        self.assertEqual(doc["rule_files"], ["alerts.yml"])
        jobs = {j["job_name"]: j for j in doc["scrape_configs"]}
        self.assertEqual(jobs["api"]["static_configs"][0]["targets"], ["api:4789"])
        (sd,) = jobs["worker"]["dns_sd_configs"]
        self.assertEqual((sd["names"], sd["type"], sd["port"]), (["worker"], "A", 9808))

    def test_every_alert_documented(self):
        """Every alert is documented in docs/monitoring.md."""
        with open(os.path.join(dash.SOURCE_DIR, "docs", "monitoring.md"), encoding="utf-8") as f:
            docs = f.read()
        for group in load_yaml(dash.ALERTS_YML)["groups"]:
            for rule in group["rules"]:
                self.assertIn(rule["alert"], docs)
                self.assertTrue(re.match(r"^Mlprod[A-Za-z]+$", rule["alert"]))
                self.assertIn(rule["labels"]["severity"], ("critical", "warning", "info"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
