"""Shared pages: health check, the home redirect, "no workspace yet" and the workspace dashboard."""

import datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Sum
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from netmark.core.models import AuditEntry
from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.core.services import memberships
from netmark.planning import services as planning
from netmark.planning.models import ChannelAccount, Plan, PlanChannel
from netmark.positioning.models import Audience, Message, Product
from netmark.web.access import WORKSPACE_SESSION_KEY, workspace_page

CENT = Decimal("0.01")
UPCOMING_DAYS = 30
UPCOMING_SHOWN = 8
RECENT_AUDIT_SHOWN = 8


@require_GET
def healthz(request):
    """For load balancers: 200 when the records database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "error": type(exc).__name__}, status=503)


@require_GET
def favicon(request):
    """What browsers ask for on every page, public ones included: the icon the pages link."""
    return redirect(static("web/favicon.svg"), permanent=True)


@login_required
def home(request):
    """The last workspace used in this session, else the first; a welcome page without any."""
    found = memberships(request.user)
    if not found:
        return render(request, "web/no_workspace.html")
    remembered = request.session.get(WORKSPACE_SESSION_KEY)
    chosen = next((m for m in found if m.workspace.slug == remembered), found[0])
    return redirect("dashboard", slug=chosen.workspace.slug)


def _plan_counts(workspace) -> list[dict]:
    counts = dict(
        scoped(Plan, workspace)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Plan.Status.choices
    ]


def _budget_by_channel(workspace) -> dict:
    """Budgets of plans not yet done, per channel account and currency (one series per currency)."""
    rows = (
        scoped(PlanChannel, workspace)
        .exclude(plan__status=Plan.Status.DONE)
        .order_by()
        .values("channel_account__name", "plan__currency")
        .annotate(total=Sum("budget"))
    )
    categories: list[str] = []
    totals: dict[str, dict[str, str]] = {}
    for row in rows:
        name = row["channel_account__name"]
        if name not in categories:
            categories.append(name)
        totals.setdefault(row["plan__currency"], {})[name] = str(Decimal(row["total"]).quantize(CENT))
    series = [
        {"name": currency, "data": [values.get(name, "0.00") for name in categories]}
        for currency, values in sorted(totals.items())
    ]
    return {"categories": categories, "series": series}


def _budget_rows(budget: dict) -> list[dict]:
    return [
        {"name": name, "values": [series["data"][index] for series in budget["series"]]}
        for index, name in enumerate(budget["categories"])
    ]


def _upcoming(workspace) -> list[dict]:
    """Occurrences overlapping the next days, in the workspace's calendar (its time zone is active)."""
    today = timezone.localdate()
    entries = planning.calendar_entries(workspace, today, today + datetime.timedelta(days=UPCOMING_DAYS))
    labels = dict(Plan.Status.choices)
    return [
        {"entry": entry, "status_label": labels.get(entry.status, entry.status)}
        for entry in entries[:UPCOMING_SHOWN]
    ]


@workspace_page()
def dashboard(request):
    member = request.member
    workspace = member.workspace
    plan_counts = _plan_counts(workspace)
    budget = _budget_by_channel(workspace)
    context = {
        "counts": {
            "products": scoped(Product, workspace).count(),
            "audiences": scoped(Audience, workspace).count(),
            "messages": scoped(Message, workspace).count(),
            "channels": scoped(ChannelAccount, workspace).filter(is_active=True).count(),
        },
        "plan_counts": plan_counts,
        "plans_total": sum(row["count"] for row in plan_counts),
        "upcoming": _upcoming(workspace),
        "upcoming_days": UPCOMING_DAYS,
        "budget": budget,
        "budget_rows": _budget_rows(budget),
        "can_plan": can(member, Capability.PLAN),
        "recent": None,
    }
    if can(member, Capability.ADMINISTER):
        context["recent"] = list(scoped(AuditEntry, workspace)[:RECENT_AUDIT_SHOWN])
    return render(request, "web/dashboard.html", context)
