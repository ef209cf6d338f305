"""Two-factor sign-in (TOTP): enrol with a QR code made on the server, confirm, or switch it off."""

import base64

import django_otp
import segno
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from netmark.core import auth_services
from netmark.core.errors import RateLimited
from netmark.web.auth_views import client_ip, throttled
from netmark.web.forms import CodeForm

TEMPLATE = "web/auth/two_factor.html"


def qr_svg(text: str) -> str:
    """An inline SVG QR code; segno escapes nothing user-controlled into markup (only path data)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=5, dark="#111827"))  # noqa: S308


def _grouped_secret(device) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrolment_context(device, form) -> dict:
    return {
        "form": form,
        "enrolled": False,
        "qr": qr_svg(device.config_url),
        "otpauth_uri": device.config_url,
        "secret": _grouped_secret(device),
    }


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request):
    """GET shows the state; POST ``action=confirm`` enrols, ``action=disable`` switches it off."""
    user = request.user
    form = CodeForm(request.POST or None)
    enrolled = auth_services.confirmed_device(user) is not None
    action = request.POST.get("action")
    try:
        if request.method == "POST" and form.is_valid():
            code = form.cleaned_data["code"]
            if enrolled and action == "disable":
                return _disable(request, code, form)
            if not enrolled and action == "confirm":
                return _confirm(request, code, form)
    except RateLimited as exc:
        return throttled(request, TEMPLATE, _page_context(user, form, enrolled), exc)
    return render(request, TEMPLATE, _page_context(user, form, enrolled))


def _page_context(user, form, enrolled: bool) -> dict:
    if enrolled:
        return {"form": form, "enrolled": True}
    return _enrolment_context(auth_services.start_enrolment(user), form)


def _confirm(request, code: str, form):
    device = auth_services.confirm_enrolment(request.user, code, client_ip(request))
    if device is None:
        form.add_error("code", _("This code is not correct. Check the time on your phone and try again."))
        return render(request, TEMPLATE, _page_context(request.user, form, False))
    django_otp.login(request, device)
    flash.success(request, _("Two-factor sign-in is on. From now on, signing in asks for a code."))
    return redirect("two_factor")


def _disable(request, code: str, form):
    if not auth_services.disable_two_factor(request.user, code, client_ip(request)):
        form.add_error("code", _("This code is not correct."))
        return render(request, TEMPLATE, _page_context(request.user, form, True))
    flash.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")
