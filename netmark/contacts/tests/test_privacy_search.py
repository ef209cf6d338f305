from datetime import UTC, datetime

import pytest

from netmark.analytics import services as analytics_services
from netmark.contacts import consent, identity, privacy, services
from netmark.contacts.models import Consent, Contact, Identity, Interaction
from netmark.contacts.tests.factories import make_contact
from netmark.core.errors import PermissionDenied
from netmark.core.models import AuditEntry

T0 = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)


def _site(team):
    return analytics_services.create_site(team.owner, domain="yunling-tea.example", name="云岭茶业")


def test_export_holds_everything(team_a):
    contact = make_contact(team_a.owner, tags=["A类"], phone="13800138001")
    consent.record_consent(contact, "email_marketing", "granted", at=T0)
    services.log_interaction(team_a.owner, contact.pk, "note", {"text": "秋茶展会"}, at=T0)
    site = _site(team_a)
    identity.identify(contact, site.pk, 42, via="form")
    data = privacy.export_contact(team_a.owner, contact.pk)["contact"]
    assert data["email"] == "li.na@yunling-tea.example" and data["tags"] == ["A类"]
    assert data["current_consent"] == {"email_marketing": "granted"}
    assert sorted(i["kind"] for i in data["interactions"]) == ["consent", "identified", "note"]
    assert data["analytics_visitors"] == [{"site_id": site.pk, "visitor_id": 42}]


def test_only_owners_export_or_erase(team_a):
    contact = make_contact(team_a.owner)
    for role in ("planner", "implementer", "viewer"):
        with pytest.raises(PermissionDenied):
            privacy.export_contact(team_a.member(role), contact.pk)
        with pytest.raises(PermissionDenied):
            privacy.erase_contact(team_a.member(role), contact.pk)
    assert Contact.unscoped.filter(pk=contact.pk).exists()


def test_erase_leaves_nothing_dangling(team_a):
    contact = make_contact(team_a.owner, phone="13800138001")
    consent.record_consent(contact, "phone", "granted")
    services.log_interaction(team_a.owner, contact.pk, "note", {"text": "秘密"}, at=T0)
    identity.identify(contact, _site(team_a).pk, 7)
    pk = contact.pk
    counts = privacy.erase_contact(team_a.owner, pk)
    assert counts["interactions"] == 3 and counts["consents"] == 1 and counts["identities"] == 1
    for model in (Interaction, Consent, Identity):
        assert not model.unscoped.filter(contact_id=pk).exists()
    entries = AuditEntry.unscoped.filter(object_type="contact", object_id=str(pk))
    assert not [e for e in entries if "li.na" in str(e.changes) + e.object_repr or "李娜" in e.object_repr]
    assert entries.filter(action="contact.erased").count() == 1


def test_identify_links_a_visitor_once(team_a, team_b):
    contact = make_contact(team_a.owner)
    site = _site(team_a)
    first = identity.identify(contact, site.pk, 99)
    assert identity.identify(contact, site.pk, 99).pk == first.pk
    assert identity.contact_for_visitor(team_a.workspace.pk, site.pk, 99) == contact
    other_site = analytics_services.create_site(team_b.owner, domain="b.example", name="B")
    with pytest.raises(Exception, match="valid"):
        identity.identify(contact, other_site.pk, 99)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("云岭", {"张伟"}),
        ("贸易", {"张伟"}),
        ("张", {"张伟"}),
        ("茶舍", {"王芳"}),
        ("杭州", {"王芳"}),
        ("wang.fang", {"王芳"}),
        ("1381", {"张伟"}),
        ("采购经理", {"张伟"}),
        ("龙井", set()),
    ],
)
def test_search_works_in_chinese(team_a, query, expected):
    owner = team_a.owner
    make_contact(
        owner,
        name="张伟",
        email="zhangwei@qq.example",
        phone="13812340001",
        company_name="昆明云岭贸易有限公司",
        title="采购经理",
        city="昆明",
    )
    make_contact(owner, name="王芳", email="wang.fang@mail.example", company_name="芳芳茶舍", city="杭州")
    found = {c.name for c in services.list_contacts(team_a.workspace, query=query)}
    assert found == expected
