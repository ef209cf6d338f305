"""The bounce mailbox form (parses input only; ``inbox`` validates and saves)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netmark.mailing.inbox_models import BounceMailbox

FIELDS = (
    "name", "host", "port", "security", "username", "password", "folder", "after",
    "processed_folder", "other_folder", "poll_minutes", "is_active",
)  # fmt: skip


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    host = forms.CharField(
        label=_("IMAP host"), max_length=253, help_text=_("For example imap.exmail.qq.com.")
    )
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=BounceMailbox.Security.choices)
    username = forms.CharField(label=_("User name"), max_length=200)
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    folder = forms.CharField(label=_("Folder to read"), max_length=200, initial="INBOX")
    after = forms.ChoiceField(label=_("After a report is processed"), choices=BounceMailbox.After.choices)
    processed_folder = forms.CharField(
        label=_("Processed folder"), max_length=200, required=False, initial="netmark-processed",
        help_text=_("Created when missing."),
    )  # fmt: skip
    other_folder = forms.CharField(
        label=_("Folder for mail that is no report"),
        max_length=200,
        required=False,
        help_text=_("Empty: such mail stays in the folder read, marked so it is counted once."),
    )
    poll_minutes = forms.IntegerField(label=_("Poll every (minutes)"), min_value=1, max_value=1440, initial=5)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def initial_for(cls, mailbox: BounceMailbox) -> dict:
        return {name: getattr(mailbox, name) for name in FIELDS if name != "password"}

    def data_for_service(self, *, editing: bool) -> dict:
        data = {name: self.cleaned_data[name] for name in FIELDS}
        if editing and not data["password"]:
            del data["password"]
        return data
