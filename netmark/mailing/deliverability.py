"""The deliverability check: are SPF, DKIM and DMARC published for a sending domain, and does the
bounce domain have an MX record? Looked up through the resolver of the settings
(``NETMARK_DNS_NAMESERVERS`` / ``NETMARK_DNS_PORT``; the system's resolver when unset), so a test
can answer from a local DNS server. Each check says in plain words what is missing and what to
publish; the texts are translated where they are shown.
"""

import re
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.core.errors import ValidationFailed
from netmark.core.scoping import scoped
from netmark.mailing import dkim
from netmark.mailing.models import DkimKey, SmtpServer

OK, WARNING, MISSING, ERROR = "ok", "warning", "missing", "error"
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


ADVICE = {
    "dkim_none": gettext_lazy(
        "This workspace has no DKIM key for the domain: generate one on the DKIM keys page, "
        "then publish its record."
    ),
    "dkim_other": gettext_lazy(
        "A different key is published at this selector: signatures will fail. Publish the record shown."
    ),
    "dmarc_none": gettext_lazy(
        "DMARC is published with p=none: receivers only report. Once reports look clean, use p=quarantine."
    ),
    "mx_missing": gettext_lazy(
        "The bounce domain has no MX record: bounces cannot reach netmark's receiver "
        "(see the README, Bounces)."
    ),
}


@dataclass
class Check:
    name: str  # spf, dkim, dmarc, bounce_mx
    label: str
    status: str
    found: list[str] = field(default_factory=list)
    advice: str = ""
    publish: str = ""  # a record to publish, when one is missing


def clean_domain(value) -> str:
    domain = str(value or "").strip().lower().rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    if not DOMAIN.match(domain):
        raise ValidationFailed(fields={"domain": _("Enter a domain name, e.g. example.com.")})
    return domain


def resolver() -> dns.resolver.Resolver:
    if not settings.DNS_NAMESERVERS:
        found = dns.resolver.Resolver()
    else:
        found = dns.resolver.Resolver(configure=False)
        found.nameservers = list(settings.DNS_NAMESERVERS)
        found.port = settings.DNS_PORT
    found.lifetime = found.timeout = settings.DNS_TIMEOUT_SECONDS
    return found


def txt_records(name: str, using: dns.resolver.Resolver) -> list[str] | None:
    """The TXT strings at ``name`` (each record's strings joined), [] when none, None when the
    resolver did not answer."""
    try:
        answer = using.resolve(name, "TXT", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.exception.DNSException, OSError):
        return None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def mx_records(name: str, using: dns.resolver.Resolver) -> list[str] | None:
    try:
        answer = using.resolve(name, "MX", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.exception.DNSException, OSError):
        return None
    return [f"{record.preference} {record.exchange.to_text()}" for record in answer]


def _unanswered(name: str, label: str) -> Check:
    return Check(name, label, ERROR, advice=_("The DNS server did not answer; try again later."))


def check_spf(domain: str, using) -> Check:
    label = "SPF"
    records = txt_records(domain, using)
    if records is None:
        return _unanswered("spf", label)
    spf = [text for text in records if text.lower().startswith("v=spf1")]
    if not spf:
        return Check("spf", label, MISSING, advice=_(
            "No SPF record: receivers cannot tell which servers may send for this domain. Publish a TXT "
            "record at the domain naming your SMTP relay, e.g. the include: your provider documents."
        ), publish=f"{domain}  TXT  \"v=spf1 include:<your relay> ~all\"")  # fmt: skip
    if len(spf) > 1:
        return Check("spf", label, ERROR, spf, _(
            "More than one SPF record: receivers treat this as an error (RFC 7208). Merge them into one."
        ))  # fmt: skip
    if re.search(r"(^|\s)\+?all(\s|$)", spf[0].lower()):
        return Check(
            "spf",
            label,
            WARNING,
            spf,
            _("The record ends in +all: anyone may send as this domain. Use ~all or -all."),
        )
    return Check("spf", label, OK, spf, _("SPF is published."))


def _key_in(records: list[str]) -> str:
    for text in records:
        found = re.search(r"(?:^|;)\s*p=([A-Za-z0-9+/=\s]*)", text)
        if found and "v=dkim1" in text.lower().replace(" ", ""):
            return re.sub(r"\s", "", found.group(1))
    return ""


def check_dkim(domain: str, keys, using) -> list[Check]:
    if not keys:
        return [Check("dkim", "DKIM", MISSING, advice=ADVICE["dkim_none"])]
    checks = []
    for key in keys:
        name = dkim.dns_name(key.selector, key.domain)
        label = f"DKIM {key.selector}"
        records = txt_records(name, using)
        expected = dkim.dns_value(key.algorithm, key.public_key)
        if records is None:
            checks.append(_unanswered("dkim", label))
        elif not records or not _key_in(records):
            checks.append(Check("dkim", label, MISSING, records, _(
                "The DKIM record of this selector is not published: receivers cannot verify the signature."
            ), f"{name}  TXT  \"{expected}\""))  # fmt: skip
        elif _key_in(records) != key.public_key.replace("\n", ""):
            checks.append(
                Check("dkim", label, ERROR, records, ADVICE["dkim_other"], f'{name}  TXT  "{expected}"')
            )
        else:
            checks.append(Check("dkim", label, OK, records, _("The DKIM key is published and matches.")))
    return checks


def check_dmarc(domain: str, using) -> Check:
    label = "DMARC"
    records = txt_records(f"_dmarc.{domain}", using)
    if records is None:
        return _unanswered("dmarc", label)
    dmarc = [text for text in records if text.replace(" ", "").lower().startswith("v=dmarc1")]
    if not dmarc:
        return Check("dmarc", label, MISSING, advice=_(
            "No DMARC record: Gmail and Yahoo require one of bulk senders since 2024. Start with p=none and "
            "a report address, then move to quarantine."
        ), publish=f"_dmarc.{domain}  TXT  \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\"")  # fmt: skip
    policy = re.search(r"(?:^|;)\s*p\s*=\s*(\w+)", dmarc[0].lower())
    if policy is None or policy.group(1) == "none":
        return Check("dmarc", label, WARNING, dmarc, ADVICE["dmarc_none"])
    return Check("dmarc", label, OK, dmarc, _("DMARC is published with an enforcing policy."))


def check_bounce_mx(using) -> Check:
    domain = settings.BOUNCE_DOMAIN
    label = _("Bounce domain MX")
    records = mx_records(domain, using)
    if records is None:
        return _unanswered("bounce_mx", label)
    if not records:
        publish = f"{domain}  MX  10 <the host running netmark mailing bounce-server>."
        return Check("bounce_mx", label, MISSING, advice=ADVICE["mx_missing"], publish=publish)
    return Check("bounce_mx", label, OK, records, _("Bounces can reach this domain's mail server."))


def sending_domains(workspace) -> list[str]:
    """The domains this workspace sends from (its SMTP servers' senders and DKIM keys)."""
    found = {server.from_email.rpartition("@")[2].lower() for server in scoped(SmtpServer, workspace)}
    found |= {key.domain.lower() for key in scoped(DkimKey, workspace)}
    return sorted(domain for domain in found if domain)


def check_domain(workspace, domain: str) -> list[Check]:
    domain = clean_domain(domain)
    using = resolver()
    keys = list(scoped(DkimKey, workspace).filter(domain=domain, is_active=True))
    return [
        check_spf(domain, using),
        *check_dkim(domain, keys, using),
        check_dmarc(domain, using),
        check_bounce_mx(using),
    ]
