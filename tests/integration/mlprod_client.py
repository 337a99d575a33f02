"""Test helpers for black-box tests: start the built `mlprod serve` on a free port with a temp
data dir, and a tiny JSON-over-HTTP client (urllib only, so it shares no code with the server)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BINARY = os.path.abspath(os.environ.get("MLPROD_BINARY", "build/release/src/app/mlprod"))
SOURCE_DIR = os.environ.get("MLPROD_SOURCE_DIR", os.getcwd())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mlprod serve` as a child process; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, data_dir=None, env=None, extra_args=(), command="serve"):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="mlprod_bb_")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = command
        self.log_path = os.path.join(self.data_dir, command + ".log")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BINARY, command, "--port", str(self.port), "--data-dir", self.data_dir,
             "--config-dir", os.path.join(SOURCE_DIR, "config"), *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=full_env, cwd=self.data_dir)
        try:
            self.wait_ready()
        except BaseException:
            self.cleanup()
            self.log.close()
            raise

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"mlprod {self.command} exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                status, _ = request("GET", self.url + "/health/live", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"mlprod {self.command} did not become live:\n" + self.logs())

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        self.log.close()
        return self.proc.returncode

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


class ServeTestCase(unittest.TestCase):
    """One `mlprod serve` (with SERVER_ARGS) for the whole class, at cls.url; it must exit 0 on
    SIGTERM at the end."""

    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=cls.SERVER_ARGS)
        cls.url = cls.server.url

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        logs = cls.server.logs()
        cls.server.cleanup()
        if code != 0:
            raise AssertionError(f"mlprod serve exited {code} on SIGTERM:\n{logs}")


def request(method, url, body=None, headers=None, timeout=30, raw=None):
    """Returns (status, parsed JSON or None). `raw` sends bytes as they are."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            payload = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        payload = e.read()
        status = e.code
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, payload.decode(errors="replace")


def user_data(**overrides):
    body = {"name": "bb", "people_num": 2, "people_age": [32, 35], "children_num": 0,
            "budget": 3000, "nights": 5, "time_arrival": "2026-12-01", "pool": True,
            "spa": True, "pet_friendly": False, "lake": True, "mountain": True, "sport": False}
    body.update(overrides)
    return body


def wait_task(url, kind, task_id, timeout=120):
    """Long-polls /<kind>/status/<id> until the task is ready; returns (status, body)."""
    deadline = time.time() + timeout
    while True:
        status, body = request("GET", f"{url}/{kind}/status/{task_id}?wait=10")
        ready = status != 200 or body.get("status") in ("SUCCESS", "FAILURE", "REVOKED")
        if ready or time.time() > deadline:
            return status, body
        time.sleep(0.2)
