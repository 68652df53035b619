"""Faults planted in a real worker's pool processes (``celery worker --include``).

``RELIABILITY_CRASH_ONCE`` names a file: the first pool process to reach the
fault point creates it and dies by SIGKILL there, as if the machine lost power;
every later run passes. ``RELIABILITY_CRASH_AT`` names the fault point:

- ``notify``: the assignment-complete check, just before it notifies.
"""

import os
import signal

from celery.signals import worker_process_init


def _die_once() -> None:
    try:
        fd = os.open(os.environ["RELIABILITY_CRASH_ONCE"], os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


@worker_process_init.connect
def plant_fault(**kwargs) -> None:
    if os.environ.get("RELIABILITY_CRASH_AT") != "notify":
        return
    from sales import tasks

    notify = tasks.notify

    def notify_after_crash(**kwargs):
        if kwargs["kind"] == "assignment_complete":
            _die_once()
        return notify(**kwargs)

    tasks.notify = notify_after_crash
