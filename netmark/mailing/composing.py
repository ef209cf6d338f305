"""Building one marketing message, for campaigns and drip sequences alike.

``compose(letter)`` personalises the template, tracks every link (tagged with the UTM the letter
carries), adds the open pixel and the honeypot, the List-Id, the one-click unsubscribe (token naming
list and campaign) and a Message-ID seeded by the letter's key, so every attempt of the same message
carries the same one. The message's tag (``verp.message_tag``) is computed once here and handed back
with the message and its VERP return path: the sender records the ``sent`` row with that tag and
never hashes the key again.
"""

from dataclasses import dataclass

from django.conf import settings

from netmark.mailing import mime, tracking, verp
from netmark.mailing.templating import MessageTemplate, contact_context
from netmark.mailing.unsubscribe import make_token, preferences_url, unsubscribe_url


@dataclass(frozen=True, slots=True)
class Letter:
    """What differs between a campaign's message and a drip step's."""

    workspace_id: int
    server: object  # the SmtpServer (its unsubscribe mailbox)
    sender: mime.Sender
    recipient: str
    contact: object  # the Contact, or None when it was deleted
    template: MessageTemplate
    key: str  # names the message for every attempt: Message-ID, tracking tokens, VERP tag
    list_key: str  # the mailing list's id, "" without one
    list_name: str
    list_fallback: str  # the List-Id identifier without a mailing list ("c12", "d5")
    unsubscribe_key: str  # the campaign named by the unsubscribe token ("12", "drip5")
    utm: dict
    campaign_id: int | None = None
    variant: str = ""
    tracked: bool = True  # False for test sends: no open pixel, links left as written


@dataclass(frozen=True, slots=True)
class Outgoing:
    message: mime.Message
    key: str
    tag: str  # verp.message_tag of the key: the ``sent`` row, opens, clicks and bounces use it
    envelope_from: str | None  # the VERP return path (None when VERP is off)


def personalisation(contact, email: str, unsubscribe: str = "", preferences: str = "") -> dict:
    """What a template sees: ``contact`` (plain fields and custom fields), ``unsubscribe_url`` and
    ``preferences_url`` (the preference centre, same token)."""
    fields = dict(contact.custom or {}) if contact is not None else {}
    if contact is not None:
        fields.update(name=contact.name, city=contact.city, title=contact.title, language=contact.language)
        fields.setdefault("first_name", contact.name)
    fields["email"] = email
    return {
        "contact": contact_context(fields),
        "unsubscribe_url": unsubscribe,
        "preferences_url": preferences,
    }


def sender_for(server, name: str = "", email: str = "") -> mime.Sender:
    """The From address: the campaign's or sequence's own, else the server's."""
    return mime.address(name or server.from_name or server.name, email or server.from_email)


def _tracked(letter: Letter, html: str, tag: str) -> str:
    return tracking.decorate_html(
        html,
        workspace_id=letter.workspace_id,
        campaign_id=letter.campaign_id,
        variant=letter.variant,
        contact_id=letter.contact.pk if letter.contact is not None else None,
        recipient=letter.recipient,
        message_key=letter.key,
        message_tag=tag,
        utm=letter.utm,
    )


def compose(letter: Letter) -> Outgoing:
    token = make_token(
        letter.workspace_id, letter.recipient, list_key=letter.list_key, campaign_key=letter.unsubscribe_key
    )
    url = unsubscribe_url(token)
    context = personalisation(letter.contact, letter.recipient, url, preferences_url(token))
    rendered = letter.template.render(context)
    tag = verp.message_tag(letter.workspace_id, letter.key)
    html = _tracked(letter, rendered.html, tag) if letter.tracked else rendered.html
    identifier = f"list{letter.list_key or letter.list_fallback}"
    message = mime.build_message(
        sender=letter.sender,
        recipient=letter.recipient,
        subject=rendered.subject,
        html=html,
        text=rendered.text,
        key=letter.key,
        list_id=mime.list_id(letter.list_name, identifier, letter.sender.domain),
        unsubscribe=mime.Unsubscribe(url, letter.server.unsubscribe_mailbox),
    )
    envelope = verp.address(letter.workspace_id, tag) if settings.VERP else None
    return Outgoing(message, letter.key, tag, envelope)
