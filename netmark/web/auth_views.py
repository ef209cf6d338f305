"""Signing in and out, the two-factor step, password change and password reset by email.

Sign-in answers unknown addresses and wrong passwords identically and is throttled per address
and per IP (``core.auth_services``). Members with a confirmed TOTP device give their code on a
second page before the session is created. Every outcome is logged on ``netmark.security``.
"""

import logging
import time

import django_otp
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as django_auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from netmark.core import auth_services
from netmark.core.errors import RateLimited
from netmark.core.services import memberships
from netmark.web.forms import CodeForm, ResetForm, SignInForm

PENDING_USER = "netmark_pending_user"
PENDING_SINCE = "netmark_pending_since"
PENDING_NEXT = "netmark_pending_next"
PENDING_SECONDS = 300
GENERIC_FAILURE = gettext_lazy("The email address or the password is not correct.")


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def safe_next(request, default: str = "") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if candidate and allowed else (default or reverse("home"))


def throttled(request, template: str, context: dict, exc: RateLimited):
    minutes = max(1, (exc.retry_after + 59) // 60)
    message = _("Too many failed attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    response = render(request, template, {**context, "throttle_message": message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def finish_sign_in(request, user, next_url: str, device=None):
    """Creates the session (a new key), remembers the device, defaults the language, redirects."""
    login(request, user)
    if device is not None:
        django_otp.login(request, device)
    auth_services.log_security(
        "sign_in", client_ip(request), level=logging.INFO, user=user.pk, two_factor=device is not None
    )
    response = redirect(next_url)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        first = next(iter(memberships(user)), None)
        if first is not None and first.workspace.language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                first.workspace.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method != "POST" or not form.is_valid():
        return render(request, "web/auth/sign_in.html", context)
    email, ip = form.cleaned_data["email"], client_ip(request)
    try:
        user = auth_services.check_password(email, form.cleaned_data["password"], ip)
    except RateLimited as exc:
        return throttled(request, "web/auth/sign_in.html", context, exc)
    if user is None:
        form.add_error(None, GENERIC_FAILURE)
        return render(request, "web/auth/sign_in.html", context)
    if auth_services.confirmed_device(user) is None:
        return finish_sign_in(request, user, next_url)
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_SINCE] = int(time.time())
    request.session[PENDING_NEXT] = next_url
    return redirect("login_code")


def _pending_user(request):
    user_id, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - since > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _clear_pending(request) -> str:
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_SINCE, None)
    return request.session.pop(PENDING_NEXT, "") or reverse("home")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request):
    user = _pending_user(request)
    if user is None:
        _clear_pending(request)
        flash.info(request, _("Sign in again, please."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "web/auth/sign_in_code.html", {"form": form})
    try:
        device = auth_services.verify_code(user, form.cleaned_data["code"], client_ip(request))
    except RateLimited as exc:
        return throttled(request, "web/auth/sign_in_code.html", {"form": form}, exc)
    if device is None:
        form.add_error("code", _("This code is not correct. Wait for the next one and try again."))
        return render(request, "web/auth/sign_in_code.html", {"form": form})
    return finish_sign_in(request, user, _clear_pending(request), device)


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        auth_services.log_security("sign_out", client_ip(request), level=logging.INFO, user=request.user.pk)
    logout(request)
    flash.info(request, _("You are signed out."))
    return redirect("login")


@sensitive_post_parameters()
@login_required
def password_change(request):
    """Keeps this session (``update_session_auth_hash``); every other session of the user ends."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        auth_services.log_security("password_changed", client_ip(request), level=logging.INFO, user=user.pk)
        flash.success(request, _("Your password is changed. Other sessions are signed out."))
        return redirect("password_change")
    return render(request, "web/auth/password_change.html", {"form": form})


class PasswordResetView(django_auth.PasswordResetView):
    """Same answer whether or not the address exists; the link points at ``PUBLIC_URL``."""

    form_class = ResetForm
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/email/password_reset_body.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):
        return {"public_url": settings.PUBLIC_URL}

    def post(self, request, *args, **kwargs):
        try:
            auth_services.check_reset_request(client_ip(request))
        except RateLimited as exc:
            return throttled(request, self.template_name, {"form": self.get_form()}, exc)
        auth_services.log_security("password_reset_requested", client_ip(request), level=logging.INFO)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(django_auth.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        auth_services.log_security(
            "password_reset", client_ip(self.request), level=logging.INFO, user=form.user.pk
        )
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = django_auth.PasswordResetDoneView.as_view(
    template_name="web/auth/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = django_auth.PasswordResetCompleteView.as_view(
    template_name="web/auth/password_reset_complete.html"
)
