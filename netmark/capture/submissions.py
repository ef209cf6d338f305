"""The public submission path (docs/capture.md, "What a submission does").

``render_token`` signs what a rendered form needs back (its public id, the render time, the
tracker's visitor id for the form's site); ``submit`` checks the token, the honeypot, the minimum
fill time and the rate limit per address and form, validates every field in the form's language,
then in one transaction upserts the contact, records consent with its proof, appends the
``form_submission`` timeline entry, identifies the visitor, stores the submission and emits the
``form.submitted`` (and, for a new person, ``contact.created``) webhooks; the goal event goes to
the ``EventStore`` after commit.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netmark.analytics import identity as visitors
from netmark.capture import formfields, goals, values
from netmark.capture.models import Form, Submission
from netmark.contacts import services as contacts
from netmark.core import ratelimit, signing, webhooks
from netmark.core.errors import NetmarkError, NotFound, ValidationFailed
from netmark.mailing import services as mailing

log = logging.getLogger("netmark.capture")

TOKEN_PURPOSE = "capture.render"  # noqa: S105 - a signing salt name, not a secret
TOKEN_FIELD = "_token"  # noqa: S105 - a form field name
HONEYPOT_FIELD = "nm_website"  # hidden from people; bots fill anything named like a website
CONSENT_FIELD = "consent"
PAGE_FIELD = "_page"
TOKEN_MAX_AGE_S = 2 * 86400


class ExpiredForm(NetmarkError):
    status = 400
    code = "form_expired"


@dataclass
class Outcome:
    accepted: bool  # False: dropped as spam, answered like a success
    message: str
    redirect_url: str
    submission: Submission | None = None


def get_public_form(public_id: str) -> Form:
    """An active form by its public id; ``NotFound`` for unknown and inactive ones alike."""
    form = (
        Form.unscoped.select_related("workspace", "site")
        .filter(public_id=str(public_id)[:40], is_active=True)
        .first()
    )
    if form is None:
        raise NotFound()
    return form


def tracker_visitor(form: Form, ip: str, user_agent: str) -> int:
    """The visitor id the tracker's events of the form's site carry for this browser (0 without a site)."""
    if form.site_id is None or not ip:
        return 0
    return visitors.visitor_ids(form.site_id, form.site.salt_period, ip, user_agent)[0]


def render_token(form: Form, *, visitor: int = 0) -> str:
    return signing.sign(TOKEN_PURPOSE, {"f": form.public_id, "t": int(time.time() * 1000), "v": int(visitor)})


def _read_token(form: Form, token) -> dict:
    try:
        content = signing.unsign(TOKEN_PURPOSE, str(token or ""), max_age=TOKEN_MAX_AGE_S)
    except NotFound:
        content = None
    if not isinstance(content, dict) or content.get("f") != form.public_id:
        raise ExpiredForm(_("This form has expired. Reload the page and send it again."))
    return content


def _check_spam(form: Form, data, ip: str) -> dict:
    """The render token's content; raises for expired tokens, too-fast fills and floods."""
    limit = getattr(settings, "CAPTURE_SUBMITS_PER_MINUTE", 10)
    ratelimit.hit("capture-submit", f"{form.pk}:{ip}", limit=limit)
    content = _read_token(form, data.get(TOKEN_FIELD))
    minimum_ms = int(getattr(settings, "CAPTURE_MIN_FILL_SECONDS", 3) * 1000)
    if int(time.time() * 1000) - int(content.get("t", 0)) < minimum_ms:
        raise ValidationFailed(
            _("That was quick. Please check your answers and send the form again."), code="too_fast"
        )
    return content


def _thanks(form: Form) -> str:
    return form.thank_you_message or _("Thank you. We have received your details.")


def submit(form: Form, data, *, ip: str, user_agent: str = "") -> Outcome:
    """Checks and stores one submission. Raises ``NetmarkError`` subclasses (4xx), never anything else
    for bad input; a filled honeypot is answered like a success and stores nothing."""
    with translation.override(form.language):
        content = _check_spam(form, data, ip)
        if str(data.get(HONEYPOT_FIELD) or "").strip():
            log.info("form %s: honeypot filled, submission dropped", form.pk)
            return Outcome(False, _thanks(form), form.redirect_url)
        custom = formfields.custom_definitions(form.workspace)
        cleaned = values.clean_values(form, data, custom)
        consent_given = bool(form.consent_text) and values.is_checked(data.get(CONSENT_FIELD))
        visitor = int(content.get("v") or 0) or tracker_visitor(form, ip, user_agent)
        page_url = str(data.get(PAGE_FIELD) or "")[:500]
        submission = _store(
            form, cleaned, consent_given=consent_given, ip=ip, visitor=visitor, page_url=page_url
        )
        return Outcome(True, _thanks(form), form.redirect_url, submission)


@transaction.atomic
def _store(
    form: Form, cleaned: dict, *, consent_given: bool, ip: str, visitor: int, page_url: str
) -> Submission:
    workspace = form.workspace
    data = values.contact_data(cleaned)
    if form.tags:
        data["tags"] = list(form.tags)
    if form.plan_id:
        data["source_plan_id"] = form.plan_id  # filled in only where the contact has no source promotion
    contact, created = contacts.upsert_contact(workspace, data, source=f"form:{form.public_id}")
    submission = Submission.unscoped.create(
        workspace=workspace,
        form=form,
        contact=contact,
        values=cleaned,
        consent_given=consent_given,
        contact_created=created,
        page_url=page_url,
    )
    now = timezone.now()
    if consent_given:
        contacts.record_consent(
            contact,
            form.consent_purpose,
            "granted",
            source=f"form:{form.public_id}",
            at=now,
            form_id=form.public_id,
            ip_address=ip,
            text=form.consent_text,
        )
    contacts.record(
        contact,
        "form_submission",
        now,
        {"title": form.name, "form_id": form.public_id, "values": cleaned, "consent": consent_given},
        source_ref=f"submission:{submission.pk}",
    )
    if consent_given and visitor and form.site_id:
        contacts.identify(contact, form.site_id, visitor, via="form")
    if consent_given and form.mailing_list_id and contact.email:
        mailing.subscribe(
            form.mailing_list, contact.email, language=form.language, source=f"form:{form.public_id}"
        )  # the confirmation email goes out after the commit
    _emit(form, submission, contact, created)
    event = goals.goal_event(
        workspace_id=workspace.pk,
        site=form.site,
        submission_id=submission.pk,
        form_public_id=form.public_id,
        contact_id=contact.pk,
        visitor=visitor,
        page_url=page_url,
    )
    transaction.on_commit(lambda: goals.append(event))
    return submission


def contact_payload(contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "stage": contact.stage,
        "source": contact.source,
    }


def _emit(form: Form, submission: Submission, contact, created: bool) -> None:
    payload = {
        "form": {"id": form.pk, "public_id": form.public_id, "name": form.name},
        "submission": {"id": submission.pk, "values": submission.values, "consent": submission.consent_given},
        "contact": contact_payload(contact),
        "contact_created": created,
    }
    webhooks.emit(form.workspace, "form.submitted", payload)
    if created:
        webhooks.emit(form.workspace, "contact.created", {"contact": contact_payload(contact), "via": "form"})
