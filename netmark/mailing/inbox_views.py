"""Pages of IMAP bounce mailboxes (owners): the list with each mailbox's last poll, counts and
error, create, edit, delete and "poll now"."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.roles import Capability
from netmark.mailing import services
from netmark.mailing.inbox_forms import MailboxForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page


def _url(request, name: str, *args) -> str:
    return reverse(f"mailing:{name}", args=[request.member.workspace.slug, *args])


@workspace_page(Capability.ADMINISTER)
def mailbox_list(request):
    mailboxes = services.list_mailboxes(request.member.workspace)
    return render(request, "mailing/mailbox_list.html", {"mailboxes": mailboxes})


@workspace_page(Capability.ADMINISTER)
def mailbox_create(request):
    initial = {"security": "tls", "after": "move", "is_active": True}
    form = MailboxForm(request.POST or None, initial=initial)

    def save(_data):
        return services.create_mailbox(request.member, **form.data_for_service(editing=False))

    context = {"cancel_url": _url(request, "mailbox_list"), "heading": _("New bounce mailbox")}
    return form_page(request, form, save, "mailing/mailbox_form.html", _url(request, "mailbox_list"), context)


@workspace_page(Capability.ADMINISTER)
def mailbox_edit(request, bounce_mailbox_id: int):
    mailbox = services.get_mailbox(request.member.workspace, bounce_mailbox_id)
    form = MailboxForm(request.POST or None, initial=MailboxForm.initial_for(mailbox))

    def save(_data):
        return services.update_mailbox(request.member, mailbox.pk, **form.data_for_service(editing=True))

    context = {"cancel_url": _url(request, "mailbox_list"), "heading": mailbox.name, "mailbox": mailbox}
    return form_page(request, form, save, "mailing/mailbox_form.html", _url(request, "mailbox_list"), context)


@require_POST
@workspace_page(Capability.ADMINISTER)
def mailbox_poll(request, bounce_mailbox_id: int):
    result = services.poll_mailbox(request.member, bounce_mailbox_id)
    if result.status == "ok":
        flash.success(
            request,
            _("Polled: %(reports)s reports (%(applied)s new), %(others)s other messages set aside.")
            % result.counts(),
        )
    else:
        flash.error(request, _("The poll failed: %(error)s") % {"error": result.error})
    return redirect(_url(request, "mailbox_list"))


@workspace_page(Capability.ADMINISTER)
def mailbox_delete(request, bounce_mailbox_id: int):
    mailbox = services.get_mailbox(request.member.workspace, bounce_mailbox_id)
    return delete_page(
        request,
        mailbox,
        lambda: services.delete_mailbox(request.member, mailbox.pk),
        _url(request, "mailbox_list"),
        "web/confirm_delete.html",
    )
