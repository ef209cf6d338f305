"""Mail benchmark: personalised messages built and DKIM-signed per second, then handed to a local
SMTP sink per second over one pooled connection.

    python bench/mail_build_bench.py [--messages 20000] [--algorithm rsa-sha256|ed25519-sha256]
                                     [--send 5000]

Build: sandboxed Jinja2 subject and HTML per recipient, the automatic plain-text part, MIME with
RFC 2047 headers and CRLF, then the DKIM signature through ``cryptography``. Send: the sink is
aiosmtpd in a separate process on 127.0.0.1 (discarding messages), so its CPU shows in the figure
on a 2-core machine; Debian's postfix ``smtp-sink`` costs less. Memory: peak RSS of this process.
Traffic goes to 127.0.0.1 only.
"""

import argparse
import multiprocessing
import os
import resource
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's netmark
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
os.environ.setdefault("NETMARK_DATA_DIR", "/tmp/netmark-mail-bench")

SUBJECT = '{{ contact.first_name | default("朋友") }}，春季新品上市：云南古树红茶限时八折'
HTML = """<html><body><h1>{{ contact.first_name | default("朋友") }}，您好！</h1>
<p>{{ contact.company | default("") }} 的朋友们，新茶到了。
{% for item in items %}<br>{{ item.name }}：{{ item.price }} 元{% endfor %}</p>
<p><a href="https://yunling-tea.example/spring?utm_source=edm">立即选购</a></p>
<p style="color:#999">不想再收到？<a href="{{ unsubscribe_url }}">退订</a></p></body></html>"""
ITEMS = [
    {"name": "古树红茶", "price": 128},
    {"name": "普洱熟茶", "price": 98},
    {"name": "白毫银针", "price": 268},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sink(port: int, ready) -> None:
    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def build_all(count: int, algorithm: str) -> tuple[list[bytes], float]:
    from netmark.mailing import dkim, mime
    from netmark.mailing.templating import MessageTemplate, contact_context

    pair = dkim.generate_key(algorithm)
    signer = dkim.Signer("yunling-tea.example", "nm1", pair.private_pem)
    template = MessageTemplate(SUBJECT, HTML)
    sender = mime.address("云岭茶业", "news@yunling-tea.example")
    list_id = mime.list_id("春季新品", "spring", "yunling-tea.example")
    kept = []
    started = time.perf_counter()
    for index in range(count):
        email = f"user{index}@qq.com"
        contact = contact_context({"first_name": f"小明{index}" if index % 3 else "", "company": "云岭"})
        url = f"https://mk.example.com/mail/unsubscribe/t{index}/"
        rendered = template.render({"contact": contact, "items": ITEMS, "unsubscribe_url": url})
        message = mime.build_message(
            sender=sender, recipient=email, subject=rendered.subject, html=rendered.html, text=rendered.text,
            key=f"bench:{email}", list_id=list_id, unsubscribe=mime.Unsubscribe(url),
        )  # fmt: skip
        data = signer.sign(mime.to_bytes(message))
        if index < 50_000:
            kept.append(data)
    return kept, time.perf_counter() - started


def send_all(messages: list[bytes], count: int, port: int) -> tuple[float, dict]:
    from netmark.core.addresses import AddressPolicy
    from netmark.mailing import smtp

    config = smtp.ServerConfig("127.0.0.1", port, security="none", policy=AddressPolicy(allow_private=True))
    connection = smtp.Connection(config)
    started = time.perf_counter()
    for index in range(count):
        outcome = connection.send(
            "news@yunling-tea.example", f"user{index}@qq.com", messages[index % len(messages)]
        )
        if outcome.status != smtp.SENT:
            raise SystemExit(f"message {index}: {outcome}")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, dict(connection.stats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--algorithm", default="rsa-sha256", choices=["rsa-sha256", "ed25519-sha256"])
    parser.add_argument("--send", type=int, default=5_000)
    args = parser.parse_args()
    import django

    django.setup()
    messages, build_seconds = build_all(args.messages, args.algorithm)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate, each = args.messages / build_seconds, 1000 * build_seconds / args.messages
    print(f"built and signed ({args.algorithm}): {args.messages} messages in {build_seconds:.2f} s "
          f"= {rate:,.0f} messages/s ({each:.3f} ms each); peak RSS {rss_mb:.0f} MB")  # fmt: skip
    if args.send:
        port = free_port()
        ready = multiprocessing.Event()
        process = multiprocessing.Process(target=sink, args=(port, ready), daemon=True)
        process.start()
        ready.wait(10)
        try:
            send_seconds, stats = send_all(messages, args.send, port)
        finally:
            process.terminate()
        rate = args.send / send_seconds
        print(f"sent to the aiosmtpd sink: {args.send} messages in {send_seconds:.2f} s "
              f"= {rate:,.0f} messages/s on {stats.get('connections')} connection(s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
