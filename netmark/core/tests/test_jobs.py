"""Jobs: JSON messages, arguments that round-trip in tests too, a real consumer, Redis storage.

ARCHITECTURE.md, "Jobs that cannot be lost": tasks take ids or JSON, the consumer shuts down
gracefully on SIGTERM (the job in flight finishes), and at least one test runs a real consumer.
"""

import datetime
import hmac
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from huey import MemoryHuey

from netmark.core import jobs
from netmark.core.tests.servers import serving

MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
UTC = datetime.UTC


@pytest.fixture
def queue():
    queue = MemoryHuey(f"netmark-test-{uuid.uuid4().hex}", serializer=jobs.JSONSerializer(), utc=True)

    @queue.task()
    def send_report(report_id, recipients, options=None):
        return {"report": report_id, "sent": len(recipients), "options": options}

    queue.send_report = send_report
    return queue


def test_a_message_round_trips_as_json_with_its_eta_and_expiry(queue):
    eta = datetime.datetime(2026, 3, 8, 1, 30, 15)
    task = queue.send_report.s(42, ["王芳 <wang@example.com>"], options={"pdf": True}, eta=eta, expires=3600)
    task.resolve_expires(utc=True)
    data = queue.serialize_task(task)
    restored = queue.deserialize_task(data)
    assert (restored.id, restored.name, restored.eta, restored.expires_resolved) == (
        task.id,
        task.name,
        eta,
        task.expires_resolved,
    )
    assert (restored.args, restored.kwargs) == ((42, ["王芳 <wang@example.com>"]), {"options": {"pdf": True}})
    message = json.loads(zlib.decompress(data))["__huey_message__"]
    assert message[2] == {"__dt__": "2026-03-08T01:30:15"}
    assert message[11] == {"__dt__": task.expires_resolved.isoformat()}


def test_a_scheduled_task_keeps_its_eta_in_storage(queue):
    eta = datetime.datetime(2030, 1, 1, 8, 0)
    queue.send_report.schedule(args=(7, []), eta=eta)
    queue.execute(queue.dequeue())  # not due: the consumer moves it to the schedule
    (scheduled,) = queue.scheduled()
    assert (scheduled.args, scheduled.eta) == ((7, []), eta)


def test_a_queued_task_runs_with_its_arguments(queue):
    result = queue.send_report(5, ["a@example.com", "b@example.com"])
    queue.execute(queue.dequeue())
    assert result.get() == {"report": 5, "sent": 2, "options": None}


@pytest.mark.parametrize(
    "argument",
    [object(), datetime.date(2026, 1, 1), Decimal("1.50"), {1, 2}, b"bytes"],
    ids=["object", "date", "decimal", "set", "bytes"],
)
def test_arguments_that_are_not_json_are_refused(queue, argument):
    with pytest.raises(TypeError, match="task arguments must be JSON"):
        queue.send_report(argument, [])
    assert queue.pending_count() == 0


def test_immediate_mode_still_round_trips_arguments_through_json():
    immediate = jobs.SqliteHuey("netmark-immediate-test", immediate=True, serializer=jobs.JSONSerializer())

    @immediate.task()
    def echo(value):
        return value

    assert echo(("a", ("b",))).get() == ["a", ["b"]]
    with pytest.raises(TypeError, match="task arguments must be JSON"):
        echo(datetime.datetime.now(tz=UTC))


# --- a real consumer process ----------------------------------------------------------------------

SEED = """
from django.db import transaction
from netmark.core import services, webhooks
workspace = services.create_workspace(None, "云岭 consumer test", slug="jobs")
subscription = webhooks.create_subscription(services.operator_member(workspace), {url!r}, [], "")
with transaction.atomic():
    (delivery,) = webhooks.emit(workspace, "plan.created", {{"name": "春茶"}})
print(subscription.secret)
"""


def manage(env, *args):
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=300, check=True
    )


@pytest.fixture
def consumer_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETMARK_")}
    env.update(
        NETMARK_DATA_DIR=str(tmp_path),
        NETMARK_HUEY_IMMEDIATE="false",
        NETMARK_ALLOW_PRIVATE_ADDRESSES="true",
        NETMARK_WORKERS="1",
        NETMARK_SECRET_KEY="consumer-test-" + uuid.uuid4().hex,
    )
    manage(env, "migrate", "--verbosity", "0")
    return env


@pytest.fixture
def slow_receiver():
    """Answers 204 only when the test releases it, so SIGTERM arrives with the job in flight."""
    received, release = threading.Event(), threading.Event()

    def respond(request):
        received.set()
        release.wait(timeout=20)
        request.answer(204)

    with serving(respond) as server:
        server.received, server.release = received, release
        yield server
        release.set()


def test_a_real_consumer_runs_the_job_and_finishes_it_on_sigterm(tmp_path, consumer_env, slow_receiver):
    secret = manage(consumer_env, "shell", "-c", SEED.format(url=slow_receiver.url("/hook"))).stdout.split()[
        -1
    ]
    log_path = tmp_path / "consumer.log"
    with log_path.open("w") as log:
        consumer = subprocess.Popen(
            [sys.executable, str(MANAGE), "run_huey"], env=consumer_env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        assert slow_receiver.received.wait(timeout=30), log_path.read_text()
        consumer.send_signal(signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            consumer.wait(timeout=0.5)  # still finishing the delivery in flight
        slow_receiver.release.set()
        assert consumer.wait(timeout=20) == 0
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    output = log_path.read_text()
    assert "Received SIGTERM" in output and "All workers have stopped" in output
    (request,) = slow_receiver.requests
    expected = hmac.new(
        secret.encode(), request.headers["X-Netmark-Timestamp"].encode() + b"." + request.body, "sha256"
    )
    assert request.headers["X-Netmark-Signature"] == "sha256=" + expected.hexdigest()
    with sqlite3.connect(tmp_path / "netmark.db") as database:
        row = database.execute(
            "SELECT status, attempts, response_status FROM core_webhookdelivery"
        ).fetchall()
    assert row == [("delivered", 1, 204)]


# --- Redis storage (the test command starts a private Redis) --------------------------------------


@pytest.mark.redis
def test_tasks_round_trip_through_redis():
    url = os.environ.get("NETMARK_TEST_REDIS_URL")
    if not url:
        pytest.fail(
            "NETMARK_TEST_REDIS_URL is not set. The test command (make check) starts a private Redis and "
            "sets it; to run this test alone, start one (redis-server --port 6390 --save '') and export "
            "NETMARK_TEST_REDIS_URL=redis://127.0.0.1:6390/0."
        )
    queue = jobs.PriorityRedisHuey(
        f"netmark-test-{uuid.uuid4().hex}", url=url, serializer=jobs.JSONSerializer()
    )
    try:

        @queue.task()
        def total(amounts, currency="CNY"):
            return {"total": sum(amounts), "currency": currency}

        result = total([120, 80], currency="CNY")
        eta = datetime.datetime(2031, 5, 1, 9, 0)
        total.schedule(args=([1],), eta=eta)
        assert queue.pending_count() == 2
        first, _second = queue.storage.enqueued_items()
        assert json.loads(zlib.decompress(first))["__huey_message__"][6] == [[120, 80]]
        queue.execute(queue.dequeue())
        queue.execute(queue.dequeue())
        assert result.get() == {"total": 200, "currency": "CNY"}
        (scheduled,) = queue.scheduled()
        assert (scheduled.args, scheduled.eta) == (([1],), eta)
    finally:
        queue.flush()
