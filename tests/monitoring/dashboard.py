"""The shipped monitoring files as the tests read them: the Grafana dashboard's queries, and
Grafana's template variables and SQL macros expanded the way Grafana expands them (for the
variables and macros the dashboard uses), so the queries can run against a real Prometheus and
PostgreSQL without a Grafana."""
import datetime
import json
import os
import re

SOURCE_DIR = os.environ.get("MLPROD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD = os.path.join(SOURCE_DIR, "grafana", "dashboards", "mlprod.json")
DATASOURCES = os.path.join(SOURCE_DIR, "grafana", "provisioning", "datasources", "datasources.yml")
DASHBOARD_PROVIDERS = os.path.join(SOURCE_DIR, "grafana", "provisioning", "dashboards",
                                   "dashboards.yml")
PROMETHEUS_YML = os.path.join(SOURCE_DIR, "config", "prometheus.yml")
ALERTS_YML = os.path.join(SOURCE_DIR, "config", "alerts.yml")

PROM_UID = "prometheus"
PG_UID = "postgres"


def load_dashboard():
    with open(DASHBOARD, encoding="utf-8") as f:
        return json.load(f)


def all_panels(dashboard):
    """Every panel, including those nested in collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def queries(dashboard):
    """(panel title, refId, datasource uid, query text, target) for every panel target."""
    out = []
    for p in all_panels(dashboard):
        if p.get("type") == "row":
            continue
        for t in p.get("targets", []):
            uid = (t.get("datasource") or p.get("datasource") or {}).get("uid")
            text = t.get("expr") if uid == PROM_UID else t.get("rawSql")
            out.append((p.get("title"), t.get("refId"), uid, text, t))
    return out


def expand_promql(expr, range_seconds, rate_interval="1m"):
    """Grafana's global variables used in PromQL panels."""
    out = expr.replace("$__rate_interval", rate_interval)
    out = out.replace("$__range", f"{int(range_seconds)}s")
    out = out.replace("$__interval", "15s")
    if "$" in re.sub(r"\{\{.*?\}\}", "", out):
        raise ValueError(f"unexpanded Grafana variable in {out!r}")
    return out


def _interval_seconds(text):
    text = text.strip().strip("'\"")
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)", text)
    if not m:
        raise ValueError(f"bad interval {text!r}")
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _macro_args(sql, name):
    """Yields (start, end, [args]) of every $__name(...) call, parentheses balanced."""
    pattern = "$__" + name + "("
    pos = 0
    while True:
        start = sql.find(pattern, pos)
        if start < 0:
            return
        i = start + len(pattern)
        depth, arg, args = 1, "", []
        while depth:
            c = sql[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            if c == "," and depth == 1:
                args.append(arg.strip())
                arg = ""
            else:
                arg += c
            i += 1
        args.append(arg.strip())
        yield start, i + 1, [a for a in args if a != ""]
        pos = i + 1


def _replace_macro(sql, name, fn):
    while True:
        found = next(_macro_args(sql, name), None)
        if not found:
            return sql
        start, end, args = found
        sql = sql[:start] + fn(args) + sql[end:]


def expand_sql(sql, time_from, time_to, interval="1m"):
    """The PostgreSQL macros of Grafana's SQL data source (pkg/tsdb/grafana-postgresql-datasource
    macros): $__timeFilter, $__timeFrom, $__timeTo, $__timeGroup, $__timeGroupAlias,
    $__unixEpochFilter, $__time, plus $__interval."""
    def ts(t):
        return "'" + t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"

    def group(args):
        secs = _interval_seconds(args[1])
        secs_text = f"{secs:g}"
        return f"floor(extract(epoch from {args[0]})/{secs_text})*{secs_text}"

    sql = sql.replace("$__interval_ms", str(int(_interval_seconds(interval) * 1000)))
    sql = sql.replace("$__interval", interval)
    sql = _replace_macro(sql, "timeFilter",
                         lambda a: f"{a[0]} BETWEEN {ts(time_from)} AND {ts(time_to)}")
    sql = _replace_macro(sql, "timeFrom", lambda a: ts(time_from))
    sql = _replace_macro(sql, "timeTo", lambda a: ts(time_to))
    sql = _replace_macro(sql, "timeGroupAlias", lambda a: group(a) + ' AS "time"')
    sql = _replace_macro(sql, "timeGroup", group)
    sql = _replace_macro(sql, "unixEpochFilter", lambda a: (
        f"{a[0]} >= {int(time_from.timestamp())} AND {a[0]} <= {int(time_to.timestamp())}"))
    sql = _replace_macro(sql, "time", lambda a: f'{a[0]} AS "time"')
    if "$__" in sql or "${" in sql:
        raise ValueError(f"unexpanded Grafana macro in {sql!r}")
    return sql
