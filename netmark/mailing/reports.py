"""Parsing what receivers send back: delivery status notifications (RFC 3464) and abuse feedback
reports (ARF, RFC 5965) into ``Report`` items. Parsing only: ``feedback`` applies them.

Hard or soft is decided from the ``Status`` code and the ``Action``: ``delayed`` (still being
retried) is no bounce at all; ``failed`` with ``5.x.x`` is hard, except ``5.7.x`` (policy, spam
blocks) and ``5.2.2`` (mailbox full), which say nothing about whether the address exists and so
count as soft; ``failed`` with ``4.x.x`` (given up after retries) is soft. Each item keeps the
return path of the original message when the report includes it (the VERP names the message).
"""

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
HARD, SOFT, DELAYED, COMPLAINT = "bounce_hard", "bounce_soft", "delayed", "complaint"


@dataclass(frozen=True)
class Report:
    kind: str  # bounce_hard, bounce_soft, delayed, complaint
    recipient: str
    status: str = ""
    detail: str = ""
    return_path: str = ""  # of the original message, when the report carried it
    report_id: str = ""  # the report's own Message-ID (a redelivery repeats it)


def _address(value) -> str:
    text = str(value or "").strip()
    if ";" in text:  # "rfc822; user@example.com"
        text = text.split(";", 1)[1]
    return text.strip().strip("<>").strip().lower()


def classify_status(action: str, status: str) -> str:
    action = (action or "").strip().lower()
    if action == "delayed":
        return DELAYED
    found = STATUS.search(status or "")
    if found is None:
        return SOFT if action == "failed" else ""
    klass, subject, detail = found.groups()
    if klass == "2":
        return ""
    if klass == "4" or subject == "7" or (subject, detail) == ("2", "2"):
        return SOFT
    return HARD


def parse(raw: bytes) -> list[Report]:
    """The bounce or complaint items of one received message ([] when it is neither)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report_id = str(message.get("Message-ID", "") or "").strip()[:200]
    if message.get_content_type() != "multipart/report":
        return []
    report_type = (message.get_param("report-type") or "").lower()
    original = _original(message)
    return_path = _address(original.get("Return-Path", "")) if original is not None else ""
    if report_type == "delivery-status":
        return _dsn(message, return_path, report_id)
    if report_type == "feedback-report":
        return _arf(message, original, return_path, report_id)
    return []


def _parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    return payload if isinstance(payload, list) else []


def _original(message: Message) -> Message | None:
    for part in _parts(message):
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            return inner[0] if isinstance(inner, list) and inner else None
        if kind == "text/rfc822-headers":
            return email.message_from_string(str(part.get_payload()), policy=email.policy.compat32)
    return None


def _one_line(value) -> str:
    return " ".join(str(value or "").split())[:500]


def _dsn(message: Message, return_path: str, report_id: str) -> list[Report]:
    found = []
    for part in _parts(message):
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks[1:] if isinstance(blocks, list) else []:  # [0]: per-message fields
            recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
            kind = classify_status(block.get("Action", ""), block.get("Status", ""))
            if not recipient or not kind:
                continue
            status = STATUS.search(block.get("Status", "") or "")
            found.append(
                Report(
                    kind=kind,
                    recipient=recipient,
                    status=status.group(0) if status else "",
                    detail=_one_line(block.get("Diagnostic-Code", "")),
                    return_path=return_path,
                    report_id=report_id,
                )
            )
    return found


def _arf(message: Message, original: Message | None, return_path: str, report_id: str) -> list[Report]:
    fields = None
    for part in _parts(message):
        if part.get_content_type() == "message/feedback-report":
            inner = part.get_payload()
            fields = inner[0] if isinstance(inner, list) and inner else None
    if fields is None:
        return []
    recipient = _address(fields.get("Original-Rcpt-To", ""))
    if not recipient and original is not None:
        recipient = _address(original.get("To", ""))
    return_path = return_path or _address(fields.get("Original-Mail-From", ""))
    feedback_type = _one_line(fields.get("Feedback-Type", "abuse")).lower()
    if feedback_type not in ("abuse", "fraud", "virus", "other", "not-spam"):
        feedback_type = "other"
    if feedback_type == "not-spam" or not (recipient or return_path):
        return []
    agent = _one_line(fields.get("User-Agent", ""))
    detail = f"{feedback_type} ({agent})" if agent else feedback_type
    return [Report(COMPLAINT, recipient, "", detail[:500], return_path, report_id)]
