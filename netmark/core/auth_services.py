"""Signing in: throttled password checks, TOTP two-factor devices and the security log.

Unknown addresses and wrong passwords are indistinguishable: both run the password hasher, both
count against the same per-address and per-IP limits, and both answer ``None``. Failures are
counted in fixed windows (``core.ratelimit``); once an address or an IP passes its limit, every
attempt is refused unchecked until the window's lock runs out, so guessing stops at the limit.
"""

import hashlib
import logging
from datetime import UTC, datetime

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from netmark.core.errors import RateLimited
from netmark.core.ratelimit import hit
from netmark.core.securitylog import escape_log, log_security  # noqa: F401 - re-exported

FAILURE_WINDOW_SECONDS = 15 * 60
ACCOUNT_FAILURE_LIMIT = 5  # per address per window
IP_FAILURE_LIMIT = 20  # per client IP per window
CODE_FAILURE_LIMIT = 5  # wrong two-factor codes per user per window
RESET_REQUEST_LIMIT = 5  # password-reset requests per IP per window
DEVICE_NAME = "netmark"


def _address_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _lock_key(scope: str, key: str) -> str:
    return f"signin-lock:{scope}:{key}"


def _locked_for(keys: list[tuple[str, str]]) -> int:
    """Seconds until the longest running lock on ``keys`` ends; 0 when none is locked."""
    remaining = 0
    for scope, key in keys:
        until = cache.get(_lock_key(scope, key))
        if until:
            remaining = max(remaining, int(until - datetime.now(UTC).timestamp()) + 1)
    return remaining


def _count_failure(keys: list[tuple[str, str]], limits: dict[str, int]) -> None:
    for scope, key in keys:
        try:
            hit(scope, key, limit=limits[scope] - 1, window_seconds=FAILURE_WINDOW_SECONDS)
        except RateLimited as exc:
            until = datetime.now(UTC).timestamp() + exc.retry_after
            cache.set(_lock_key(scope, key), until, timeout=exc.retry_after)


def _sign_in_keys(email: str, ip: str) -> list[tuple[str, str]]:
    return [("sign-in-address", _address_key(email)), ("sign-in-ip", ip or "-")]


_SIGN_IN_LIMITS = {"sign-in-address": ACCOUNT_FAILURE_LIMIT, "sign-in-ip": IP_FAILURE_LIMIT}


def check_password(email: str, password: str, ip: str):
    """The active user with ``email`` and ``password``, or ``None``; ``RateLimited`` while locked.

    Unknown addresses still run the hasher (Django's ``ModelBackend`` does it for unknown users),
    so the answer takes as long as for a wrong password.
    """
    keys = _sign_in_keys(email, ip)
    if retry_after := _locked_for(keys):
        log_security("sign_in_throttled", ip, email=email)
        raise RateLimited(retry_after=retry_after)
    User = get_user_model()
    username = User.objects.filter(email__iexact=email.strip()).values_list("username", flat=True).first()
    user = authenticate(username=username or email.strip().lower(), password=password)
    if user is None:
        _count_failure(keys, _SIGN_IN_LIMITS)
        log_security("sign_in_failed", ip, email=email)
        return None
    return user


def check_reset_request(ip: str) -> None:
    """``RateLimited`` when one IP asks for too many password-reset emails."""
    hit("password-reset-ip", ip or "-", limit=RESET_REQUEST_LIMIT, window_seconds=FAILURE_WINDOW_SECONDS)


# Two-factor (TOTP, RFC 6238) through django-otp.


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """The user's unconfirmed device (one is created with a fresh key when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(user, code: str, ip: str) -> TOTPDevice | None:
    """Confirms the pending device when ``code`` is right; ``None`` otherwise."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
    if device is None or not _verify(device, code, user, ip):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    log_security("two_factor_enabled", ip, level=logging.INFO, user=user.pk)
    return device


def verify_code(user, code: str, ip: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``code`` (each code once), or ``None``."""
    device = confirmed_device(user)
    if device is None or not _verify(device, code, user, ip):
        return None
    return device


@transaction.atomic
def disable_two_factor(user, code: str, ip: str) -> bool:
    """Removes the user's devices when ``code`` from the confirmed device is right."""
    if verify_code(user, code, ip) is None:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    log_security("two_factor_disabled", ip, level=logging.INFO, user=user.pk)
    return True


def _verify(device: TOTPDevice, code: str, user, ip: str) -> bool:
    keys = [("two-factor-user", str(user.pk))]
    if retry_after := _locked_for(keys):
        log_security("two_factor_throttled", ip, user=user.pk)
        raise RateLimited(retry_after=retry_after)
    code = (code or "").strip().replace(" ", "")
    if code.isdigit() and device.verify_token(code):
        return True
    _count_failure(keys, {"two-factor-user": CODE_FAILURE_LIMIT})
    log_security("two_factor_failed", ip, user=user.pk)
    return False
