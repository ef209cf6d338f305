"""Contacts services: the contacts app's public door (docs/contacts.md).

Create, change, find and merge contacts; ``upsert_contact(workspace, data, source=...)`` is the one
way other apps (forms, imports) add people, deduplicated by normalised email, then phone.
Consent (``may_contact``), the timeline (``record``), identities (``identify``) and privacy
(``export_contact`` / ``erase_contact``) are re-exported from their modules.

Rights: members who execute (owner, planner, implementer) write contacts, companies, tags, custom
fields and notes; everyone reads; owners erase (``Capability.ERASE``).
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from netmark.contacts import fields, listeners, normalise, search
from netmark.contacts.consent import may_contact, record_consent  # noqa: F401 - re-exported
from netmark.contacts.identity import identify  # noqa: F401 - re-exported
from netmark.contacts.listeners import on_interaction, on_tags_added  # noqa: F401 - re-exported
from netmark.contacts.models import Company, Contact, Stage, Tag
from netmark.contacts.timeline import record  # noqa: F401 - re-exported
from netmark.core import audit, records
from netmark.core.errors import Conflict, NotFound, ValidationFailed
from netmark.core.models import Member
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning.models import Plan

TEXT_FIELDS = {"name": 200, "wechat_id": 100, "title": 100, "city": 100, "language": 10, "source": 100}
EDITABLE = {
    *TEXT_FIELDS,
    "email",
    "phone",
    "company_id",
    "company_name",
    "owner_id",
    "source_plan_id",
    "stage",
    "custom",
    "do_not_contact",
    "tags",
}
MAX_TAGS = 50
NULLABLE = {"owner_id", "source_plan_id", "company_id"}


# Reading


def list_contacts(
    workspace, *, query: str = "", stage: str = "", tag: str = "", owner_id=None, company_id=None
):
    """The workspace's contacts, newest first; the base queryset segments build on."""
    contacts = scoped(Contact, workspace).select_related("company", "owner__user")
    if stage:
        contacts = contacts.filter(stage=stage)
    if tag:
        contacts = contacts.filter(tags__name=tag)
    if owner_id is not None:
        contacts = contacts.filter(owner_id=owner_id)
    if company_id is not None:
        contacts = contacts.filter(company_id=company_id)
    return search.filter_contacts(contacts, query) if query else contacts


def get_contact(workspace, contact_id) -> Contact:
    return get_for(Contact, workspace, contact_id, queryset=list_contacts(workspace))


def find_duplicate(workspace, *, email: str = "", phone: str = "") -> Contact | None:
    """The contact with this normalised email, else this normalised phone, else None.

    A phone match whose contact has another email is not a duplicate.
    """
    email = _quiet(normalise.email, email)
    phone = normalise.phone_or_blank(phone)
    contacts = scoped(Contact, workspace)
    if email:
        found = contacts.filter(email=email).first()
        if found is not None:
            return found
    found = contacts.filter(phone=phone).first() if phone else None
    if found is not None and email and found.email and found.email != email:
        return None  # the same phone under two addresses: two people (a shared line), not one
    return found


def _quiet(function, value) -> str:
    try:
        return function(value)
    except ValidationFailed:
        return ""


def stage_counts(workspace) -> dict[str, int]:
    rows = scoped(Contact, workspace).values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


# Cleaning


def _text_fields(data: dict, cleaned: dict, errors: dict) -> None:
    for name, limit in TEXT_FIELDS.items():
        if name in data:
            value = normalise.text(data[name])
            if len(value) > limit:
                errors[name] = _("At most %(count)d characters.") % {"count": limit}
            cleaned[name] = value


def _identity_fields(data: dict, cleaned: dict, errors: dict) -> None:
    for name, function in (("email", normalise.email), ("phone", normalise.phone)):
        if name in data:
            try:
                cleaned[name] = function(data[name])
            except ValidationFailed as exc:
                errors.update(exc.fields)


def _references(workspace, data: dict, cleaned: dict, errors: dict) -> None:
    for name, model in (("owner_id", Member), ("source_plan_id", Plan), ("company_id", Company)):
        if name in data:
            value = data[name]
            if value in (None, ""):
                cleaned[name] = None
                continue
            found = scoped(model, workspace).filter(pk=value).values_list("pk", flat=True).first()
            if found is None:
                raise NotFound()  # unknown and other workspaces' ids alike
            cleaned[name] = found
    if data.get("company_name") and not data.get("company_id"):
        cleaned["company_id"] = company_for_name(workspace, data["company_name"]).pk
    elif "company_name" in data and not data.get("company_name") and "company_id" not in data:
        cleaned["company_id"] = None


def clean_contact(workspace, data: dict, *, contact: Contact | None = None, definitions=None) -> dict:
    """Model values from ``data`` (only the keys given); ``ValidationFailed`` naming every bad field."""
    # An explicit null means "not given" except for references, where it clears the link.
    data = {key: value for key, value in data.items() if value is not None or key in NULLABLE}
    unknown = sorted(set(data) - EDITABLE)
    errors = {name: _("Unknown field.") for name in unknown}
    cleaned: dict = {}
    _text_fields(data, cleaned, errors)
    _identity_fields(data, cleaned, errors)
    if "stage" in data:
        if data["stage"] not in Stage.values:
            errors["stage"] = _("Use subscriber, lead, qualified, customer or lost.")
        cleaned["stage"] = data["stage"]
    if "do_not_contact" in data:
        cleaned["do_not_contact"] = bool(data["do_not_contact"])
    if "custom" in data:
        try:
            existing = contact.custom if contact is not None else {}
            cleaned["custom"] = fields.clean_custom(
                workspace, data["custom"] or {}, existing=existing, definitions=definitions
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if "tags" in data:
        cleaned["tags"] = _clean_tags(data["tags"], errors)
    if not errors:
        _references(workspace, data, cleaned, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _clean_tags(tags, errors: dict) -> list[str]:
    if not isinstance(tags, list | tuple) or len(tags) > MAX_TAGS:
        errors["tags"] = _("Give at most %(count)d tags.") % {"count": MAX_TAGS}
        return []
    names = [normalise.text(tag)[:60] for tag in tags]
    return list(dict.fromkeys(name for name in names if name))


def _check_unique(contact: Contact) -> None:
    others = scoped(Contact, contact.workspace).exclude(pk=contact.pk)
    message = _("Contact #%(id)d already has this %(field)s; merge the two instead.")
    for name in ("email", "phone"):
        value = getattr(contact, name)
        if value:
            other = others.filter(**{name: value}).values_list("pk", flat=True).first()
            if other is not None:
                raise Conflict(fields={name: message % {"id": other, "field": name}})


# Writing


def company_for_name(workspace, name: str) -> Company:
    name = normalise.text(name)[:200]
    company, _created = Company.unscoped.get_or_create(workspace=workspace, name=name)
    return company


def _save(contact: Contact, cleaned: dict) -> Contact:
    tag_names = cleaned.pop("tags", None)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    _check_unique(contact)
    records.validate_and_save(contact, exclude=["custom", "search_text"])
    if tag_names is not None:
        set_tags(contact, tag_names)
    search.refresh(contact)
    return contact


def _summary(contact: Contact) -> dict:
    return {
        name: audit._plain(getattr(contact, name))
        for name in ("name", "email", "phone", "stage", "company_id", "owner_id", "do_not_contact")
    }


@transaction.atomic
def create_contact(member, **data) -> Contact:
    require(member, Capability.EXECUTE)
    cleaned = clean_contact(member.workspace, data)
    contact = _save(Contact(workspace=member.workspace), cleaned)
    audit.record(member, "contact.created", contact, _summary(contact))
    return contact


@transaction.atomic
def update_contact(member, contact_id, **data) -> Contact:
    require(member, Capability.EXECUTE)
    contact = get_for(
        Contact, member.workspace, contact_id, queryset=scoped(Contact, member.workspace).select_for_update()
    )
    before = _summary(contact)
    _save(contact, clean_contact(member.workspace, data, contact=contact))
    after = _summary(contact)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes or data:
        audit.record(member, "contact.updated", contact, changes)
    return contact


@transaction.atomic
def upsert_contact(workspace, data: dict, *, source: str, member=None, overwrite: bool = False):
    """(contact, created): the contact matching ``data``'s email, else phone, updated; or a new one.

    An existing contact keeps the values it has unless ``overwrite``; empty fields are filled in.
    A phone that already belongs to another contact is left off (the two are merge candidates).
    Callers authorise (a form is public, an import checks the importer's role).
    """
    cleaned = clean_contact(workspace, data)
    contact = find_duplicate(workspace, email=cleaned.get("email", ""), phone=cleaned.get("phone", ""))
    created = contact is None
    if created:
        contact = Contact(workspace=workspace, source=str(source)[:100])
        cleaned.setdefault("source", str(source)[:100])
    else:
        cleaned = _merge_values(contact, cleaned, overwrite=overwrite)
    if (
        cleaned.get("phone")
        and scoped(Contact, workspace).exclude(pk=contact.pk).filter(phone=cleaned["phone"]).exists()
    ):
        cleaned.pop("phone")
    if created or cleaned:
        _save(contact, cleaned)
    if member is not None and (created or cleaned):
        audit.record(member, "contact.created" if created else "contact.updated", contact, {"source": source})
    return contact, created


def _merge_values(contact: Contact, cleaned: dict, *, overwrite: bool) -> dict:
    """The subset of ``cleaned`` that changes ``contact`` (only empty fields unless ``overwrite``)."""
    changed = {}
    for name, value in cleaned.items():
        if name == "tags":
            have = set(contact.tags.values_list("name", flat=True))
            if not set(value) <= have:
                changed[name] = sorted(have | set(value))
        elif name == "custom":
            merged = value if overwrite else {**value, **contact.custom}
            if merged != contact.custom:
                changed[name] = merged
        else:
            current = getattr(contact, name)
            if value not in (None, "") and current != value and (overwrite or current in (None, "")):
                changed[name] = value
    return changed


def set_tags(contact: Contact, names: list[str]) -> None:
    """The contact's tags become ``names``; listeners hear of the ones added (``listeners``)."""
    had = set(contact.tags.values_list("name", flat=True))
    tags = [Tag.unscoped.get_or_create(workspace_id=contact.workspace_id, name=name)[0] for name in names]
    contact.tags.set(tags)
    listeners.tags_added(contact, set(names) - had)


def add_tags(contact: Contact, names: list[str]) -> list[str]:
    """Adds tags to the contact (created in its workspace when new); the names it did not have,
    which listeners hear of after commit."""
    had = set(contact.tags.values_list("name", flat=True))
    added = sorted(set(names) - had)
    tags = [Tag.unscoped.get_or_create(workspace_id=contact.workspace_id, name=name)[0] for name in added]
    contact.tags.add(*tags)
    listeners.tags_added(contact, added)
    return added


def list_tags(workspace):
    return scoped(Tag, workspace).annotate(contact_count=Count("contacts"))


def get_tag(workspace, tag_id) -> Tag:
    return get_for(Tag, workspace, tag_id, queryset=list_tags(workspace))


def create_tag(member, name: str) -> Tag:
    name = normalise.text(name)[:60]
    if not name:
        raise ValidationFailed(fields={"name": _("This field cannot be blank.")})
    return records.create_record(member, Tag, {"name": name}, capability=Capability.EXECUTE)


def delete_tag(member, tag_id) -> None:
    """Owners only (deleting data); the tag leaves every contact."""
    require(member, Capability.ERASE)
    tag = get_for(Tag, member.workspace, tag_id)
    contacts = list(tag.contacts.all())
    records.delete_record(member, Tag, tag.pk)
    for contact in contacts:
        search.refresh(contact)


# Companies


def list_companies(workspace, *, query: str = ""):
    companies = scoped(Company, workspace).annotate(contact_count=Count("contacts"))
    return companies.filter(Q(name__icontains=query)) if query else companies


def get_company(workspace, company_id) -> Company:
    return get_for(Company, workspace, company_id, queryset=list_companies(workspace))


def create_company(member, **data) -> Company:
    data["name"] = normalise.text(data.get("name"))
    return records.create_record(member, Company, data, capability=Capability.EXECUTE)


def update_company(member, company_id, **data) -> Company:
    if "name" in data:
        data["name"] = normalise.text(data["name"])
    return records.update_record(member, Company, company_id, data, capability=Capability.EXECUTE)


def delete_company(member, company_id) -> None:
    """Owners only; its contacts stay, without a company."""
    records.delete_record(member, Company, company_id)


# Notes and logged interactions


def log_interaction(member, contact_id, kind: str, payload: dict, *, at=None):
    """A note, call, meeting, deal or purchase logged by hand (types registered as ``manual``)."""
    from netmark.contacts import timeline

    require(member, Capability.EXECUTE)
    contact = get_for(Contact, member.workspace, contact_id)
    interaction_type = timeline.get_type(kind)
    if interaction_type is None or not interaction_type.manual:
        raise ValidationFailed(fields={"kind": _("This type cannot be logged by hand.")})
    interaction = timeline.record(contact, kind, at, payload, author=member)
    audit.record(member, f"contact.{kind}_logged", contact, {"interaction_id": interaction.pk})
    return interaction


from netmark.contacts.merging import merge_contacts  # noqa: E402, F401 - re-exported
from netmark.contacts.privacy import erase_contact, export_contact  # noqa: E402, F401 - re-exported
