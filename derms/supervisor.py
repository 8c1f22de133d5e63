"""Run a few server processes as one: stop them all on a signal, or as soon as one of them dies."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence

logger = logging.getLogger(__name__)

#: How long a process gets to finish its requests after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.5


def supervise(commands: Mapping[str, Sequence[str]]) -> int:
    """Start every command, wait, and return 0 after SIGINT/SIGTERM or 1 when a process exited by itself."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            # A session of its own: Ctrl-C reaches only us, and we stop the processes in order.
            processes[name] = subprocess.Popen(command, start_new_session=True)
            logger.info("started %s (pid %s)", name, processes[name].pid)
        failed = _wait_for_stop_or_exit(processes, stop)
    finally:
        _stop_all(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0


def _wait_for_stop_or_exit(processes: Mapping[str, subprocess.Popen], stop: threading.Event) -> bool:
    while not stop.wait(POLL_SECONDS):
        for name, process in processes.items():
            if process.poll() is not None:
                logger.error("%s exited with status %s; stopping the others", name, process.returncode)
                return True
    return False


def _stop_all(processes: Mapping[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for name, process in processes.items():
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %ss; killing it", name, STOP_GRACE_SECONDS)
            process.kill()
            process.wait()
