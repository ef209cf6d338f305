"""Mail feedback benchmark: what the tracking and bounce paths cost.

    python bench/mail_feedback_bench.py [--messages 20000] [--events 2000] [--bounces 500] [--runs 3]

- decorate: ``tracking.decorate_html`` on a campaign body with 4 links (4 signed click URLs, pixel,
  honeypot), per message, as the sender calls it once per recipient;
- sent rows: ``events.record_sent`` per message (one INSERT each);
- clicks: ``tracking.record_click`` end to end (token check, the sent row, machine verdict,
  ``MailEvent``, an event in the analytics store, the contact's timeline);
- DSN parsing: ``reports.parse`` of the Postfix hard-bounce sample;
- receiver: DSNs over one SMTP connection (smtplib) to the aiosmtpd bounce receiver on 127.0.0.1,
  each applied (suppression, event, timeline) before the 250.

Each figure is the median of ``--runs``, as wall-clock rate and as CPU time of this process per
operation (the receiver's threads included; the SMTP client is in the same process). A fresh
SQLite database in a temporary data folder; traffic goes to 127.0.0.1 only.
"""

import argparse
import os
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's netmark
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
os.environ.setdefault("NETMARK_DATA_DIR", tempfile.mkdtemp(prefix="netmark-feedback-bench-"))
SAMPLE = Path("/work/shared/samples/email/dsn_postfix_hard_bounce_5.1.1.eml")
SAMPLE_PATH = b"bounces+zhangwei=qq.example@bounce.yunling-tea.example"
BODY = """<html><body><h1>小明，您好！</h1><p>新茶到了。</p>
<p><a href="https://yunling-tea.example/spring">立即选购</a>
<a href="https://yunling-tea.example/puer?id=3">普洱</a>
<a href="https://yunling-tea.example/baicha">白茶</a>
<a href="https://m.yunling-tea.example/app">下载 App</a></p>
<p style="color:#999">不想再收到？<a href="https://mk.example.com/mail/unsubscribe/t/">退订</a></p></body></html>"""
UTM = {"utm_source": "edm", "utm_medium": "email", "utm_campaign": "spring-2027"}
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"


def timed(function, count: int) -> tuple[float, float]:
    """(operations per second of wall time, CPU milliseconds of this process per operation): on a
    shared 2-core machine the CPU figure is the one that does not move with the other load."""
    started, cpu = time.perf_counter(), time.process_time()
    function(count)
    return count / (time.perf_counter() - started), 1000 * (time.process_time() - cpu) / count


def setup():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from netmark.core import services

    user, _created = services.find_or_create_user("bench@example.com", password=None)
    return services.create_workspace(user, "云岭茶业 bench", slug=f"bench-{int(time.time() * 1000)}")


def bench_decorate(workspace, count: int) -> None:
    from netmark.mailing import tracking

    for index in range(count):
        tracking.decorate_html(
            BODY, workspace_id=workspace.pk, campaign_id=1, variant="A", contact_id=index,
            recipient=f"user{index}@qq.com", message_key=f"1:user{index}@qq.com", utm=UTM,
        )  # fmt: skip


def bench_sent(workspace, offset: int, count: int) -> None:
    from netmark.mailing import events, verp

    for index in range(offset, offset + count):
        key = f"1:user{index}@qq.com"
        tag = verp.message_tag(workspace.pk, key)
        events.record_sent(
            workspace.pk,
            campaign_id=1,
            variant="A",
            contact_id=None,
            recipient=f"user{index}@qq.com",
            message_tag=tag,
        )


def click_tokens(workspace, offset: int, count: int) -> list[str]:
    import re

    from netmark.mailing import tracking

    tokens = []
    for index in range(offset, offset + count):
        html = tracking.decorate_html(
            BODY, workspace_id=workspace.pk, campaign_id=1, variant="A", contact_id=None,
            recipient=f"user{index}@qq.com", message_key=f"1:user{index}@qq.com", utm=UTM,
        )  # fmt: skip
        tokens.append(re.search(r"/mail/t/c/([^/\"]+)/", html).group(1))
    return tokens


def clicks(tokens: list[str]) -> None:
    from netmark.mailing import tracking

    for token in tokens:
        tracking.record_click(token, user_agent=AGENT, ip="198.51.100.9")


def bench_receiver(workspace, offset: int, count: int) -> tuple[float, float]:
    from netmark.mailing import bounce_server, verp

    controller, _handler = bounce_server.start("127.0.0.1", free_port())
    raw = SAMPLE.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    def deliver(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            for index in range(offset, offset + n):
                address = verp.return_path(workspace.pk, f"1:user{index}@qq.com")
                client.sendmail("", [address], raw.replace(SAMPLE_PATH, address.encode()))

    try:
        return timed(deliver, count)
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--bounces", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workspace = setup()
    from django.conf import settings

    from netmark.mailing import reports

    settings.BOUNCE_DOMAIN = "bounce.yunling-tea.example"
    bench_decorate(workspace, 1)  # warm-up: the URL configuration loads on the first reverse
    figures: dict[str, list[tuple[float, float]]] = {
        "decorate": [],
        "sent": [],
        "click": [],
        "parse": [],
        "receiver": [],
    }
    raw = SAMPLE.read_bytes()
    offset = 0
    for _run in range(args.runs):
        figures["decorate"].append(timed(lambda n: bench_decorate(workspace, n), args.messages))
        figures["sent"].append(timed(lambda n, o=offset: bench_sent(workspace, o, n), args.events))
        tokens = click_tokens(workspace, offset, args.events)
        figures["click"].append(timed(lambda n, t=tokens: clicks(t[:n]), args.events))
        figures["parse"].append(timed(lambda n: [reports.parse(raw) for _ in range(n)], args.messages // 4))
        figures["receiver"].append(bench_receiver(workspace, offset, args.bounces))
        offset += args.events
    for name, values in figures.items():
        rates, cpu = [rate for rate, _ms in values], [ms for _rate, ms in values]
        runs = ", ".join(f"{rate:,.0f}" for rate in rates)
        each = statistics.median(cpu)
        print(f"{name:9s} median {statistics.median(rates):>8,.0f}/s (runs {runs}); "
              f"CPU {each:.3f} ms each, {1000 / each:,.0f}/s of one core")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
