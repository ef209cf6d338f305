"""What enrols a contact: a confirmed subscription, a form submission on the timeline, a tag added,
a date field (days before or after, yearly); each once per contact unless re-entry is allowed."""

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from netmark.contacts import services as contacts
from netmark.contacts import timeline
from netmark.contacts.models import Contact, Interaction
from netmark.mailing import drip_triggers, drips
from netmark.mailing.drip_models import Enrollment, Sequence, SequenceStep

pytestmark = pytest.mark.django_db


def sequence(workspace, trigger: str, value: str = "", **fields) -> Sequence:
    row = Sequence.unscoped.create(
        workspace=workspace, name=f"{trigger} 序列", trigger=trigger, trigger_value=value, status="active",
        **fields,
    )  # fmt: skip
    SequenceStep.unscoped.create(
        workspace=workspace, sequence=row, position=0, kind="tag", config={"tag": "进入"}
    )
    return row


def enrolled(row: Sequence) -> list[str]:
    return sorted(Enrollment.unscoped.filter(sequence=row).values_list("contact__email", flat=True))


def test_a_form_submission_enrols_in_that_forms_sequences_only(team_a, django_capture_on_commit_callbacks):
    ws = team_a.workspace
    wanted, other = sequence(ws, "form", "f_tea"), sequence(ws, "form", "f_other")
    contact = Contact.unscoped.create(workspace=ws, email="wangfang@example.com", name="王芳")
    with django_capture_on_commit_callbacks(execute=True):
        timeline.record(
            contact, "form_submission", payload={"title": "试饮申请", "form_id": "f_tea"}, source_ref="s1"
        )
        assert enrolled(wanted) == []  # listeners hear of it only after the commit
    with django_capture_on_commit_callbacks(execute=True):
        timeline.record(
            contact, "form_submission", payload={"title": "试饮申请", "form_id": "f_tea"}, source_ref="s2"
        )
    assert (enrolled(wanted), enrolled(other)) == (["wangfang@example.com"], [])


def test_adding_a_tag_enrols_and_the_sequence_then_runs(team_a, django_capture_on_commit_callbacks):
    ws = team_a.workspace
    row = sequence(ws, "tag", "VIP")
    contact = Contact.unscoped.create(workspace=ws, email="lina@example.com", name="李娜")
    with django_capture_on_commit_callbacks(execute=True):
        contacts.add_tags(contact, ["老客"])
    assert enrolled(row) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert contacts.add_tags(contact, ["VIP", "老客"]) == ["VIP"]
    assert enrolled(row) == ["lina@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        drips.tick(timezone.now() + timedelta(seconds=1))
    assert sorted(contact.tags.values_list("name", flat=True)) == ["VIP", "老客", "进入"]
    assert Enrollment.unscoped.get(sequence=row).state == "done"


def test_setting_tags_enrols_for_the_added_ones_only(team_a, django_capture_on_commit_callbacks):
    ws = team_a.workspace
    vip, old = sequence(ws, "tag", "VIP"), sequence(ws, "tag", "老客")
    contact = Contact.unscoped.create(workspace=ws, email="zhaomin@example.com", name="赵敏")
    with django_capture_on_commit_callbacks(execute=True):
        contacts.set_tags(contact, ["老客"])
    Enrollment.unscoped.filter(sequence=old).update(state="done")
    with django_capture_on_commit_callbacks(execute=True):
        contacts.set_tags(contact, ["老客", "VIP"])  # 老客 was there already: no second entry
    assert (enrolled(vip), Enrollment.unscoped.filter(sequence=old).count()) == (["zhaomin@example.com"], 1)


def test_a_tag_added_in_a_rolled_back_transaction_enrols_nobody(team_a, django_capture_on_commit_callbacks):
    ws = team_a.workspace
    row = sequence(ws, "tag", "VIP")
    contact = Contact.unscoped.create(workspace=ws, email="sunli@example.com", name="孙丽")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        contacts.add_tags(contact, ["VIP"])
        raise RuntimeError("rolled back")
    assert (callbacks, enrolled(row), list(contact.tags.all())) == ([], [], [])


def test_other_workspaces_sequences_never_enrol_a_contact(team_a, team_b, django_capture_on_commit_callbacks):
    theirs = sequence(team_b.workspace, "tag", "VIP")
    contact = Contact.unscoped.create(workspace=team_a.workspace, email="zhangwei@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        contacts.add_tags(contact, ["VIP"])
    assert enrolled(theirs) == [] and drip_triggers.enroll(theirs, contact) is None


def test_no_django_signals_are_connected_to_contacts():
    from django.db.models.signals import m2m_changed, post_save

    assert not post_save.has_listeners(Interaction)
    assert not m2m_changed.has_listeners(Contact.tags.through)


def test_a_yearly_date_field_enrols_on_the_anniversary_once(team_a):
    ws = team_a.workspace
    birthday = sequence(ws, "date", "birthday", yearly=True, offset_days=-3)  # three days before
    once = sequence(ws, "date", "renewal", offset_days=7)
    Contact.unscoped.create(workspace=ws, email="chen@example.com", custom={"birthday": "1990-05-20"})
    Contact.unscoped.create(workspace=ws, email="liu@example.com", custom={"birthday": "1985-06-01"})
    Contact.unscoped.create(workspace=ws, email="yang@example.com", custom={"renewal": "2026-05-10"})
    Contact.unscoped.create(workspace=ws, email="bad@example.com", custom={"birthday": "不知道"})
    now = timezone.make_aware(datetime(2026, 5, 17, 9, 0))  # 3 days before 05-20, 7 days after 05-10
    assert drip_triggers.scan_dates(now) == 2
    assert drip_triggers.scan_dates(now + timedelta(hours=1)) == 0  # the same day again: no-op
    assert (enrolled(birthday), enrolled(once)) == (["chen@example.com"], ["yang@example.com"])
    Enrollment.unscoped.update(state="done")
    next_year = now.replace(year=2027)
    assert drip_triggers.scan_dates(next_year) == 1  # the birthday again; the renewal date was once
    assert Enrollment.unscoped.filter(sequence=birthday).order_by("round").last().round == 2027
