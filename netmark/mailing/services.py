"""Mailing services: SMTP servers and DKIM keys of a workspace (owners only: ARCHITECTURE.md
"SMTP and integrations"), the suppression list (``suppression``) and sending (``sending``).

This module is the mailing app's public door; other apps call ``send_one``, ``is_suppressed``,
``suppress`` and ``unsubscribe_url`` from here.
"""

import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from netmark.core import audit, records
from netmark.core.addresses import BlockedAddress, check_address, parse_ip_literal
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing import dkim, sealing
from netmark.mailing.deliverability import check_domain, sending_domains  # noqa: F401 - re-exported
from netmark.mailing.deliverability import clean_domain as check_domain_name  # noqa: F401 - re-exported
from netmark.mailing.events import campaign_counts, record_sent  # noqa: F401 - re-exported
from netmark.mailing.hooks import create_hook, delete_hook, get_hook, hook_url, list_hooks  # noqa: F401 - re-exported
from netmark.mailing.inbox import (  # noqa: F401 - re-exported
    create_mailbox,
    delete_mailbox,
    get_mailbox,
    list_mailboxes,
    poll_mailbox,
    update_mailbox,
)
from netmark.mailing.lists import list_lists, subscribe  # noqa: F401 - re-exported
from netmark.mailing.models import DkimKey, SmtpServer
from netmark.mailing.sending import send_one, send_with_retries, test_send  # noqa: F401 - re-exported
from netmark.mailing.suppression import (  # noqa: F401 - re-exported
    add_suppression,
    export_suppressions,
    get_suppression,
    is_suppressed,
    list_suppressions,
    remove_suppression,
    suppress,
)
from netmark.mailing.tracking import decorate_html  # noqa: F401 - re-exported
from netmark.mailing.unsubscribe import (  # noqa: F401 - re-exported
    make_token,
    read_token,
    unsubscribe,
    unsubscribe_url,
)
from netmark.mailing.verp import message_tag, return_path  # noqa: F401 - re-exported

HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
SERVER_FIELDS = {
    "name", "host", "port", "security", "username", "password", "from_email", "from_name",
    "unsubscribe_mailbox", "per_second", "per_hour", "domain_limits", "is_active",
}  # fmt: skip
MAX_DOMAIN_LIMITS = 200


# SMTP servers


def list_servers(workspace):
    return scoped(SmtpServer, workspace)


def get_server(workspace, server_id) -> SmtpServer:
    return get_for(SmtpServer, workspace, server_id)


def check_host(host: str) -> str:
    """A host name or address, lower-cased; a literal address the outbound policy refuses is refused
    here already (names are checked again on every connect, after resolving)."""
    host = str(host or "").strip().lower().rstrip(".")
    literal = parse_ip_literal(host)
    if literal is not None:
        try:
            check_address(literal, allow_private=settings.ALLOW_PRIVATE_ADDRESSES)
        except BlockedAddress as exc:
            raise ValidationFailed(fields={"host": _("Not allowed: %(reason)s.") % {"reason": exc}}) from None
        return str(literal)
    if not HOST_NAME.fullmatch(host):
        raise ValidationFailed(fields={"host": _("Enter a host name such as smtp.example.com.")})
    return host


def _check_domain_limits(limits) -> dict:
    error = ValidationFailed(
        fields={"domain_limits": _('Give {"domain": {"per_second": n, "per_hour": n}} with whole numbers.')}
    )
    if not isinstance(limits, dict) or len(limits) > MAX_DOMAIN_LIMITS:
        raise error
    clean = {}
    for domain, limit in limits.items():
        domain = str(domain).strip().lower()
        if (
            not HOST_NAME.fullmatch(domain)
            or not isinstance(limit, dict)
            or set(limit) - {"per_second", "per_hour"}
        ):
            raise error
        values = {key: limit.get(key, 0) for key in ("per_second", "per_hour")}
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1_000_000 for v in values.values()
        ):
            raise error
        clean[domain] = values
    return clean


def _clean_server(fields: dict) -> dict:
    unknown = sorted(set(fields) - SERVER_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = dict(fields)
    if "host" in data:
        data["host"] = check_host(data["host"])
    if "domain_limits" in data:
        data["domain_limits"] = _check_domain_limits(data["domain_limits"] or {})
    for name in ("from_email", "unsubscribe_mailbox"):
        if name in data and data[name] is not None:
            data[name] = str(data[name]).strip().lower()
    return data


@transaction.atomic
def create_server(member, **fields) -> SmtpServer:
    require(member, Capability.ADMINISTER)
    server = SmtpServer(workspace=member.workspace)
    changes = sealing.apply_fields(server, _clean_server(fields))
    records.validate_and_save(server, exclude=["password_sealed"])
    audit.record(member, "smtpserver.created", server, changes)
    return server


@transaction.atomic
def update_server(member, server_id, **fields) -> SmtpServer:
    require(member, Capability.ADMINISTER)
    queryset = scoped(SmtpServer, member.workspace).select_for_update()
    server = get_for(SmtpServer, member.workspace, server_id, queryset=queryset)
    changes = sealing.apply_fields(server, _clean_server(fields))
    records.validate_and_save(server, exclude=["password_sealed"])
    if changes:
        audit.record(member, "smtpserver.updated", server, changes)
    return server


def delete_server(member, server_id) -> None:
    records.delete_record(member, SmtpServer, server_id, capability=Capability.ADMINISTER)


# DKIM keys


def list_keys(workspace):
    return scoped(DkimKey, workspace)


def get_key(workspace, key_id) -> DkimKey:
    return get_for(DkimKey, workspace, key_id)


@transaction.atomic
def create_key(
    member, *, domain: str, selector: str = "netmark", algorithm: str = dkim.RSA, note: str = ""
) -> DkimKey:
    """A new key pair; the private half is sealed, the public half is the DNS record to publish."""
    require(member, Capability.ADMINISTER)
    domain, selector = str(domain or "").strip().lower().rstrip("."), str(selector or "").strip().lower()
    errors = {}
    if not HOST_NAME.fullmatch(domain) or "." not in domain:
        errors["domain"] = _("Enter the domain of your sender address, such as example.com.")
    if not SELECTOR.fullmatch(selector):
        errors["selector"] = _("Letters, digits and hyphens, such as netmark or s2026.")
    if algorithm not in dkim.ALGORITHMS:
        errors["algorithm"] = _("Choose rsa-sha256 or ed25519-sha256.")
    if errors:
        raise ValidationFailed(fields=errors)
    pair = dkim.generate_key(algorithm)
    key = DkimKey(
        workspace=member.workspace,
        domain=domain,
        selector=selector,
        algorithm=algorithm,
        private_key_sealed=sealing.seal(pair.private_pem),
        public_key=pair.public_b64,
        note=str(note or "").strip(),
    )
    records.validate_and_save(key)
    audit.record(
        member, "dkimkey.created", key, {"domain": domain, "selector": selector, "algorithm": algorithm}
    )
    return key


def delete_key(member, key_id) -> None:
    records.delete_record(member, DkimKey, key_id, capability=Capability.ADMINISTER)


def dns_record(key: DkimKey) -> dict:
    """What to publish: a TXT record at ``name`` with ``value`` (split into ``strings`` of 255)."""
    value = dkim.dns_value(key.algorithm, key.public_key)
    return {"name": dkim.dns_name(key.selector, key.domain), "type": "TXT", "value": value,
            "strings": dkim.txt_strings(value)}  # fmt: skip
