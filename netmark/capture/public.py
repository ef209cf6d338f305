"""What the public pages show: a form ready to render (fields, token, texts) and landing pages.

Every text comes from members or from visitors and is escaped by the templates (or set as DOM text
by ``embed.js``); nothing here marks user text safe except the Markdown renderer's output.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from netmark.capture import formfields, markdown, submissions
from netmark.capture.models import LandingPage
from netmark.core import signing
from netmark.core.errors import NotFound


def form_context(form, *, ip: str = "", user_agent: str = "", data=None, errors=None) -> dict:
    """Everything a template or ``embed.js`` needs to show ``form`` (in the form's language)."""
    data, errors = data or {}, errors or {}
    fields = formfields.described(form)
    for field in fields:
        field["value"] = data.get(field["name"], "")
        field["error"] = errors.get(field["name"], "")
    with translation.override(form.language):
        return {
            "form": form,
            "fields": fields,
            "token": submissions.render_token(
                form, visitor=submissions.tracker_visitor(form, ip, user_agent)
            ),
            "submit_label": form.submit_label or _("Send"),
            "action": f"/f/{form.public_id}/submit",
            "consent_error": errors.get(submissions.CONSENT_FIELD, ""),
            "consent_checked": bool(data.get(submissions.CONSENT_FIELD)),
            "honeypot": submissions.HONEYPOT_FIELD,
            "required_note": _("Required"),
        }


def form_json(form, *, ip: str, user_agent: str) -> dict:
    """The form as data for ``embed.js``: the script builds the DOM with text nodes only."""
    context = form_context(form, ip=ip, user_agent=user_agent)
    return {
        "action": context["action"],  # embed.js puts the origin of its own src in front
        "token": context["token"],
        "language": form.language,
        "fields": [
            {key: field[key] for key in ("name", "label", "kind", "required", "choices")}
            for field in context["fields"]
        ],
        "consent_text": form.consent_text,
        "submit_label": context["submit_label"],
        "honeypot": context["honeypot"],
    }


def public_url() -> str:
    return str(getattr(settings, "PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def origin_of(url: str) -> str:
    parts = urlsplit(url) if url else None
    return (
        f"{parts.scheme}://{parts.netloc}"
        if parts and parts.scheme in ("http", "https") and parts.netloc
        else ""
    )


def get_published_page(workspace_slug: str, page_slug: str) -> LandingPage:
    """A published page; ``NotFound`` for unknown and unpublished pages alike."""
    page = (
        LandingPage.unscoped.select_related("workspace", "form", "site")
        .filter(workspace__slug=str(workspace_slug)[:60], slug=str(page_slug)[:80], is_published=True)
        .first()
    )
    if page is None:
        raise NotFound()
    return page


PAGE_PURPOSE = "capture.page"


def image_src(page: LandingPage) -> str:
    """The uploaded image's public address (it names the file, so a new image is a new address),
    else the image address the page was given, else ""."""
    if page.image_name:
        args = [page.workspace.slug, page.slug, page.image_name]
        return reverse("capture_landing_image", args=args)
    return page.image_url


def page_context(page: LandingPage, *, ip: str, user_agent: str, data=None, errors=None) -> dict:
    form = page.form if page.form is not None and page.form.is_active else None
    context = {
        "page": page,
        "body": markdown.render(page.body),
        "tracker_domain": "",
        "image_src": image_src(page),
    }
    if page.site is not None and page.site.is_active:
        context["tracker_domain"] = page.site.domain
    if form is not None:
        context.update(form_context(form, ip=ip, user_agent=user_agent, data=data, errors=errors))
        context["landing_token"] = signing.sign(PAGE_PURPOSE, page.pk)
    return context


def landing_page_for(form, token) -> LandingPage | None:
    """The published page a form was sent from (its signed id), to show errors on it; else None."""
    try:
        page_id = signing.unsign(PAGE_PURPOSE, str(token or ""))
    except NotFound:
        return None
    if not isinstance(page_id, int):
        return None
    return (
        LandingPage.unscoped.select_related("workspace", "form", "site")
        .filter(pk=page_id, workspace_id=form.workspace_id, form_id=form.pk, is_published=True)
        .first()
    )
