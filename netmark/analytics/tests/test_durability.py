"""ING-DUR: an event answered 2xx survives a kill -9 of the production server.

A real granian server (as ``netmark serve`` starts it) on the embedded SQLite default takes a load
from four client threads on loopback; the whole process group is killed with SIGKILL mid-load; after
a restart of nothing but the processor, every acknowledged event is in the store.
"""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

from netmark.commands.serve import web_command

CLIENTS = 4
SETUP = """
import django
django.setup()
from netmark.core.models import Workspace
from netmark.analytics.models import Site
workspace = Workspace.objects.create(name="Durable", slug="durable")
Site.unscoped.create(workspace=workspace, name="Durable", domain="durable.example")
"""
UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(data_dir) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETMARK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="netmark.settings",
        NETMARK_DATA_DIR=str(data_dir),
        NETMARK_INGEST_PER_IP_MINUTE="0",
        NETMARK_SECRET_KEY="durability-test-secret",
    )
    return env


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)


def wait_until_serving(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def load(port: int, stop: threading.Event, acked: list[int], errors: list[str]) -> None:
    sent = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    while not stop.is_set() and sent < 20_000:
        body = json.dumps(
            {"name": "pageview", "url": f"https://durable.example/{sent}", "domain": "durable.example"}
        )
        try:
            connection.request("POST", "/api/event", body, {"Content-Type": "text/plain", "User-Agent": UA})
            response = connection.getresponse()
            response.read()
            if response.status == 202:
                acked.append(1)
            sent += 1
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            return  # the server is gone


def test_acknowledged_events_survive_kill_9(tmp_path):
    env = child_env(tmp_path)
    run([sys.executable, "-m", "netmark.cli", "migrate"], env)
    run([sys.executable, "-c", SETUP], env)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command line
        web_command("127.0.0.1", port, 2), env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_serving(port, time.monotonic() + 60)
        stop, acked, errors = threading.Event(), [], []
        threads = [threading.Thread(target=load, args=(port, stop, acked, errors)) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acked) < 1500 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-load, no chance to flush anything
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert len(acked) >= 1500, "the load did not get going"
    run([sys.executable, "-m", "netmark.cli", "analytics", "process"], env)
    with sqlite3.connect(tmp_path / "events.db") as events, sqlite3.connect(tmp_path / "inbox.db") as inbox:
        stored = events.execute("SELECT COUNT(*) FROM nm_events").fetchone()[0]
        left = inbox.execute("SELECT COUNT(*) FROM nm_inbox").fetchone()[0]
        integrity = events.execute("PRAGMA integrity_check").fetchone()[0]
    assert left == 0
    assert integrity == "ok"
    # Every acknowledged event is stored; at most the requests in flight at the kill were stored
    # without their answer reaching the client.
    assert len(acked) <= stored <= len(acked) + CLIENTS
