"""The process supervisor behind ``netmark serve``: stop signals reach every child; one child's
death stops the others."""

import os
import signal
import sys
import threading
import time
from pathlib import Path

from netmark.commands.serve import Supervisor, web_command, worker_command

CHILD = """
import pathlib, signal, sys, time
marker = pathlib.Path(sys.argv[1])
def stop(signum, frame):
    marker.write_text(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
pathlib.Path(sys.argv[1] + ".ready").touch()
time.sleep(60)
"""

CRASH = """
import pathlib, sys, time
while not pathlib.Path({ready!r}).exists():
    time.sleep(0.05)
sys.exit(3)
"""


def child(path: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, str(path)]


def when_ready(paths: list[Path], action) -> threading.Thread:
    def wait_then_act():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(Path(f"{path}.ready").exists() for path in paths):
            time.sleep(0.05)
        action()

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


def test_sigint_stops_every_child_with_sigterm_and_run_returns_zero(tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    supervisor = Supervisor({"web": child(web), "worker": child(worker)}, grace_seconds=10)
    when_ready([web, worker], lambda: os.kill(os.getpid(), signal.SIGINT))
    assert supervisor.run() == 0
    assert (web.read_text(), worker.read_text()) == ("SIGTERM", "SIGTERM")
    assert all(process.returncode == 0 for process in supervisor.children.values())


def test_when_one_child_dies_the_others_are_stopped_and_run_fails(tmp_path):
    web = tmp_path / "web"
    died = []
    wait_then_crash = CRASH.format(ready=f"{web}.ready")
    crash = [sys.executable, "-c", wait_then_crash]
    supervisor = Supervisor({"web": child(web), "worker": crash}, grace_seconds=10)
    assert supervisor.run(lambda name, code: died.append((name, code))) == 1
    assert died == [("worker", 3)]
    assert web.read_text() == "SIGTERM"


def test_signal_handlers_are_restored_after_the_run(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    supervisor = Supervisor({"worker": [sys.executable, "-c", "pass"]}, grace_seconds=5)
    assert supervisor.run() == 1
    assert signal.getsignal(signal.SIGTERM) is before


def test_serve_runs_granian_wsgi_and_a_huey_consumer_that_stops_gracefully():
    web = web_command("127.0.0.1", 8123, 2)
    assert web[1:4] == ["-m", "granian", "--interface"]
    assert web[web.index("--interface") + 1] == "wsgi"
    assert (web[web.index("--port") + 1], web[web.index("--workers") + 1], web[-1]) == (
        "8123",
        "2",
        "netmark.wsgi:application",
    )
    assert worker_command()[1:] == ["-m", "django", "run_huey", "--graceful-signal", "TERM"]
