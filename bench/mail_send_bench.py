"""Campaign send benchmark: render + build + DKIM-sign + hand to a local SMTP sink, end to end.

    python bench/mail_send_bench.py [--messages 100000] [--processes 2] [--algorithm rsa-sha256]

Each of ``--processes`` worker processes takes its share of the recipients and, per message, runs
the campaign's own ``delivery.compose`` (sandboxed Jinja2 subject and HTML, plain-text part, MIME,
List-Id, one-click unsubscribe token and URL, stable Message-ID), signs it (RSA-2048 through
``cryptography``, the fast path ``sending.prepare`` uses) and sends it over its one pooled
``smtp.Connection``. Nothing is kept, so memory stays flat: each worker reports its peak RSS after
the first 10 % and at the end. The sink is Debian's postfix ``smtp-sink`` (``apt-get install
postfix`` provides /usr/sbin/smtp-sink) on 127.0.0.1; without it, an aiosmtpd sink in another
process (which costs far more CPU). Not measured here: the per-message database updates of the
recipient rows (claim, ``sending``, outcome), which the crash test covers for correctness.
"""

import argparse
import multiprocessing
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's netmark
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
os.environ.setdefault("NETMARK_DATA_DIR", "/tmp/netmark-mail-bench")

SUBJECT = '{{ contact.first_name | default("朋友") }}，春季新品上市：云南古树红茶限时八折'
HTML = """<html><body><h1>{{ contact.first_name | default("朋友") }}，您好！</h1>
<p>{{ contact.city | default("") }}的朋友们，新茶到了：古树红茶 128 元，普洱熟茶 98 元。</p>
<p><a href="https://yunling-tea.example/spring?utm_source=edm">立即选购</a></p>
<p style="color:#999">不想再收到？<a href="{{ unsubscribe_url }}">退订</a></p></body></html>"""
SMTP_SINK = "/usr/sbin/smtp-sink"
CITIES = ["昆明", "上海", "北京", "广州", "成都", ""]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def aiosmtpd_sink(port: int, ready) -> None:
    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    Controller(Discard(), hostname="127.0.0.1", port=port).start()
    ready.set()
    while True:
        time.sleep(3600)


def start_sink(port: int):
    """(process, name): postfix smtp-sink when installed, else aiosmtpd in another process."""
    if shutil.which(SMTP_SINK) or os.path.exists(SMTP_SINK):
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # smtp-sink refuses to run as root
        process = subprocess.Popen([SMTP_SINK, *user, f"127.0.0.1:{port}", "256"])  # noqa: S603 - a fixed binary
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process, "postfix smtp-sink"
            except OSError:
                time.sleep(0.05)
        raise SystemExit("smtp-sink did not start")
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=aiosmtpd_sink, args=(port, ready), daemon=True)
    process.start()
    ready.wait(10)
    return process, "aiosmtpd (no smtp-sink found)"


def worker(index: int, count: int, processes: int, port: int, algorithm: str, pem: bytes, results) -> None:
    import django

    django.setup()
    from netmark.contacts.models import Contact
    from netmark.core.addresses import AddressPolicy
    from netmark.mailing import delivery, dkim, mime, smtp
    from netmark.mailing.campaign_models import Campaign, Recipient
    from netmark.mailing.models import SmtpServer

    server = SmtpServer(pk=1, workspace_id=1, name="sink", host="127.0.0.1", port=port, security="none",
                        from_email="news@yunling-tea.example", from_name="云岭茶业")  # fmt: skip
    campaign = Campaign(pk=7, workspace_id=1, name="春季新品", subject=SUBJECT, html=HTML, server=server)
    signer = dkim.Signer("yunling-tea.example", "nm1", pem)
    config = smtp.ServerConfig("127.0.0.1", port, security="none", policy=AddressPolicy(allow_private=True))
    connection = smtp.Connection(config)
    mine = range(index, count, processes)
    warm = Recipient(pk=1, campaign=campaign, contact=Contact(pk=1, workspace_id=1), email="warm@qq.com")
    signer.sign(mime.to_bytes(delivery.compose(campaign, warm)))  # loads the URL configuration once
    early_rss = 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    for position, number in enumerate(mine):
        email = f"user{number}@qq.com"
        name = f"小明{number}" if number % 3 else ""
        contact = Contact(
            pk=number + 1, workspace_id=1, email=email, name=name, city=CITIES[number % len(CITIES)]
        )
        recipient = Recipient(pk=number + 1, campaign=campaign, contact=contact, email=email)
        data = signer.sign(mime.to_bytes(delivery.compose(campaign, recipient)))
        outcome = connection.send(server.from_email, email, data)
        if outcome.status != smtp.SENT:
            raise SystemExit(f"message {number}: {outcome}")
        if position == len(mine) // 10:
            early_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    connection.close()
    final_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((len(mine), elapsed, early_rss, final_rss, cpu))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--algorithm", default="rsa-sha256", choices=["rsa-sha256", "ed25519-sha256"])
    args = parser.parse_args()
    from netmark.mailing import dkim

    pem = dkim.generate_key(args.algorithm).private_pem
    port = free_port()
    sink, sink_name = start_sink(port)
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=worker, args=(i, args.messages, args.processes, port, args.algorithm, pem, results)
        )
        for i in range(args.processes)
    ]
    try:
        started = time.perf_counter()
        for process in workers:
            process.start()
        done = [results.get(timeout=3600) for _ in workers]
        wall = time.perf_counter() - started
        for process in workers:
            process.join()
    finally:
        sink.terminate()
    sent = sum(row[0] for row in done)
    print(f"{sent} messages rendered, signed ({args.algorithm}) and sent to {sink_name} by "
          f"{args.processes} process(es), one connection each: {wall:.1f} s = {sent / wall:,.0f} messages/s "
          f"(wall clock, worker start-up included)")  # fmt: skip
    for number, (count, elapsed, early, final, cpu) in enumerate(done):
        print(f"  worker {number}: {count} in {elapsed:.1f} s = {count / elapsed:,.0f}/s, "
              f"{1000 * cpu / count:.3f} ms CPU a message; "
              f"peak RSS {early:.0f} MB after 10 %, {final:.0f} MB at the end")  # fmt: skip
    cpu_each = sum(row[4] for row in done) / sent
    print(
        f"CPU per message (worker processes): {1000 * cpu_each:.3f} ms; "
        f"{args.processes} busy cores would send {args.processes / cpu_each:,.0f} messages/s, sink CPU aside"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
