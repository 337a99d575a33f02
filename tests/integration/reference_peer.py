"""A stand-in for the reference's Celery worker, for mixed-fleet tests: a real Celery app that
registers the task names one layout of the reference registers and answers as the reference's
tasks do (they return nothing: SUCCESS with a null result). Written for these tests from the
reference's task names and signatures; it writes no database rows.

PEER_LAYOUT picks the names: "2022" (worker/tasks/*.py, `celery -A worker.celery worker`) or
"current" (src/mlprod/worker/tasks/*.py, `celery -A mlprod.worker.celery worker`). Every task
received is appended as one JSON line {"task", "id", "args"} to PEER_RECORD; PEER_READY (if set)
is created once the worker consumes."""
import json
import os

from celery import Celery
from celery.signals import worker_ready

NAMES = {
    "2022": ("worker.tasks.inference.inference", "worker.tasks.train.training"),
    "current": ("mlprod.worker.tasks.inference.inference", "mlprod.worker.tasks.train.training"),
}
INFERENCE, TRAINING = NAMES[os.environ.get("PEER_LAYOUT", "2022")]

app = Celery("reference_peer", broker=os.environ["PEER_BROKER_URL"],
             backend=os.environ["PEER_BACKEND_URL"])
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_default_queue=os.environ.get("PEER_QUEUE", "celery"),
                broker_connection_retry_on_startup=True)


@worker_ready.connect
def consuming(**_):
    if os.environ.get("PEER_READY"):
        open(os.environ["PEER_READY"], "w").close()


def record(request):
    line = json.dumps({"task": request.task, "id": request.id, "args": list(request.args or [])})
    with open(os.environ["PEER_RECORD"], "a") as f:
        f.write(line + "\n")


@app.task(name=INFERENCE, bind=True, ignore_result=False)
def inference(self, user_id):
    record(self.request)


@app.task(name=TRAINING, bind=True)
def training(self):
    record(self.request)
