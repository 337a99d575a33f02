"""Running a dashboard's queries against the live test's Prometheus and PostgreSQL and saying
what is wrong with each answer: an error, no series, no finite value, no rows, no time column.
Used for mlprod's own dashboard and for the reference's panel queries alike."""
import csv
import io
import subprocess


def values_of(answer):
    """All sample values of a query answer (vector, matrix or scalar) as floats."""
    data = answer.get("data", {})
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [float(result[1])]
    out = []
    for series in result or []:
        if "value" in series:
            out.append(float(series["value"][1]))
        out.extend(float(v) for _, v in series.get("values", []))
    return out


def finite(xs):
    return [x for x in xs if x == x and abs(x) != float("inf")]


def promql_problems(prom, expr, start, now, where):
    """The expression as an instant query at `now` and over [start, now]: each must succeed and
    be non-empty, and the range must hold at least one finite value."""
    problems = []
    instant = prom.api("query", query=expr, time=f"{now:.3f}")
    ranged = prom.api("query_range", query=expr, start=f"{start:.3f}", end=f"{now:.3f}",
                      step="2")
    for kind, answer in (("instant", instant), ("range", ranged)):
        if answer.get("status") != "success":
            problems.append(f"{where}: {kind} error {answer.get('error')}")
        elif not answer["data"]["result"]:
            problems.append(f"{where}: {kind} answer empty")
    if ranged.get("status") == "success" and not finite(values_of(ranged)):
        problems.append(f"{where}: no finite value over the test")
    return problems


def run_sql(db, sql):
    """(returncode, rows as lists with the header first, stderr) of psql on the database URL."""
    out = subprocess.run(["psql", db, "-X", "-v", "ON_ERROR_STOP=1", "--csv", "-c", sql],
                         capture_output=True, text=True, timeout=60)
    rows = list(csv.reader(io.StringIO(out.stdout))) if out.returncode == 0 else []
    return out.returncode, rows, out.stderr


def sql_problems(db, sql, time_series, where):
    """The query must run and return rows; a time-series query also a "time" column."""
    code, rows, stderr = run_sql(db, sql)
    if code != 0:
        return [f"{where}:\n{sql}\n{stderr}"]
    if len(rows) < 2:
        return [f"{where}:\n{sql}\nno rows"]
    if time_series and "time" not in rows[0]:
        return [f"{where}:\n{sql}\nno time column: {rows[0]}"]
    return []
