"""``/mail/confirm/<token>/``: the double opt-in confirmation page (no sign-in).

A GET shows the page with one button; the POST confirms. A link scanner or a prefetch that only
GETs the link therefore confirms nobody (the same rule as one-click unsubscribe). The signed token
is the authority, so the POST needs no CSRF cookie (the view is on test_csrf.py's allow-list).
Forged, expired and other-purpose tokens answer one plain 404, counted like unsubscribe misses.
"""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from netmark.core.errors import NotFound
from netmark.mailing import lists
from netmark.mailing.public_views import _client_ip, _miss, _private


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    try:
        subscription = lists.read_confirm_token(token)
    except NotFound:
        return _miss(request)
    contact = subscription.contact
    language = contact.language or subscription.mailing_list.language
    with translation.override(language):
        if request.method == "POST":
            subscription = lists.confirm(token, ip_address=_client_ip(request))
        context = {"subscription": subscription, "done": subscription.status == subscription.Status.CONFIRMED}
        return _private(render(request, "mailing/confirm.html", context))
