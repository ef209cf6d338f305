"""List and campaign pages under ``/w/<slug>/mailing/``: every member reads, execution roles act.
Views parse, call one service of ``lists`` / ``campaigns`` and render."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.apitools import file_answer
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, can, require
from netmark.mailing import campaign_reports, campaigns, layouts, lists
from netmark.mailing.campaign_forms import CampaignForm, MailingListForm, SubscribeForm
from netmark.mailing.forms import TestSendForm
from netmark.roi import services as roi
from netmark.web.access import workspace_page
from netmark.web.record_pages import submit

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"mailing:{name}", args=[request.member.workspace.slug, *args])


@workspace_page()
def list_list(request):
    workspace = request.member.workspace
    form = (
        MailingListForm(workspace, request.POST or None) if can(request.member, Capability.EXECUTE) else None
    )
    if request.method == "POST":
        require(request.member, Capability.EXECUTE)
        created = submit(form, lambda data: lists.create_list(request.member, **data))
        if created is not None:
            flash.success(request, _("Saved."))
            return redirect(_url(request, "list_detail", created.pk))
    page_obj = Paginator(lists.list_lists(workspace), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(row, lists.status_counts(row)) for row in page_obj]
    return render(request, "mailing/list_list.html", {"page_obj": page_obj, "rows": rows, "form": form})


@workspace_page()
def list_detail(request, mailing_list_id: int):
    mailing_list = lists.get_list(request.member.workspace, mailing_list_id)
    form = SubscribeForm(request.POST or None) if can(request.member, Capability.EXECUTE) else None
    if request.method == "POST":
        require(request.member, Capability.EXECUTE)
        save = lambda data: lists.subscribe_member(request.member, mailing_list.pk, source="page", **data)  # noqa: E731
        if submit(form, save) is not None:
            flash.success(request, _("Subscribed; a confirmation email is on its way."))
            return redirect(_url(request, "list_detail", mailing_list.pk))
    rows = lists.list_subscriptions(mailing_list)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "list": mailing_list,
        "page_obj": page_obj,
        "form": form,
        "counts": lists.status_counts(mailing_list),
    }
    return render(request, "mailing/list_detail.html", context)


@workspace_page()
def campaign_list(request):
    rows = campaigns.list_campaigns(request.member.workspace)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "can_execute": can(request.member, Capability.EXECUTE)}
    return render(request, "mailing/campaign_list.html", context)


@workspace_page(Capability.EXECUTE)
def campaign_create(request):
    workspace = request.member.workspace
    form = CampaignForm(workspace, request.POST or None, initial=_layout_initial(request, workspace))
    if request.method == "POST":
        created = submit(form, lambda data: campaigns.create_campaign(request.member, **data))
        if created is not None:
            return redirect(_url(request, "campaign_detail", created.pk))
    context = {
        "form": form,
        "cancel_url": _url(request, "campaign_list"),
        "layouts": layouts.layout_choices(),
    }
    return render(request, "mailing/campaign_form.html", context)


def _layout_initial(request, workspace) -> dict:
    """``?layout=newsletter`` prefills the body with that layout (unknown names: an empty body)."""
    key = request.GET.get("layout", "")
    if key not in layouts.LAYOUTS:
        return {}
    return {"layout": key, "html": layouts.render_layout(key, workspace.language)}


def _choice(request) -> dict:
    """The attribution model and goal the page asks for (GET ``model``, ``goal``)."""
    model = request.GET.get("model", "")[:40] or roi.DEFAULT_ATTRIBUTION_MODEL
    goal = request.GET.get("goal", "").strip()[:500]
    return {"model": model, "goals": [goal] if goal else []}


def _credit(campaign, choice: dict) -> tuple[dict | None, str]:
    try:
        return campaign_reports.conversions(campaign, **choice), ""
    except ValidationFailed as exc:
        return None, "; ".join(exc.fields.values()) if exc.fields else exc.message


@workspace_page()
def campaign_detail(request, campaign_id: int):
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    choice = _choice(request)
    context = {"campaign": campaign, "progress": campaigns.progress(campaign), "model": choice["model"],
               "goal": request.GET.get("goal", "")[:500]}  # fmt: skip
    if request.GET.get("part") == "credit":  # loaded after the page: it reads every site's visits
        return render(
            request, "mailing/includes/campaign_credit.html", {**context, **_credit_context(campaign, choice)}
        )
    if request.htmx:  # the progress card polls
        return render(request, "mailing/includes/campaign_progress.html", context)
    context.update(
        segment=campaigns.segment_name(campaign), can_execute=can(request.member, Capability.EXECUTE),
        test_form=TestSendForm(initial={"email": request.user.email}),
    )  # fmt: skip
    return render(request, "mailing/campaign_detail.html", context)


def _credit_context(campaign, choice: dict) -> dict:
    credit, problem = _credit(campaign, choice)
    labels = roi.model_labels()
    return {"credit": credit, "credit_problem": problem, "models": labels,
            "model_label": labels.get(choice["model"], "")}  # fmt: skip


@workspace_page()
def campaign_report_export(request, campaign_id: int):
    """The engagement report per variant with the credit under the page's model, as CSV."""
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    credit, problem = _credit(campaign, _choice(request))
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    return file_answer(
        campaign_reports.export_report(campaign, credit), "text/csv; charset=utf-8",
        f"campaign-{campaign.pk}-report.csv",
    )  # fmt: skip


@require_POST
@workspace_page(Capability.EXECUTE)
def campaign_action(request, campaign_id: int, action: str):
    status = {"start": "sending", "resume": "sending", "pause": "paused", "cancel": "cancelled"}.get(action)
    try:
        if status is None:
            raise ValidationFailed(_("Unknown action."))
        campaigns.change_status(request.member, campaign_id, status, at=_when(request.POST.get("at")))
    except (ValidationFailed, Conflict) as exc:
        details = "; ".join(exc.fields.values()) if exc.fields else exc.message
        flash.error(request, details)
    return redirect(_url(request, "campaign_detail", campaign_id))


def _when(raw):
    if not raw:
        return None
    try:
        value = timezone.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Give the time as 2026-03-02T09:30.")) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@workspace_page()
def campaign_export(request, campaign_id: int):
    campaign = campaigns.get_campaign(request.member.workspace, campaign_id)
    return file_answer(
        campaigns.export_recipients(campaign), "text/csv; charset=utf-8", f"campaign-{campaign.pk}.csv"
    )
