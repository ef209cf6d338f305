"""The deliverability check, answered by a local DNS server on loopback (dnspython)."""

import pytest

from netmark.mailing import deliverability
from netmark.mailing.models import DkimKey
from netmark.mailing.tests.dnsd import DnsServer

pytestmark = pytest.mark.django_db
DOMAIN = "yunling-tea.example"


@pytest.fixture
def key(team_a):
    from netmark.mailing import services

    return services.create_key(team_a.owner, domain=DOMAIN, selector="nm2026", algorithm="rsa-sha256")


def split(value: str) -> str:
    """A TXT value as DNS providers store long ones: strings of at most 255 characters."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


@pytest.fixture
def use_dns(settings):
    def use(records):
        server = DnsServer(records)
        settings.DNS_NAMESERVERS, settings.DNS_PORT, settings.DNS_TIMEOUT_SECONDS = (
            ["127.0.0.1"],
            server.port,
            2,
        )
        settings.BOUNCE_DOMAIN = f"bounce.{DOMAIN}"
        return server

    return use


def statuses(checks) -> dict[str, str]:
    return {check.label: check.status for check in checks}


def test_a_domain_with_everything_published_passes(team_a, key, use_dns):
    records = {
        (DOMAIN, "TXT"): ['"v=spf1 include:spf.mail.example -all"', '"google-site-verification=x"'],
        (f"nm2026._domainkey.{DOMAIN}", "TXT"): [split(f"v=DKIM1; k=rsa; p={key.public_key}")],
        (f"_dmarc.{DOMAIN}", "TXT"): ['"v=DMARC1; p=quarantine; rua=mailto:d@yunling-tea.example"'],
        (f"bounce.{DOMAIN}", "MX"): [f"10 mx.{DOMAIN}."],
    }
    with use_dns(records) as server:
        checks = deliverability.check_domain(team_a.workspace, DOMAIN)
    assert statuses(checks) == {"SPF": "ok", "DKIM nm2026": "ok", "DMARC": "ok", "Bounce domain MX": "ok"}
    assert (f"nm2026._domainkey.{DOMAIN}", "TXT") in server.queries


def test_what_is_missing_is_explained_with_the_record_to_publish(team_a, key, use_dns):
    with use_dns({(DOMAIN, "TXT"): ['"v=spf1 +all"'], (f"_dmarc.{DOMAIN}", "TXT"): ['"v=DMARC1; p=none"']}):
        checks = {check.name: check for check in deliverability.check_domain(team_a.workspace, DOMAIN)}
    assert checks["spf"].status == "warning" and "+all" in checks["spf"].advice
    assert checks["dkim"].status == "missing" and checks["dkim"].publish.startswith(
        f"nm2026._domainkey.{DOMAIN}"
    )
    assert key.public_key in checks["dkim"].publish
    assert checks["dmarc"].status == "warning"
    assert checks["bounce_mx"].status == "missing"


def test_a_different_published_key_and_two_spf_records_are_errors(team_a, key, use_dns):
    other = DkimKey(public_key="MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAother")
    records = {
        (DOMAIN, "TXT"): ['"v=spf1 -all"', '"v=spf1 include:x.example -all"'],
        (f"nm2026._domainkey.{DOMAIN}", "TXT"): [f'"v=DKIM1; k=rsa; p={other.public_key}"'],
    }
    with use_dns(records):
        checks = {check.name: check.status for check in deliverability.check_domain(team_a.workspace, DOMAIN)}
    assert (checks["spf"], checks["dkim"], checks["dmarc"]) == ("error", "error", "missing")


def test_a_workspace_without_a_key_is_told_to_generate_one(team_a, use_dns):
    with use_dns({}):
        (dkim_check,) = [c for c in deliverability.check_domain(team_a.workspace, DOMAIN) if c.name == "dkim"]
    assert dkim_check.status == "missing" and "DKIM keys page" in str(dkim_check.advice)


def test_a_silent_dns_server_is_reported_not_crashed(team_a, settings):
    settings.DNS_NAMESERVERS, settings.DNS_PORT, settings.DNS_TIMEOUT_SECONDS = ["127.0.0.1"], 9, 1
    checks = deliverability.check_domain(team_a.workspace, DOMAIN)
    assert {check.status for check in checks} == {"error", "missing"}  # no DKIM key: missing without asking


def test_another_workspaces_key_is_not_looked_up(team_a, team_b, key, use_dns):
    with use_dns({}) as server:
        deliverability.check_domain(team_b.workspace, DOMAIN)
    assert not any(name.endswith("_domainkey." + DOMAIN) for name, _kind in server.queries)


@pytest.mark.parametrize("bad", ["", "not a domain", "a" * 300 + ".com", "http://x.example/", "-x.example"])
def test_bad_domains_are_refused(team_a, bad):
    from netmark.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        deliverability.check_domain(team_a.workspace, bad)


def test_the_page_explains_in_chinese_and_english(team_a, key, use_dns):
    with use_dns({(DOMAIN, "TXT"): ['"v=spf1 -all"']}):
        english = team_a.browser_client("viewer").get(
            f"/w/{team_a.workspace.slug}/mailing/deliverability/?domain={DOMAIN}"
        )
        chinese = team_a.browser_client("viewer", "zh-hans").get(
            f"/w/{team_a.workspace.slug}/mailing/deliverability/?domain={DOMAIN}"
        )
    assert english.status_code == chinese.status_code == 200
    assert "No DMARC record" in english.content.decode()
    assert "DMARC" in chinese.content.decode() and "No DMARC record" not in chinese.content.decode()
    assert 'data-check="dkim" data-status="missing"' in english.content.decode()
