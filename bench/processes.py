"""The processes the benchmark starts, each stopped by its own PID."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.environment import QUEUE, server_environment

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOG_DIR = ROOT / "var" / "bench"


class Started:
    """A child process in its own process group, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = LOG_DIR / f"{name}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """TERM the process group this child leads, then KILL it if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def gunicorn(port: int) -> Started:
    env = {**server_environment(), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = Started(
        "gunicorn",
        [str(BIN / "gunicorn"), "-c", "portal/gunicorn.conf.py", "portal.wsgi"],
        env,
    )
    url = f"http://127.0.0.1:{port}/bench/noop"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.stop()
            raise RuntimeError("gunicorn exited:\n" + server.log_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 204:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError("gunicorn did not answer within 60 s")


def celery_worker() -> Started:
    worker = Started(
        "celery",
        [
            str(BIN / "celery"),
            "-A",
            "portal",
            "worker",
            "-Q",
            QUEUE,
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        server_environment(),
    )
    time.sleep(4)
    if worker.process.poll() is not None:
        worker.stop()
        raise RuntimeError("the Celery worker exited:\n" + worker.log_text()[-2000:])
    return worker
