"""A tiny real Celery app for wire-compatibility tests. As a worker it registers the inference
task name and records what it received (args, headers as Celery parsed them) into a JSON file;
as a client it is used to send tasks to mlprod workers and read their results."""
import json
import os

from celery import Celery

app = Celery("mlprod_peer", broker=os.environ["PEER_BROKER_URL"],
             backend=os.environ["PEER_BACKEND_URL"])
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_default_queue=os.environ.get("PEER_QUEUE", "celery"),
                broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)


@app.task(name="mlprod.worker.tasks.inference.inference", bind=True)
def inference(self, user_id):
    req = self.request
    record = {"args": list(req.args or []), "kwargs": dict(req.kwargs or {}), "id": req.id,
              "task": req.task, "retries": req.retries, "root_id": req.root_id,
              "parent_id": req.parent_id, "eta": req.eta, "expires": req.expires,
              "timelimit": list(req.timelimit) if req.timelimit else None,
              "origin": req.origin, "argsrepr": req.argsrepr, "kwargsrepr": req.kwargsrepr,
              "correlation_id": req.correlation_id,
              "delivery_info": {k: req.delivery_info.get(k) for k in ("exchange", "routing_key")}}
    path = os.environ["PEER_RECORD"]
    with open(path + ".tmp", "w") as f:
        json.dump(record, f)
    os.replace(path + ".tmp", path)
    return user_id
