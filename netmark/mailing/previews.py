"""A campaign's content as one sample person sees it, and test sends of it.

``preview`` renders the subject, HTML and plain-text part of the campaign or of one A/B variant
through the sending path (``delivery.template_for``, ``composing.personalisation``) for a sample
contact of the chosen language, so a template that fails shows its error here, as it would refuse
to start. Nothing is tracked: the preview's unsubscribe and preference links point nowhere.

``send_test`` composes the real message (``composing.compose``: the campaign's sender, list headers,
DKIM on sending) for the sample contact with the subject prefixed "[Test]" and sends it to one
address through the campaign's SMTP server. It is not a recipient (no ``Recipient`` row, no ``sent``
event), its links are not tracked and it has no open pixel, and its unsubscribe token names no
campaign, so nothing it causes counts in the campaign's report.
"""

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from netmark.contacts.models import Contact
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.mailing import campaigns, composing, delivery, sending, smtp
from netmark.mailing.campaign_models import LANGUAGES, Campaign
from netmark.mailing.suppression import check_email
from netmark.mailing.templating import MessageTemplate, RenderFailed

SAMPLES = {
    "zh-hans": {"name": "王芳", "first_name": "王芳", "city": "杭州", "title": "市场经理",
                "email": "wang.fang@example.com"},
    "en": {"name": "Alex Chen", "first_name": "Alex", "city": "London", "title": "Marketing manager",
           "email": "alex.chen@example.com"},
}  # fmt: skip
TEST_PREFIX = "[Test] "  # the same in every language, so filters and people spot it alike
LANGUAGE_KEYS = [key for key, _label in LANGUAGES]


@dataclass
class Preview:
    variant: str
    language: str
    subject: str = ""
    html: str = ""
    text: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def sample_contact(workspace, language: str) -> Contact:
    """An unsaved contact with a name in ``language`` (never stored)."""
    values = SAMPLES[language]
    return Contact(
        workspace=workspace, email=values["email"], name=values["name"], city=values["city"],
        title=values["title"], language=language, custom={"first_name": values["first_name"]},
    )  # fmt: skip


def _check(campaign: Campaign, variant: str, language: str) -> None:
    keys = [v.key for v in campaign.variants.all()]
    if variant and variant not in keys:
        raise ValidationFailed(
            fields={"variant": _("This campaign has no variant %(key)s.") % {"key": variant}}
        )
    if language not in LANGUAGE_KEYS:
        raise ValidationFailed(fields={"lang": _("Choose zh-hans or en.")})


def _template(campaign: Campaign, variant: str, prefix: str = "") -> MessageTemplate:
    if not prefix:
        return delivery.template_for(campaign, variant)
    chosen = next((v for v in campaign.variants.all() if v.key == variant), None) if variant else None
    subject = chosen.subject if chosen else campaign.subject
    html = chosen.html if chosen and chosen.html else campaign.html
    return MessageTemplate(prefix + subject, html, campaign.text or None)


def preview(workspace, campaign_id, *, variant: str = "", language: str = "") -> Preview:
    campaign = campaigns.get_campaign(workspace, campaign_id)
    language = language or workspace.language
    _check(campaign, variant, language)
    shown = Preview(variant, language)
    contact = sample_contact(workspace, language)
    context = composing.personalisation(contact, contact.email, "#unsubscribe", "#preferences")
    try:
        rendered = _template(campaign, variant).render(context)
    except RenderFailed as exc:
        shown.errors = exc.fields
        return shown
    shown.subject, shown.html, shown.text = rendered.subject, rendered.html, rendered.text
    return shown


def test_letter(campaign: Campaign, email: str, variant: str, language: str) -> composing.Letter:
    contact = sample_contact(campaign.workspace, language)
    return composing.Letter(
        workspace_id=campaign.workspace_id,
        server=campaign.server,
        sender=composing.sender_for(campaign.server, campaign.from_name, campaign.from_email),
        recipient=email,
        contact=contact,
        template=_template(campaign, variant, prefix=TEST_PREFIX),
        key=f"campaign-test:{campaign.pk}:{email}:{time.time_ns()}",
        list_key=str(campaign.mailing_list_id or ""),
        list_name=campaign.mailing_list.name if campaign.mailing_list_id else campaign.name,
        list_fallback=f"c{campaign.pk}",
        unsubscribe_key="",
        utm={},
        tracked=False,
    )


def send_test(member, campaign_id, email: str, *, variant: str = "", language: str = "") -> smtp.Outcome:
    """Sends the campaign's message for the sample contact to ``email`` (execution roles); the
    outcome, whatever it is. Refused without an SMTP server or while the template fails."""
    require(member, Capability.EXECUTE)
    campaign = campaigns.get_campaign(member.workspace, campaign_id)
    language = language or member.workspace.language
    _check(campaign, variant, language)
    email = check_email(email)
    if campaign.server_id is None:
        raise ValidationFailed(fields={"email": _("Choose the SMTP server to send through.")})
    try:
        outgoing = composing.compose(test_letter(campaign, email, variant, language))
    except RenderFailed as exc:
        raise ValidationFailed(fields={"email": "; ".join(exc.fields.values())}) from None
    # One attempt, as the SMTP server's own test: a retry's backoff would hold the page for minutes.
    return sending.send_one(campaign.server, outgoing.message, email)
