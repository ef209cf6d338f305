"""netmark's own SMTP receiver for bounces and complaints (aiosmtpd; ``netmark mailing
bounce-server``). Point the bounce domain's MX record at it (README, "Bounces").

It accepts a recipient only when the address is a return path netmark made (``verp``) or the
feedback-loop address ``nmf@<bounce domain>``, and refuses everything else at RCPT, so it is no open
relay and no spam sink. A message is answered ``250`` only after its bounces and complaints are
committed (``feedback.receive_message``); on any failure it answers ``451`` and the sending MTA
tries again later: a report acknowledged is a report applied.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections

from netmark.mailing import feedback, verp

log = logging.getLogger("netmark.mailing")
FEEDBACK_LOCAL_PART = "nmf"
MAX_RECIPIENTS = 50


def accepts(address: str) -> bool:
    local, _at, domain = str(address or "").rpartition("@")
    if verp.parse(address) is not None:
        return True
    return local.lower() == FEEDBACK_LOCAL_PART and domain.lower() == settings.BOUNCE_DOMAIN.lower()


def _apply(raw: bytes, recipients: list[str]) -> int:
    close_old_connections()
    try:
        return len(feedback.receive_message(raw, recipients))
    finally:
        close_old_connections()


@dataclass
class BounceHandler:
    """The aiosmtpd handler; ``received`` counts the reports applied (for tests and logs)."""

    received: int = 0
    refused: int = 0
    errors: list = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if not accepts(address):
            self.refused += 1
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        if len(raw) > settings.BOUNCE_MAX_BYTES:
            return "552 5.3.4 Message too big"
        loop = asyncio.get_running_loop()
        try:
            applied = await loop.run_in_executor(None, _apply, raw, list(envelope.rcpt_tos))
        except Exception as error:  # noqa: BLE001 - answered 451: the sender keeps the report and retries
            log.exception("bounce report not applied")
            self.errors.append(repr(error))
            return "451 4.3.0 Try again later"
        self.received += applied
        return "250 OK"


class BounceController(Controller):
    """aiosmtpd's threaded controller with netmark's limits (no SMTPUTF8 needed, size cap)."""

    def __init__(self, handler: BounceHandler, *, hostname: str, port: int):
        super().__init__(handler, hostname=hostname, port=port, ready_timeout=10)

    def factory(self):
        return SMTP(
            self.handler,
            data_size_limit=settings.BOUNCE_MAX_BYTES,
            enable_SMTPUTF8=True,
            hostname=settings.BOUNCE_DOMAIN,
        )


def start(host: str | None = None, port: int | None = None) -> tuple[BounceController, BounceHandler]:
    handler = BounceHandler()
    controller = BounceController(
        handler, hostname=host or settings.BOUNCE_SMTP_HOST, port=port or settings.BOUNCE_SMTP_PORT
    )
    controller.start()
    return controller, handler
