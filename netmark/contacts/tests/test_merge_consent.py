from datetime import UTC, datetime, timedelta

import pytest

from netmark.contacts import consent, services, timeline
from netmark.contacts.models import Consent, Contact, Interaction
from netmark.contacts.tests.factories import make_contact
from netmark.core.errors import ValidationFailed

T0 = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)


def test_merge_keeps_every_interaction_tag_and_consent(team_a):
    owner = team_a.owner
    into = make_contact(owner, name="陈静", email="chenjing@qq.example", tags=["熟普"])
    other = make_contact(
        owner, name="陈 静", email="", phone="135-1234-0005", city="成都", tags=["茶馆"], stage="customer"
    )
    services.log_interaction(owner, into.pk, "note", {"text": "喜欢熟普"}, at=T0)
    services.log_interaction(
        owner, other.pk, "call", {"text": "约看样", "minutes": 5}, at=T0 + timedelta(days=1)
    )
    consent.record_consent(other, "email_marketing", "granted", source="form", at=T0)
    merged = services.merge_contacts(owner, into.pk, other.pk)
    assert not Contact.unscoped.filter(pk=other.pk).exists()
    assert (merged.name, merged.phone, merged.city, merged.stage) == (
        "陈静",
        "+8613512340005",
        "成都",
        "customer",
    )
    assert sorted(merged.tags.values_list("name", flat=True)) == ["熟普", "茶馆"]
    kinds = sorted(Interaction.unscoped.filter(contact=merged).values_list("kind", flat=True))
    assert kinds == ["call", "consent", "merged", "note"]
    assert Consent.unscoped.filter(contact=merged).count() == 1
    assert consent.may_contact(merged, "email_marketing")


def test_merge_with_itself_is_refused(team_a):
    contact = make_contact(team_a.owner)
    with pytest.raises(ValidationFailed):
        services.merge_contacts(team_a.owner, contact.pk, contact.pk)


def test_may_contact_needs_a_granted_latest_statement(team_a):
    contact = make_contact(team_a.owner)
    assert not consent.may_contact(contact, "email_marketing")
    consent.record_consent(
        contact, "email_marketing", "granted", at=T0, form_id="f1", ip_address="203.0.113.9"
    )
    assert consent.may_contact(contact, "email_marketing")
    assert not consent.may_contact(contact, "phone")
    consent.record_consent(contact, "email_marketing", "withdrawn", at=T0 + timedelta(hours=1))
    assert not consent.may_contact(contact, "email_marketing")
    consent.record_consent(contact, "email_marketing", "granted", at=T0 + timedelta(hours=2))
    assert consent.may_contact(contact, "email_marketing")
    proof = Consent.unscoped.filter(contact=contact).order_by("recorded_at").first()
    assert proof.form_id == "f1" and len(proof.ip_hash) == 32 and "203.0.113.9" not in proof.ip_hash


def test_do_not_contact_overrides_consent(team_a):
    contact = make_contact(team_a.owner)
    consent.record_consent(contact, "phone", "granted", lawful_basis="contract")
    services.update_contact(team_a.owner, contact.pk, do_not_contact=True)
    assert not consent.may_contact(contact, "phone")


def test_consent_values_are_validated(team_a):
    contact = make_contact(team_a.owner)
    with pytest.raises(ValidationFailed) as error:
        consent.record_consent(contact, "Email Marketing!", "yes", lawful_basis="because")
    assert set(error.value.fields) == {"purpose", "status", "lawful_basis"}


def test_timeline_pages_by_keyset_and_filters(team_a):
    contact = make_contact(team_a.owner)
    for index in range(7):
        timeline.record(
            contact,
            "note" if index % 2 else "link_click",
            T0 + timedelta(minutes=index // 2),
            {"text": f"n{index}", "url": "https://x.example"},
        )
    seen, cursor = [], ""
    while True:
        entries, cursor = timeline.page(contact, before=cursor, limit=3)
        seen.extend(entry.payload.get("text") for entry in entries)
        if not cursor:
            break
    assert seen == ["n6", "n5", "n4", "n3", "n2", "n1", "n0"]
    notes, _next = timeline.page(contact, kinds=["note"], limit=10)
    assert [entry.payload["text"] for entry in notes] == ["n5", "n3", "n1"]


def test_timeline_refuses_unknown_types_and_bad_cursors(team_a):
    contact = make_contact(team_a.owner)
    with pytest.raises(ValidationFailed):
        timeline.record(contact, "telepathy", T0, {})
    with pytest.raises(ValidationFailed):
        timeline.page(contact, before="not-a-cursor")


def test_record_is_idempotent_by_source_ref(team_a):
    contact = make_contact(team_a.owner)
    first = timeline.record(contact, "link_click", T0, {"url": "u"}, source_ref="click:1")
    second = timeline.record(contact, "link_click", T0, {"url": "u"}, source_ref="click:1")
    assert first.pk == second.pk
    assert Interaction.unscoped.filter(contact=contact).count() == 1


def test_registering_a_type_is_one_call(team_a):
    timeline.register_type(timeline.InteractionType("qr_scan_test", "QR scan"))
    contact = make_contact(team_a.owner)
    entry = timeline.record(contact, "qr_scan_test", T0, {"booth": "A1"})
    assert entry.kind == "qr_scan_test"
    with pytest.raises(ValueError):
        timeline.register_type(timeline.InteractionType("qr_scan_test", "other"))
