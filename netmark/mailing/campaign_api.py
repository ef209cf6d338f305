"""Lists, subscriptions and campaigns API (tag ``mailing``: every member reads, execution roles
write). Handlers parse, call one service of ``lists`` / ``campaigns`` and shape the answer."""

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import binary_answer, body, file_answer, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.mailing import campaign_reports, campaigns, lists
from netmark.mailing.campaign_schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignProgressOut,
    CampaignReportQuery,
    CampaignStatusIn,
    CampaignVariantOut,
    CampaignVariantsIn,
    MailingListIn,
    MailingListOut,
    MailingListPatch,
    MailingSubscribeIn,
    MailingSubscriptionFilters,
    MailingSubscriptionOut,
)

router = Router(tags=["mailing"])
CONFLICT = {409: ErrorOut}


def _server_field(data: dict) -> dict:
    if "smtp_server_id" in data:
        data["server_id"] = data.pop("smtp_server_id")
    return data


def _list_out(mailing_list) -> dict:
    return {
        "id": mailing_list.pk, "name": mailing_list.name, "language": mailing_list.language,
        "smtp_server_id": mailing_list.server_id, "plan_id": mailing_list.plan_id,
        "description": mailing_list.description, "is_public": mailing_list.is_public,
        "counts": lists.status_counts(mailing_list),
        "created_at": mailing_list.created_at,
    }  # fmt: skip


def _subscription_out(row) -> dict:
    return {
        "id": row.pk, "contact_id": row.contact_id, "email": row.contact.email, "status": row.status,
        "source": row.source, "subscribed_at": row.subscribed_at,
        "confirmation_sent_at": row.confirmation_sent_at, "confirmed_at": row.confirmed_at,
        "unsubscribed_at": row.unsubscribed_at,
    }  # fmt: skip


def _campaign_out(campaign) -> dict:
    fields = {name: getattr(campaign, name) for name in CampaignOut.model_fields if hasattr(campaign, name)}
    fields.update(id=campaign.pk, smtp_server_id=campaign.server_id)
    fields["variants"] = [CampaignVariantOut.from_orm(v).model_dump() for v in campaign.variants.all()]
    return fields


# Lists and subscriptions


@router.get("/mailing-lists", response=responses({200: list[MailingListOut]}))
@paginate(Page)
def list_lists(request):
    return [_list_out(row) for row in lists.list_lists(request.member.workspace)]


@router.post("/mailing-lists", response=responses({201: MailingListOut, **CONFLICT}))
def create_list(request, payload: MailingListIn):
    return Status(201, _list_out(lists.create_list(request.member, **_server_field(body(payload)))))


@router.get("/mailing-lists/{list_id}", response=responses({200: MailingListOut}))
def get_list(request, list_id: int):
    return _list_out(lists.get_list(request.member.workspace, list_id))


@router.patch("/mailing-lists/{list_id}", response=responses({200: MailingListOut, **CONFLICT}))
def update_list(request, list_id: int, payload: MailingListPatch):
    return _list_out(lists.update_list(request.member, list_id, **_server_field(given(payload))))


@router.delete("/mailing-lists/{list_id}", response=responses({204: None, **CONFLICT}))
def delete_list(request, list_id: int):
    lists.delete_list(request.member, list_id)
    return Status(204, None)


@router.get("/mailing-lists/{list_id}/subscriptions", response=responses({200: list[MailingSubscriptionOut]}))
@paginate(Page)
def list_subscriptions(request, list_id: int, filters: Query[MailingSubscriptionFilters]):
    mailing_list = lists.get_list(request.member.workspace, list_id)
    return [_subscription_out(row) for row in lists.list_subscriptions(mailing_list, status=filters.status)]


@router.post("/mailing-lists/{list_id}/subscriptions", response=responses({201: MailingSubscriptionOut}))
def subscribe(request, list_id: int, payload: MailingSubscribeIn):
    """Double opt-in: the subscription is ``unconfirmed`` until the contact follows the emailed link."""
    data = body(payload)
    row = lists.subscribe_member(request.member, list_id, data.pop("email"), **data)
    return Status(201, _subscription_out(row))


# Campaigns


@router.get("/campaigns", response=responses({200: list[CampaignOut]}))
@paginate(Page)
def list_campaigns(request):
    return [
        _campaign_out(c)
        for c in campaigns.list_campaigns(request.member.workspace).prefetch_related("variants")
    ]


@router.post("/campaigns", response=responses({201: CampaignOut}))
def create_campaign(request, payload: CampaignIn):
    return Status(
        201, _campaign_out(campaigns.create_campaign(request.member, **_server_field(body(payload))))
    )


@router.get("/campaigns/{campaign_id}", response=responses({200: CampaignOut}))
def get_campaign(request, campaign_id: int):
    return _campaign_out(campaigns.get_campaign(request.member.workspace, campaign_id))


@router.patch("/campaigns/{campaign_id}", response=responses({200: CampaignOut, **CONFLICT}))
def update_campaign(request, campaign_id: int, payload: CampaignPatch):
    """Drafts only."""
    return _campaign_out(
        campaigns.update_campaign(request.member, campaign_id, **_server_field(given(payload)))
    )


@router.delete("/campaigns/{campaign_id}", response=responses({204: None, **CONFLICT}))
def delete_campaign(request, campaign_id: int):
    """Drafts only; a campaign that sent anything is cancelled instead, and its report stays."""
    campaigns.delete_campaign(request.member, campaign_id)
    return Status(204, None)


@router.put(
    "/campaigns/{campaign_id}/variants", response=responses({200: list[CampaignVariantOut], **CONFLICT})
)
def set_variants(request, campaign_id: int, payload: CampaignVariantsIn):
    """A/B variants of a draft (subject and optionally HTML); the first key is the control."""
    variants = campaigns.set_variants(request.member, campaign_id, [v.model_dump() for v in payload.variants])
    return [CampaignVariantOut.from_orm(v) for v in variants]


@router.post("/campaigns/{campaign_id}/status", response=responses({200: CampaignOut, **CONFLICT}))
def change_status(request, campaign_id: int, payload: CampaignStatusIn):
    """``sending`` starts a draft (refused while the template fails for any recipient) or resumes a
    paused campaign; ``paused`` stops after the messages in hand; ``cancelled`` skips the rest."""
    campaign = campaigns.change_status(request.member, campaign_id, payload.status, at=payload.at)
    return _campaign_out(campaign)


def _credit(campaign, query: CampaignReportQuery) -> dict | None:
    return campaign_reports.conversions(
        campaign, model=query.model, goals=query.goal, start=query.start, end=query.end
    )


@router.get("/campaigns/{campaign_id}/progress", response=responses({200: CampaignProgressOut}))
def progress(request, campaign_id: int, query: Query[CampaignReportQuery]):
    """Counts per state and variant, engagement, and the conversions and revenue attributed to the
    campaign and each variant under ``model`` (last touch by default)."""
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    return campaign_reports.progress(campaign, attribution=_credit(campaign, query))


@router.get(
    "/campaigns/{campaign_id}/report/export", response=responses({200: None}),
    openapi_extra=binary_answer("text/csv"),
)  # fmt: skip
def export_report(request, campaign_id: int, query: Query[CampaignReportQuery]):
    """The engagement report per variant (and clicks per link) with conversions and revenue, as CSV."""
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    data = campaign_reports.export_report(campaign, _credit(campaign, query))
    return file_answer(data, "text/csv; charset=utf-8", f"campaign-{campaign.pk}-report.csv")


@router.get(
    "/campaigns/{campaign_id}/recipients/export", response=responses({200: None}),
    openapi_extra=binary_answer("text/csv"),
)  # fmt: skip
def export_recipients(request, campaign_id: int):
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    name = f"campaign-{campaign.pk}-{timezone.now():%Y%m%d}.csv"
    return file_answer(campaigns.export_recipients(campaign), "text/csv; charset=utf-8", name)
