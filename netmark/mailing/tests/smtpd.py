"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, a free port, recording what arrives.

``FaultHandler`` answers by the recipient's local part, so one run can mix outcomes:
``busy-*`` 421 at RCPT, ``temp-*`` 451 at RCPT, ``gone-*`` 550 at RCPT, ``cut-*`` closes the
connection after the message content arrived (before the reply), ``flaky<N>-*`` answers 451 the
first N times and then accepts; anything else is accepted.
"""

import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes
    peer: tuple


@dataclass
class FaultHandler:
    messages: list = field(default_factory=list)
    sessions: set = field(default_factory=set)
    attempts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        self.attempts[address] += 1
        flaky = re.match(r"flaky(\d+)-", local)
        if local.startswith("busy-"):
            return "421 4.3.2 Service not available, closing transmission channel"
        if local.startswith("temp-") or (flaky and self.attempts[address] <= int(flaky.group(1))):
            return "451 4.7.1 Greylisted, try again later"
        if local.startswith("gone-"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(rcpt.split("@")[0].startswith("cut-") for rcpt in envelope.rcpt_tos):
            server.transport.close()
            return "250 never seen"
        with self.lock:
            self.sessions.add(session.peer)
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, session.peer)
            )
        return "250 2.0.0 Message accepted"


class SmtpServer:
    def __init__(self, handler=None):
        self.handler = handler or FaultHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages
