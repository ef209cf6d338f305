"""Security events on the ``netmark.security`` logger, one line each (RELIABILITY.md, LOG).

``<event> ip=<client> at=<UTC ISO time> key=value ...``; user-supplied text has CR/LF escaped.
"""

import logging
from datetime import UTC, datetime

security_log = logging.getLogger("netmark.security")


def escape_log(value) -> str:
    """One log line per event: CR and LF in user-supplied text are escaped, length is capped."""
    text = str(value)
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")[:254]


def log_security(event: str, ip: str, *, level: int = logging.WARNING, **fields) -> None:
    """Failures and throttling are warnings; successful sign-ins and account changes are info."""
    parts = [event, f"ip={escape_log(ip or '-')}", f"at={datetime.now(UTC).isoformat(timespec='seconds')}"]
    parts += [f"{key}={escape_log(value)}" for key, value in fields.items()]
    security_log.log(level, " ".join(parts))


def log_member_event(event: str, request, **fields) -> None:
    """A security event of an authenticated API or page request, with workspace and actor."""
    member = getattr(request, "member", None)
    if member is not None:
        fields = {"workspace": member.workspace.slug, "actor": member.label, **fields}
    log_security(event, request.META.get("REMOTE_ADDR", ""), path=request.path, **fields)
