"""Forms of the mailing pages. They parse input only; the services validate and save."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.mailing.models import DkimKey, FeedbackHook, SmtpServer, Suppression

FIELDS = (
    "name", "host", "port", "security", "username", "password", "from_email", "from_name",
    "unsubscribe_mailbox", "per_second", "per_hour", "domain_limits", "is_active",
)  # fmt: skip


class ServerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    host = forms.CharField(label=_("Host"), max_length=253, help_text=_("For example smtp.exmail.qq.com."))
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=587)
    security = forms.ChoiceField(label=_("Security"), choices=SmtpServer.Security.choices)
    username = forms.CharField(label=_("User name"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    from_email = forms.EmailField(label=_("Sender address"), max_length=254)
    from_name = forms.CharField(label=_("Sender name"), max_length=100, required=False)
    unsubscribe_mailbox = forms.EmailField(
        label=_("Unsubscribe mailbox"),
        max_length=254,
        required=False,
        help_text=_("Optional: offered as the mailto: in List-Unsubscribe."),
    )
    per_second = forms.IntegerField(label=_("Messages per second"), min_value=1, max_value=10_000, initial=10)
    per_hour = forms.IntegerField(
        label=_("Messages per hour"), min_value=0, initial=0, help_text=_("0: no hourly limit.")
    )
    domain_limits = forms.CharField(
        label=_("Limits per recipient domain"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('JSON, e.g. {"qq.com": {"per_second": 5, "per_hour": 10000}}.'),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def initial_for(cls, server: SmtpServer) -> dict:
        initial = {name: getattr(server, name) for name in FIELDS if name != "password"}
        initial["domain_limits"] = (
            json.dumps(server.domain_limits, ensure_ascii=False) if server.domain_limits else ""
        )
        return initial

    def clean_domain_limits(self):
        raw = (self.cleaned_data.get("domain_limits") or "").strip()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None

    def data_for_service(self, *, editing: bool) -> dict:
        data = {name: self.cleaned_data[name] for name in FIELDS}
        if editing and not data["password"]:
            del data["password"]
        return data


class TestSendForm(forms.Form):
    email = forms.EmailField(label=_("Send a test message to"), max_length=254)


class KeyForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"), max_length=253, help_text=_("The domain of your sender address.")
    )
    selector = forms.CharField(label=_("Selector"), max_length=63, initial="netmark")
    algorithm = forms.ChoiceField(label=_("Algorithm"), choices=DkimKey.Algorithm.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SuppressionForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    reason = forms.ChoiceField(label=_("Reason"), choices=Suppression.Reason.choices, initial="manual")
    detail = forms.CharField(label=_("Note"), max_length=500, required=False)


class DeliverabilityForm(forms.Form):
    domain = forms.CharField(label=_("Sending domain"), max_length=253)


class HookForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=FeedbackHook.Provider.choices)
    secret = forms.CharField(
        label=_("Signing secret"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text=_(
            "Mailgun: the webhook signing key. SendGrid: the verification key. "
            "Amazon SES: the SNS signing certificate (PEM)."
        ),
    )
    topic_arn = forms.CharField(label=_("SNS topic ARN (SES only)"), max_length=300, required=False)
