"""``netmark mailing hooks|deliverability`` in-process, and ``bounce-server`` as a real process."""

import json
import os
import signal
import smtplib
import subprocess
import sys
import time

import pytest

from netmark.mailing.feedback_models import FeedbackHook
from netmark.mailing.tests.dnsd import DnsServer
from netmark.mailing.tests.smtpd import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(netmark_cli):
    def run_text(line: str):
        code, out, err = netmark_cli(line)
        return code, out.decode("utf-8"), err

    return run_text


def test_hooks_add_list_remove(run, tmp_path):
    secret = tmp_path / "mailgun.key"
    secret.write_text("key-" + "7" * 32)
    code, out, _err = run(f"mailing hooks add --provider mailgun --secret-file {secret} --json")
    created = json.loads(out)
    assert code == 0 and "/mail/hooks/mailgun/" in created["url"]
    hook = FeedbackHook.unscoped.get(pk=created["id"])
    assert "7777" not in hook.secret_sealed  # sealed at rest
    code, out, _err = run("mailing hooks list")
    assert code == 0 and created["url"] in out
    assert run(f"mailing hooks remove --id {hook.pk}")[0] == 0
    assert FeedbackHook.unscoped.count() == 0
    assert run("mailing hooks add --provider mailgun")[0] == 2


def test_deliverability_exits_1_while_something_is_missing(run, settings):
    records = {("yunling-tea.example", "TXT"): ['"v=spf1 -all"']}
    with DnsServer(records) as server:
        settings.DNS_NAMESERVERS, settings.DNS_PORT, settings.DNS_TIMEOUT_SECONDS = (
            ["127.0.0.1"],
            server.port,
            2,
        )
        code, out, _err = run("mailing deliverability --domain yunling-tea.example --json")
    statuses = {row["check"]: row["status"] for row in json.loads(out)}
    assert code == 1 and statuses["SPF"] == "ok" and statuses["DMARC"] == "missing"


def test_the_bounce_server_command_listens_refuses_strangers_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "NETMARK_DATA_DIR": str(tmp_path),
        "NETMARK_BOUNCE_DOMAIN": "bounce.yunling-tea.example",
    }
    command = [sys.executable, "-m", "netmark.cli", "mailing", "bounce-server", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        with client:
            client.ehlo("test.example")
            client.mail("")
            assert client.rcpt("someone@bounce.yunling-tea.example")[0] == 550
            assert client.rcpt(f"nmb-1-{'a' * 24}@bounce.yunling-tea.example")[0] == 250
    finally:
        process.send_signal(signal.SIGTERM)
        out, _err = process.communicate(timeout=20)
    assert process.returncode == 0
