"""Real processes the reliability tests start, fault and stop by PID.

A Redis server of their own (killed and restarted on the same port without
disturbing anyone else's Redis) and Celery workers with several prefork
processes, each in its own process group so the whole worker, children
included, can be killed at once.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import kombu.pools
import pytest
import redis

from portal.celery import app as celery_app
from tests.conftest import ROOT, _worker_database_url
from tests.tracking.conftest import article, clock  # noqa: F401 - shared fixtures

RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]{36})\] received")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, message: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(interval)


class RedisServer:
    """A throwaway, non-persistent Redis: a kill loses every queued message."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.restarts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=15, message="Redis did not start")

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.start()
        self.restarts += 1

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


class Worker:
    """A Celery worker with ``concurrency`` prefork processes on one queue."""

    def __init__(
        self,
        *,
        queue: str,
        broker_url: str,
        log: Path,
        concurrency: int,
        include: tuple[str, ...] = (),
    ):
        self.queue = queue
        self.include = include
        self.broker_url = broker_url
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.name = f"{queue}@{os.uname().nodename}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": _worker_database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": "",
            # Messages of a killed worker come back after this many seconds.
            "CELERY_VISIBILITY_TIMEOUT": "12",
            "TRACKING_SWEEP_DELAY_SECONDS": "0",
        }
        self.child_kills = 0
        self.worker_kills = 0

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(self.concurrency),
                    "--queues",
                    self.queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname",
                    f"{self.queue}@%h",
                    *(f"--include={module}" for module in self.include),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            lambda: (
                len(self.children()) >= self.concurrency
                or self.process.poll() is not None
            ),
            timeout=60,
            message="Celery worker did not start",
        )
        if self.process.poll() is not None:
            raise RuntimeError(f"Celery worker exited:\n{self.log.read_text()}")

    def children(self) -> list[int]:
        """PIDs of the pool processes, read from /proc."""
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_child(self, index: int) -> int:
        # Right after a start or a kill, the pool may still be forking.
        wait_for(self.children, timeout=30, message="the worker has no pool process")
        children = self.children()
        pid = children[index % len(children)]
        os.kill(pid, signal.SIGKILL)
        self.child_kills += 1
        return pid

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group at once."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def kill_and_restart(self) -> None:
        self.kill()
        self.worker_kills += 1
        self.start()

    def stop(self) -> None:
        """Warm shutdown, then a kill if it does not end."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        # Pool processes left behind by an earlier kill of their parent.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def task_receipts(self, name: str) -> Counter:
        """How many times each task id of ``name`` reached a pool process."""
        return Counter(
            task_id
            for task, task_id in RECEIVED.findall(self.log.read_text())
            if task == name
        )


@contextlib.contextmanager
def producing_to(broker_url: str, queue: str):
    """Make this process send tasks to ``broker_url`` and ``queue``, for real.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its own
    configuration, so the variable is switched too.
    """
    conf = celery_app.conf
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    saved = {
        key: conf[key]
        for key in (
            "broker_url",
            "task_default_queue",
            "task_always_eager",
            "task_ignore_result",
            "broker_transport_options",
        )
    }

    def reset_pools():
        # Celery's own pool and kombu's process-wide producer pools, keyed by
        # connection, are both closed and forgotten, so the next task sent
        # opens a connection to whichever broker is configured then.
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        kombu.pools.reset()

    reset_pools()
    os.environ["CELERY_BROKER_URL"] = broker_url
    conf.broker_url = broker_url
    conf.task_default_queue = queue
    conf.task_always_eager = False
    conf.task_ignore_result = True
    conf.broker_transport_options = {"visibility_timeout": 12}
    try:
        yield
    finally:
        reset_pools()
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        for key, value in saved.items():
            conf[key] = value


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server for this test only; always left stopped, never the shared one."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def worker_factory(own_redis, tmp_path, settings):
    """Start workers on a fresh queue of ``own_redis``; stop them all at the end."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"reliability-{uuid.uuid4().hex[:8]}"
    started: list[Worker] = []

    def make(
        *,
        concurrency: int = 4,
        extra_env: dict | None = None,
        include: tuple[str, ...] = (),
    ) -> Worker:
        worker = Worker(
            queue=queue,
            broker_url=own_redis.url,
            log=tmp_path / f"worker-{len(started)}.log",
            concurrency=concurrency,
            include=include,
        )
        worker.env.update(extra_env or {})
        worker.start()
        started.append(worker)
        return worker

    make.broker = own_redis.client()
    with producing_to(own_redis.url, queue):
        assert celery_app.connection_for_write().port == own_redis.port
        try:
            yield make
        finally:
            for worker in started:
                worker.stop()
