"""A worker running drip sequences is killed with SIGKILL again and again and restarted (real
processes on a file database, a real SMTP server counting every message).

Proven at the end: every enrollment ran each step exactly once (history, tags, timeline notes);
every contact got the email; the only duplicates are messages in flight at a kill, resent with the
same Message-ID and marked ``was_uncertain``."""

import email
import os
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter

import pytest

from netmark.mailing.tests import smtpd
from netmark.mailing.tests.test_campaign_crash import MANAGE, kill, manage, wait_for

CONTACTS, KILLS = 120, 4

SEED = """
from django.utils import timezone
from netmark.contacts.consent import record_consent
from netmark.contacts.models import Contact
from netmark.core import services
from netmark.mailing import drip_triggers
from netmark.mailing.campaign_models import MailingList, Subscription
from netmark.mailing.drip_models import Sequence, SequenceStep
from netmark.mailing.models import SmtpServer
workspace = services.create_workspace(None, "云岭 drip crash", slug="drip-crash")
server = SmtpServer.unscoped.create(workspace=workspace, name="sink", host="127.0.0.1", port={port},
    security="none", from_email="news@yunling-tea.example", from_name="云岭茶业", per_second=0)
the_list = MailingList.unscoped.create(workspace=workspace, name="春季新品", server=server)
sequence = Sequence.unscoped.create(workspace=workspace, name="欢迎", trigger="subscribed",
    mailing_list=the_list, server=server, status="active")
for position, (kind, config) in enumerate([
        ("email", {{"subject": "{{{{ contact.first_name }}}}，欢迎", "html": "<p>您好</p>"}}),
        ("tag", {{"tag": "已欢迎"}}), ("notify", {{"text": "欢迎信已发出"}})]):
    SequenceStep.unscoped.create(workspace=workspace, sequence=sequence, position=position, kind=kind,
        config=config)
for i in range({count}):
    contact = Contact.unscoped.create(workspace=workspace, email=f"d{{i}}@example.com", name=f"读者{{i}}")
    Subscription.unscoped.create(workspace=workspace, mailing_list=the_list, contact=contact,
        status="confirmed", subscribed_at=timezone.now(), confirmed_at=timezone.now())
    record_consent(contact, "email_marketing", "granted", source="test")
    drip_triggers.enroll(sequence, contact)
"""

WORKER = """
import time
from django.conf import settings
from netmark.mailing import drips
settings.DRIP_LEASE_SECONDS = 1
while True:
    drips.tick(limit=5)
    time.sleep(0.02)
"""


def worker(env, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, str(MANAGE), "shell", "-c", WORKER],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


@pytest.fixture
def crash_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETMARK_")}
    env.update(
        NETMARK_DATA_DIR=str(tmp_path),
        NETMARK_HUEY_IMMEDIATE="false",
        NETMARK_ALLOW_PRIVATE_ADDRESSES="true",
        NETMARK_SECRET_KEY="drip-crash-" + uuid.uuid4().hex,
    )
    manage(env, "migrate", "--verbosity", "0")
    return env


def test_kill_9_mid_sequence_runs_every_step_once(crash_env, tmp_path):
    database = sqlite3.connect(tmp_path / "netmark.db", timeout=30)
    done = lambda: database.execute(  # noqa: E731
        "SELECT COUNT(*) FROM mailing_enrollment WHERE state = 'done'"
    ).fetchone()[0]
    with smtpd.SmtpServer() as sink:
        manage(crash_env, "shell", "-c", SEED.format(port=sink.port, count=CONTACTS))
        with open(tmp_path / "worker.log", "ab") as log:
            for kill_number in range(1, KILLS + 1):
                process = worker(crash_env, log)
                before = len(sink.messages)
                try:
                    target = min(CONTACTS, kill_number * CONTACTS // (KILLS + 1))
                    wait_for(lambda: len(sink.messages) >= target, 120, "progress")  # noqa: B023
                finally:
                    kill(process)
                assert len(sink.messages) > before, "the kill did not happen mid-sequence"
            process = worker(crash_env, log)
            try:
                wait_for(lambda: done() == CONTACTS, 300, "every enrollment to finish")
            finally:
                kill(process)
        received = Counter(message.rcpt_tos[0] for message in sink.messages)
        ids: dict[str, set] = {}
        for message in sink.messages:
            ids.setdefault(message.rcpt_tos[0], set()).add(
                email.message_from_bytes(message.data)["Message-ID"]
            )
    assert set(received) == {f"d{i}@example.com" for i in range(CONTACTS)}
    assert all(len(found) == 1 for found in ids.values())  # a resend keeps the Message-ID
    rows = database.execute("SELECT email, state, was_uncertain FROM mailing_dripmessage").fetchall()
    assert Counter(state for _e, state, _u in rows) == {"sent": CONTACTS}
    uncertain = {address for address, _s, was_uncertain in rows if was_uncertain}
    duplicated = {address for address, count in received.items() if count > 1}
    assert duplicated <= uncertain and len(uncertain) <= KILLS
    histories = database.execute("SELECT history FROM mailing_enrollment").fetchall()
    assert {history for (history,) in histories if history.count('"result"') != 3} == set()
    tags = database.execute(
        "SELECT contact_id, COUNT(*) FROM contacts_contact_tags GROUP BY contact_id"
    ).fetchall()
    notes = database.execute(
        "SELECT contact_id, COUNT(*) FROM contacts_interaction WHERE kind = 'drip_note' GROUP BY contact_id"
    ).fetchall()
    assert len(tags) == len(notes) == CONTACTS and {n for _c, n in tags + notes} == {1}
    print(f"DRIP-CRASH {CONTACTS} contacts, {KILLS} kills: {len(uncertain)} uncertain, "
          f"{sum(received.values()) - CONTACTS} duplicates received")  # fmt: skip
