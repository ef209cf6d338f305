import pytest

from netmark.contacts import fields, services
from netmark.contacts.models import Contact
from netmark.contacts.tests.factories import make_contact
from netmark.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from netmark.core.models import AuditEntry
from netmark.core.scoping import scoped


def test_create_contact_normalises_and_audits(team_a):
    contact = make_contact(
        team_a.owner,
        email=" Li.Na@Yunling-Tea.example ",
        phone="+86 139 1234 0002",
        company_name="芳芳茶舍",
        tags=["A类", "批发"],
    )
    assert (contact.email, contact.phone) == ("li.na@yunling-tea.example", "+8613912340002")
    assert contact.company.name == "芳芳茶舍"
    assert sorted(contact.tags.values_list("name", flat=True)) == ["A类", "批发"]
    assert AuditEntry.unscoped.filter(action="contact.created", object_id=str(contact.pk)).count() == 1


def test_same_email_or_phone_is_a_conflict(team_a):
    make_contact(team_a.owner, phone="13912340002")
    with pytest.raises(Conflict):
        make_contact(team_a.owner, email="LI.NA@yunling-tea.example", name="other")
    with pytest.raises(Conflict):
        make_contact(team_a.owner, email="x@y.example", phone="0086 139-1234-0002")


def test_viewer_cannot_create(team_a):
    with pytest.raises(PermissionDenied):
        make_contact(team_a.member("viewer"))


def test_bad_fields_are_named(team_a):
    with pytest.raises(ValidationFailed) as error:
        make_contact(team_a.owner, email="nope@", stage="vip", colour="red")
    assert set(error.value.fields) == {"email", "stage", "colour"}


def test_foreign_owner_is_refused(team_a, team_b):
    with pytest.raises(NotFound):
        make_contact(team_a.owner, owner_id=team_b.owner.pk)


def test_upsert_finds_by_email_then_phone_and_fills_only_empty_fields(team_a):
    ws = team_a.workspace
    first, created = services.upsert_contact(ws, {"name": "张伟", "phone": "13800138001"}, source="展会")
    assert created and first.source == "展会"
    again, created = services.upsert_contact(
        ws, {"name": "Zhang Wei", "phone": "+86 138 0013 8001", "email": "ZhangWei@QQ.example"}, source="web"
    )
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert (again.name, again.email, again.source) == ("张伟", "zhangwei@qq.example", "展会")
    same, created = services.upsert_contact(
        ws, {"email": "zhangwei@qq.example", "name": "X"}, source="web", overwrite=True
    )
    same.refresh_from_db()
    assert not created and same.name == "X"
    assert scoped(Contact, ws).count() == 1


def test_upsert_leaves_a_phone_that_belongs_to_another_contact(team_a):
    ws = team_a.workspace
    services.upsert_contact(ws, {"email": "a@x.example", "phone": "13800138001"}, source="t")
    other, created = services.upsert_contact(ws, {"email": "b@x.example", "phone": "13800138001"}, source="t")
    assert created and other.phone == ""


def test_custom_fields_are_typed(team_a):
    owner = team_a.owner
    fields.create_field(owner, key="budget", label="预算", kind="number")
    fields.create_field(owner, key="visit_on", label="拜访日期", kind="date")
    fields.create_field(owner, key="tea", label="茶类", kind="multi_choice", choices=["普洱", "龙井", "白茶"])
    fields.create_field(owner, key="vip", label="VIP", kind="boolean")
    fields.create_field(owner, key="grade", label="等级", kind="choice", choices=["A", "B"])
    contact = make_contact(
        owner,
        custom={
            "budget": "1,200.50",
            "visit_on": "2026/10/12",
            "tea": ["龙井", "普洱"],
            "vip": "是",
            "grade": "A",
        },
    )
    assert contact.custom == {
        "budget": 1200.5,
        "visit_on": "2026-10-12",
        "tea": ["普洱", "龙井"],
        "vip": True,
        "grade": "A",
    }
    with pytest.raises(ValidationFailed) as error:
        services.update_contact(
            owner,
            contact.pk,
            custom={
                "budget": "lots",
                "grade": "C",
                "tea": ["红茶"],
                "vip": "maybe",
                "visit_on": "tomorrow",
                "nope": 1,
            },
        )
    expected = {f"custom.{key}" for key in ("budget", "grade", "tea", "vip", "visit_on")}
    assert set(error.value.fields) == expected | {"custom"}  # "nope" is no custom field
    updated = services.update_contact(owner, contact.pk, custom={"budget": None})
    assert "budget" not in updated.custom and updated.custom["grade"] == "A"


def test_required_custom_field(team_a):
    fields.create_field(team_a.owner, key="region", label="区域", kind="text", is_required=True)
    with pytest.raises(ValidationFailed) as error:
        make_contact(team_a.owner, custom={})
    assert set(error.value.fields) == {"custom.region"}


def test_choice_field_needs_choices(team_a):
    with pytest.raises(ValidationFailed) as error:
        fields.create_field(team_a.owner, key="grade", label="等级", kind="choice", choices=[])
    assert set(error.value.fields) == {"choices"}


def test_other_workspace_contact_is_not_found(team_a, team_b):
    contact = make_contact(team_a.owner)
    with pytest.raises(NotFound):
        services.get_contact(team_b.workspace, contact.pk)
    with pytest.raises(NotFound):
        services.update_contact(team_b.owner, contact.pk, name="hijack")
    contact.refresh_from_db()
    assert contact.name == "李娜 Li Na"
