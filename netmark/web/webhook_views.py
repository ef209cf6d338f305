"""Outbound webhook subscriptions (owners): create, pause, rotate the secret, delete, redeliver.

A subscription's secret is shown once, in the answer to the POST that made or rotated it.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from netmark.core import webhooks
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.models import WebhookDelivery
from netmark.core.roles import Capability
from netmark.core.scoping import get_for
from netmark.web.access import workspace_page
from netmark.web.forms import WebhookForm, apply_domain_error

DELIVERIES_PAGE_SIZE = 50


@never_cache
@workspace_page(Capability.ADMINISTER)
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhooks.create_subscription(request.member, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        else:
            form = WebhookForm()
    context = {"form": form, "subscriptions": webhooks.list_subscriptions(request.member), "created": created}
    return render(request, "web/settings/webhooks.html", context)


def _detail(request, pk, new_secret: str | None = None):
    subscription = webhooks.get_subscription_for(request.member, pk)
    status = request.GET.get("status", "")
    if status not in WebhookDelivery.Status.values:
        status = ""
    deliveries = webhooks.list_deliveries(request.member, pk, status=status or None)
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "page_obj": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "new_secret": new_secret,
    }
    return render(request, "web/settings/webhook_detail.html", context)


@workspace_page(Capability.ADMINISTER)
def webhook_detail(request, pk: int):
    return _detail(request, pk)


@require_POST
@workspace_page(Capability.ADMINISTER)
def webhook_toggle(request, pk: int):
    subscription = webhooks.get_subscription_for(request.member, pk)
    subscription = webhooks.update_subscription(request.member, pk, is_active=not subscription.is_active)
    if subscription.is_active:
        flash.success(request, _("The webhook is active again."))
    else:
        flash.success(request, _("The webhook is paused."))
    return redirect("settings_webhook", slug=request.member.workspace.slug, pk=pk)


@never_cache
@require_POST
@workspace_page(Capability.ADMINISTER)
def webhook_rotate(request, pk: int):
    subscription = webhooks.rotate_secret(request.member, pk)
    return _detail(request, pk, new_secret=subscription.secret)


@require_POST
@workspace_page(Capability.ADMINISTER)
def webhook_delete(request, pk: int):
    webhooks.delete_subscription(request.member, pk)
    flash.success(request, _("The webhook is deleted."))
    return redirect("settings_webhooks", slug=request.member.workspace.slug)


@require_POST
@workspace_page(Capability.ADMINISTER)
def webhook_redeliver(request, delivery_id: int):
    original = get_for(WebhookDelivery, request.member.workspace, delivery_id)
    try:
        webhooks.redeliver(request.member, delivery_id)
        flash.success(request, _("The delivery is queued again."))
    except Conflict as exc:
        flash.error(request, exc.message)
    return redirect("settings_webhook", slug=request.member.workspace.slug, pk=original.subscription_id)
