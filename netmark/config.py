"""Typed readers for ``NETMARK_*`` environment variables.

Each helper raises ``ImproperlyConfigured`` on a bad value so a typo stops start-up with a
message instead of running with a silent default. ``env_secret`` also reads ``NETMARK_X_FILE``.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "NETMARK_"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_secret(name: str, data_dir: Path) -> str:
    """The secret from ``NETMARK_<name>``, ``NETMARK_<name>_FILE`` or a file generated on first run."""
    if value := os.environ.get(PREFIX + name):
        return value
    if path := os.environ.get(PREFIX + name + "_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    generated = data_dir / name.lower()
    if not generated.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(generated, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return generated.read_text(encoding="utf-8").strip()
