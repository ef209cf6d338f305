"""IMAP bounce mailbox benchmark: what polling a mailbox costs per report, against a real dovecot.

    python bench/mail_imap_bench.py [--reports 300] [--others 50] [--after move|delete]

Starts a private dovecot on 127.0.0.1 (the tests' ``dovecot.Dovecot``: needs Debian's
``dovecot-imapd``), APPENDs ``--reports`` hard-bounce DSNs (the Postfix sample, each for a message
really recorded as sent) and ``--others`` plain messages, then times one ``polling.poll``: fetch,
parse, apply (suppression, event, timeline) and move or delete, per message. A fresh SQLite database
in a temporary data folder; traffic goes to 127.0.0.1 only.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's netmark
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
os.environ.setdefault("NETMARK_DATA_DIR", tempfile.mkdtemp(prefix="netmark-imap-bench-"))
os.environ.setdefault("NETMARK_ALLOW_PRIVATE_ADDRESSES", "true")  # the private dovecot on loopback
os.environ.setdefault("NETMARK_BOUNCE_DOMAIN", "bounce.yunling-tea.example")
SAMPLE = Path("/work/shared/samples/email/dsn_postfix_hard_bounce_5.1.1.eml")
SAMPLE_PATH = b"bounces+zhangwei=qq.example@bounce.yunling-tea.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--others", type=int, default=50)
    parser.add_argument("--after", choices=["move", "delete"], default="move")
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from netmark.core import services as core
    from netmark.core.models import Member
    from netmark.core.roles import Role
    from netmark.mailing import events, polling, services, verp
    from netmark.mailing.tests.dovecot import PASSWORD, USER, Dovecot

    user, _created = core.find_or_create_user("bench@example.com", password=None)
    workspace = core.create_workspace(user, "云岭茶业 bench", slug=f"bench-{int(time.time() * 1000)}")
    owner = Member.unscoped.get(workspace=workspace, role=Role.OWNER)
    raw = SAMPLE.read_bytes()
    with Dovecot() as server:
        for number in range(args.reports):
            recipient = f"user{number}@qq.example"
            key = f"1:{recipient}"
            events.record_sent(workspace.pk, campaign_id=1, variant="A", contact_id=None, recipient=recipient,
                               message_tag=verp.message_tag(workspace.pk, key))  # fmt: skip
            report = raw.replace(SAMPLE_PATH, verp.return_path(workspace.pk, key).encode())
            server.append(report.replace(b"<20261020021542.7E2A91E0F3C@", f"<{number}.bench@".encode()))
        for number in range(args.others):
            server.append(f"Subject: hello {number}\n\nnot a report\n".encode())
        mailbox = services.create_mailbox(
            owner, name="bench", host="127.0.0.1", port=server.port, security="none", username=USER,
            password=PASSWORD, after=args.after,
        )  # fmt: skip
        started, cpu = time.perf_counter(), time.process_time()
        result = polling.poll(mailbox.pk)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
    total = result.seen or 1
    print(f"poll: {result.status} seen={result.seen} reports={result.reports} applied={result.applied} "
          f"others={result.others} error={result.error!r}")  # fmt: skip
    print(f"{wall:.2f} s wall, {result.seen / wall:.0f} messages/s, {1000 * wall / total:.1f} ms a message; "
          f"netmark CPU {1000 * used / total:.1f} ms a message (not dovecot's)")  # fmt: skip


if __name__ == "__main__":
    main()
