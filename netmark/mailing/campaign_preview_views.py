"""A campaign's preview (``campaigns/<id>/preview/``, every member) and its test send (execution
roles). Views parse, call ``previews`` and render."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, can
from netmark.mailing import campaigns, previews
from netmark.mailing.campaign_models import LANGUAGES
from netmark.mailing.forms import TestSendForm
from netmark.web.access import workspace_page


def _details(exc: ValidationFailed) -> str:
    return "; ".join(exc.fields.values()) if exc.fields else exc.message


def _choice(request) -> tuple[str, str]:
    return request.GET.get("variant", "")[:20], request.GET.get("lang", "")[:10]


@workspace_page()
def campaign_preview(request, campaign_id: int):
    workspace = request.member.workspace
    campaign = campaigns.get_campaign(workspace, campaign_id)
    variant, language = _choice(request)
    try:
        shown = previews.preview(workspace, campaign.pk, variant=variant, language=language)
    except ValidationFailed as exc:
        return HttpResponseBadRequest(_details(exc), content_type="text/plain; charset=utf-8")
    context = {
        "campaign": campaign,
        "preview": shown,
        "variants": [v.key for v in campaign.variants.all()],
        "languages": LANGUAGES,
        "form": TestSendForm(initial={"email": request.user.email}),
        "can_execute": can(request.member, Capability.EXECUTE),
    }
    return render(request, "mailing/campaign_preview.html", context)


@require_POST
@workspace_page(Capability.EXECUTE)
def campaign_test_send(request, campaign_id: int):
    """Sends the test, then back to the preview of the same variant and language."""
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    variant, language = request.POST.get("variant", "")[:20], request.POST.get("lang", "")[:10]
    form = TestSendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields={"email": _("Enter a valid email address.")})
        email = form.cleaned_data["email"]
        outcome = previews.send_test(request.member, campaign.pk, email, variant=variant, language=language)
    except ValidationFailed as exc:
        flash.error(request, _details(exc))
    else:
        if outcome.delivered:
            flash.success(request, _("Test message sent to %(email)s.") % {"email": email})
        else:
            detail = f"{outcome.code} {outcome.detail}".strip()
            flash.error(request, _("The test message was not sent: %(detail)s") % {"detail": detail})
    url = reverse("mailing:campaign_preview", args=[request.member.workspace.slug, campaign.pk])
    return redirect(f"{url}?{urlencode({'variant': variant, 'lang': language})}")
