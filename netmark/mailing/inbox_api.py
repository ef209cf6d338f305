"""API of IMAP bounce mailboxes (owners only: SMTP and integrations)."""

from ninja import Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require
from netmark.mailing import services
from netmark.mailing.inbox_schemas import MailboxIn, MailboxOut, MailboxPatch, PollOut

router = Router(tags=["mailing-settings"])
CONFLICT = {409: ErrorOut}


@router.get("/bounce-mailboxes", response=responses({200: list[MailboxOut]}))
@paginate(Page)
def list_mailboxes(request):
    require(request.member, Capability.ADMINISTER)
    return services.list_mailboxes(request.member.workspace)


@router.post("/bounce-mailboxes", response=responses({201: MailboxOut, **CONFLICT}))
def create_mailbox(request, payload: MailboxIn):
    return Status(201, services.create_mailbox(request.member, **body(payload)))


@router.get("/bounce-mailboxes/{mailbox_id}", response=responses({200: MailboxOut}))
def get_mailbox(request, mailbox_id: int):
    require(request.member, Capability.ADMINISTER)
    return services.get_mailbox(request.member.workspace, mailbox_id)


@router.patch("/bounce-mailboxes/{mailbox_id}", response=responses({200: MailboxOut, **CONFLICT}))
def update_mailbox(request, mailbox_id: int, payload: MailboxPatch):
    return services.update_mailbox(request.member, mailbox_id, **given(payload))


@router.delete("/bounce-mailboxes/{mailbox_id}", response=responses({204: None}))
def delete_mailbox(request, mailbox_id: int):
    services.delete_mailbox(request.member, mailbox_id)
    return Status(204, None)


@router.post("/bounce-mailboxes/{mailbox_id}/poll", response=responses({200: PollOut}))
def poll_mailbox(request, mailbox_id: int):
    """Polls the mailbox now. A server that cannot be reached or refuses the login is an answer
    (``status: error`` with the reason, also kept on the mailbox), not a failure of this call."""
    return services.poll_mailbox(request.member, mailbox_id).counts()
