"""Capture services: forms and landing pages for members (docs/capture.md).

Members who execute (owner, planner, implementer) create and change forms and pages; everyone
reads; owners delete. The public side (rendering, submitting) is ``public.py`` and
``submissions.py``.
"""

from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.analytics.models import Site
from netmark.capture import formfields, images
from netmark.capture.models import Form, LandingPage, Language
from netmark.contacts import normalise
from netmark.core import records
from netmark.core.errors import NotFound, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.mailing.models import MailingList
from netmark.planning.models import Plan

FORM_FIELDS = {
    "name",
    "language",
    "fields",
    "submit_label",
    "consent_text",
    "consent_purpose",
    "thank_you_message",
    "redirect_url",
    "site_id",
    "tags",
    "plan_id",
    "mailing_list_id",
    "is_active",
}
PAGE_FIELDS = {
    "slug",
    "title",
    "headline",
    "body",
    "image_url",
    "image_alt_en",
    "image_alt_zh",
    "form_id",
    "language",
    "site_id",
    "is_published",
}
MAX_TAGS = 20


def clean_web_url(value, field: str) -> str:
    """An absolute http(s) URL or ""; ``javascript:``, ``data:`` and relative URLs are refused."""
    url = str(value or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise ValidationFailed(fields={field: _("Enter an http:// or https:// address.")}) from None
    bad_characters = any(ord(character) < 33 or character in "<>\"'\\" for character in url)
    if parts.scheme not in ("http", "https") or not parts.hostname or bad_characters or len(url) > 500:
        raise ValidationFailed(fields={field: _("Enter an http:// or https:// address.")})
    return url


def _reference(workspace, model, value):
    if value in (None, ""):
        return None
    found = scoped(model, workspace).filter(pk=value).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound()  # unknown ids and other workspaces' ids alike
    return found


def _language(value) -> str:
    if value not in Language.values:
        raise ValidationFailed(fields={"language": _("Use en or zh-hans.")})
    return value


def _tags(value) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) > MAX_TAGS:
        raise ValidationFailed(fields={"tags": _("Give at most %(count)d tags.") % {"count": MAX_TAGS}})
    return list(dict.fromkeys(name for name in (normalise.text(tag)[:60] for tag in value) if name))


def _unknown(data: dict, allowed: set) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})


def _texts(cleaned: dict) -> None:
    for name in ("name", "submit_label"):
        if name in cleaned:
            cleaned[name] = normalise.text(cleaned[name])
    for name in ("consent_text", "thank_you_message"):  # the marketer's text as written
        if name in cleaned:
            cleaned[name] = str(cleaned[name]).strip()


def clean_form(workspace, data: dict) -> dict:
    _unknown(data, FORM_FIELDS)
    cleaned = {
        key: value
        for key, value in data.items()
        if value is not None or key in ("site_id", "plan_id", "mailing_list_id")
    }
    if "language" in cleaned:
        cleaned["language"] = _language(cleaned["language"])
    if "fields" in cleaned:
        cleaned["fields"] = formfields.clean_fields(workspace, cleaned["fields"])
    if "redirect_url" in cleaned:
        cleaned["redirect_url"] = clean_web_url(cleaned["redirect_url"], "redirect_url")
    if "tags" in cleaned:
        cleaned["tags"] = _tags(cleaned["tags"])
    _texts(cleaned)
    if "site_id" in cleaned:
        cleaned["site_id"] = _reference(workspace, Site, cleaned["site_id"])
    if "plan_id" in cleaned:
        cleaned["plan_id"] = _reference(workspace, Plan, cleaned["plan_id"])
    if "mailing_list_id" in cleaned:
        cleaned["mailing_list_id"] = _reference(workspace, MailingList, cleaned["mailing_list_id"])
    return cleaned


def _check_subscription(form: Form) -> None:
    """A form that subscribes people needs an email field and the consent box they tick."""
    if not form.mailing_list_id:
        return
    if not form.consent_text.strip():
        raise ValidationFailed(
            fields={"consent_text": _("A form that subscribes to a mailing list needs a consent checkbox.")}
        )
    if not any(field.get("key") == "email" for field in form.fields):
        raise ValidationFailed(
            fields={"fields": _("A form that subscribes to a mailing list needs an email field.")}
        )


# Forms


def list_forms(workspace):
    return scoped(Form, workspace).select_related("site", "plan", "mailing_list")


def get_form(workspace, form_id) -> Form:
    return get_for(Form, workspace, form_id, queryset=list_forms(workspace))


@transaction.atomic
def create_form(member, **data) -> Form:
    require(member, Capability.EXECUTE)
    if "fields" not in data:
        raise ValidationFailed(fields={"fields": _("This field is required.")})
    form = records.create_record(
        member, Form, clean_form(member.workspace, data), capability=Capability.EXECUTE
    )
    _check_subscription(form)
    return form


@transaction.atomic
def update_form(member, form_id, **data) -> Form:
    require(member, Capability.EXECUTE)
    form = get_for(Form, member.workspace, form_id)
    form = records.update_record(
        member,
        Form,
        form.pk,
        clean_form(member.workspace, data),
        capability=Capability.EXECUTE,
        instance=form,
    )
    _check_subscription(form)
    return form


def delete_form(member, form_id) -> None:
    """Owners only: the submissions go with the form (contacts, consent and timeline stay)."""
    require(member, Capability.ERASE)
    form = get_for(Form, member.workspace, form_id)
    records.delete_record(member, Form, form.pk)


def list_submissions(workspace, form_id):
    form = get_form(workspace, form_id)
    return form.submissions.filter(workspace_id=workspace.pk).select_related("contact")


# Landing pages


def clean_page(workspace, data: dict) -> dict:
    _unknown(data, PAGE_FIELDS)
    cleaned = {
        key: value for key, value in data.items() if value is not None or key in ("site_id", "form_id")
    }
    if "language" in cleaned:
        cleaned["language"] = _language(cleaned["language"])
    if "image_url" in cleaned:
        cleaned["image_url"] = clean_web_url(cleaned["image_url"], "image_url")
    if "slug" in cleaned:
        cleaned["slug"] = str(cleaned["slug"]).strip().lower()
    for name in ("title", "headline", "image_alt_en", "image_alt_zh"):
        if name in cleaned:
            cleaned[name] = normalise.text(cleaned[name])
    if "site_id" in cleaned:
        cleaned["site_id"] = _reference(workspace, Site, cleaned["site_id"])
    if "form_id" in cleaned:
        cleaned["form_id"] = _reference(workspace, Form, cleaned["form_id"])
    return cleaned


def list_pages(workspace):
    return scoped(LandingPage, workspace).select_related("form", "site")


def get_page(workspace, page_id) -> LandingPage:
    return get_for(LandingPage, workspace, page_id, queryset=list_pages(workspace))


def create_page(member, **data) -> LandingPage:
    require(member, Capability.EXECUTE)
    return records.create_record(
        member, LandingPage, clean_page(member.workspace, data), capability=Capability.EXECUTE
    )


def update_page(member, page_id, **data) -> LandingPage:
    require(member, Capability.EXECUTE)
    page = get_for(LandingPage, member.workspace, page_id)
    return records.update_record(
        member,
        LandingPage,
        page.pk,
        clean_page(member.workspace, data),
        capability=Capability.EXECUTE,
        instance=page,
    )


@transaction.atomic
def delete_page(member, page_id) -> None:
    """Owners only; the uploaded image file goes after the commit."""
    require(member, Capability.ERASE)
    page = get_for(LandingPage, member.workspace, page_id)
    records.delete_record(member, LandingPage, page.pk)
    if page.image_name:
        workspace_id, name = page.workspace_id, page.image_name
        transaction.on_commit(lambda: images.discard(workspace_id, name))
