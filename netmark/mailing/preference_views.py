"""``/mail/preferences/<token>/``: the preference centre (no sign-in; the unsubscribe token is the
authority). A GET only shows the page, so prefetches change nothing. Unlike the one-click
unsubscribe, the POST comes only from this page's own form, so it keeps Django's CSRF protection
(cookie and form token): another site cannot submit choices for someone who opened a link."""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from netmark.core.errors import NotFound, ValidationFailed
from netmark.mailing import preferences
from netmark.mailing.campaign_models import LANGUAGES
from netmark.mailing.public_views import _client_ip, _miss, _private


@require_http_methods(["GET", "HEAD", "POST"])
def preference_centre(request, token: str):
    try:
        found = preferences.read(token)
    except NotFound:
        return _miss(request)
    saved, status = False, 200
    if request.method == "POST":
        try:
            found = preferences.save(
                token,
                list_ids=request.POST.getlist("list")[:500],
                stop_all=request.POST.get("stop_all") == "1",
                language=str(request.POST.get("language", ""))[:10],
                ip_address=_client_ip(request),
            )
            saved = True
        except ValidationFailed:
            status = 400
    with translation.override(found.page_language):
        context = {
            "prefs": found,
            "token": token,
            "saved": saved,
            "languages": LANGUAGES,
            "bad": status == 400,
        }
        response = _private(render(request, "mailing/preferences.html", context, status=status))
    # "no-referrer" would make browsers send "Origin: null" with the form, which CSRF refuses;
    # same-origin still keeps the token in the address away from every other site.
    response["Referrer-Policy"] = "same-origin"
    return response
