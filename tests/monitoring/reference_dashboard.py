"""The panel queries of the reference project's Grafana dashboards (IDSIA/MLprod), written down
as facts about what those dashboards ask Prometheus and PostgreSQL, so that the live monitoring
test can run them against mlprod. Not a copy of the dashboards: only each panel's title, data
source kind and query (Grafana variables and macros left as the dashboards use them; SQL
whitespace normalised).

Sources:
  - `grafana/dashboards/monitoring.json` ("MLP Dashboard", the provisioned one in both layouts);
  - `grafana.json` (the 2022 layout's exported dashboard; its "Active inferences" query pins
    `instance="api:4789"`, the compose address of the API: the test substitutes the address its
    API listens on, see INSTANCE).

An entry with `expect_error` is a query that fails on mlprod on purpose, with the reason; the
test requires exactly that error (so a change that makes it pass, or fail otherwise, is
noticed) and runs `remedy`, the query with the one change docs/compatibility.md gives, which
must answer with data."""

INSTANCE = "api:4789"

PROMQL = [
    # (source file, panel title, expression)
    ("grafana/dashboards/monitoring.json", "Active inferences", "api_active_inferences"),
    ("grafana/dashboards/monitoring.json", "Processing time",
     "rate(api_processing_time_count[$__rate_interval])"),
    ("grafana.json", "Active inferences", 'api_active_inferences{instance="api:4789"}'),
    ("grafana.json", "Processing Time", "rate(api_processing_time_count[$__rate_interval])"),
    ("grafana.json", "Panel Title", "rate(api_processing_time_bucket[$__rate_interval])"),
]

_WISHES = ", ".join(f'avg(CAST({column} as int)) AS "{alias}"' for column, alias in (
    ("pool", "pool"), ("spa", "spa"), ("pet_friendly", "pets"), ("lake", "lake"),
    ("mountain", "mountain"), ("sport", "sport")))


def _users(select):
    return (f"SELECT $__timeGroupAlias(creation_time,1m), {select} FROM users "
            "WHERE $__timeFilter(creation_time) GROUP BY 1 ORDER BY 1")


# Every SQL panel is a time series ("format": "time_series"): the answer needs a "time" column.
SQL = [
    {"source": "grafana/dashboards/monitoring.json", "title": "Accuracy",
     "sql": ('SELECT floor(extract(epoch from time_event)/60)*60 AS "time", '
             "avg(CAST(CASE WHEN event = 'good_inference' THEN 1 ELSE 0 END as float)) "
             'as "accuracy" FROM events WHERE $__timeFilter(time_event) and '
             "event in ('good_inference', 'bad_inference') GROUP BY 1 ORDER BY 1")},
    {"source": "grafana/dashboards/monitoring.json", "title": "Arguments: people",
     "sql": _users('avg(people_num) AS "people_num", avg(children) AS "children"'),
     # The reference's own users table (src/mlprod/database/tables.py) names the column
     # children_num, as UserData does; `children` is the 2022 tables' name. mlprod keeps the
     # newer schema, so this panel fails on mlprod as it does on the reference itself.
     "expect_error": 'column "children" does not exist',
     "remedy": _users('avg(people_num) AS "people_num", avg(children_num) AS "children"')},
    {"source": "grafana/dashboards/monitoring.json", "title": "Argument: budget",
     "sql": _users('avg(budget) AS "budget"')},
    {"source": "grafana/dashboards/monitoring.json", "title": "Arguments: age",
     "sql": _users('avg(age_avg) AS "age_avg", avg(age_max) AS "age_max", '
                   'avg(age_min) AS "age_min", avg(age_std) AS "age_std"')},
    {"source": "grafana/dashboards/monitoring.json", "title": "Argument: booleans",
     "sql": _users(_WISHES)},
]

