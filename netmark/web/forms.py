"""Forms of the shared pages: sign-in, two-factor codes, password reset and workspace settings."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

from netmark.core.roles import Role


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
        help_text=_("From your authenticator app."),
    )


class ResetForm(PasswordResetForm):
    """Also reaches members added without a password, so they can choose their first one."""

    def get_users(self, email):
        User = get_user_model()
        return User.objects.filter(email__iexact=email.strip(), is_active=True).iterator()


class NewPasswordForm(forms.Form):
    """The first password of an invited address (no account, or one without a password yet)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                # An unsaved user so the similarity check compares the password with the address.
                validate_password(first, user=get_user_model()(username=self.email, email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def role_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Role"), choices=Role.choices, **kwargs)


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = role_field(initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = role_field()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = role_field(initial=Role.VIEWER)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “CRM import script”.")
    )


def apply_domain_error(form: forms.Form, exc) -> None:
    """Shows a ``ValidationFailed``/``Conflict`` from a service on the form: per field, else on top."""
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.CharField(
        label=_("Events"),
        required=False,
        max_length=2000,
        help_text=_("Event names separated by commas, e.g. plan.created, plan.updated. Empty means all."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    def clean_events(self) -> list[str]:
        raw = self.cleaned_data.get("events") or ""
        return [name.strip() for name in raw.replace("，", ",").replace(" ", ",").split(",") if name.strip()]
