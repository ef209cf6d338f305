"""Positioning pages: the overview ("positioning first"), products, audiences and messages.

Views parse a form, call one service and render; the role table is checked by ``workspace_page``
and again by the services.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.core.errors import Conflict
from netmark.core.roles import Capability, can
from netmark.core.scoping import get_for
from netmark.planning.services import list_channel_types
from netmark.positioning import services
from netmark.positioning.forms import AudienceForm, MessageForm, ProductForm, submit
from netmark.positioning.models import Audience, Message, Product
from netmark.web.access import workspace_page

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"positioning:{name}", args=[request.member.workspace.slug, *args])


def _rights(member) -> dict:
    return {"can_plan": can(member, Capability.PLAN), "can_erase": can(member, Capability.ERASE)}


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_page(request, form, save, template: str, success_url: str, context: dict | None = None):
    """GET shows the form; a valid POST saves through ``save`` and redirects to ``success_url``."""
    if request.method == "POST" and submit(form, save) is not None:
        flash.success(request, _("Saved."))
        return redirect(success_url)
    return render(request, template, {"form": form, **(context or {})})


def _delete_page(request, obj, delete, list_url: str):
    """GET asks for confirmation; POST deletes through ``delete`` and returns to ``list_url``."""
    if request.method == "POST":
        try:
            delete()
        except Conflict as exc:
            flash.error(request, exc.message)
            return redirect(list_url)
        flash.success(request, _("Deleted “%(name)s”.") % {"name": obj})
        return redirect(list_url)
    return render(request, "positioning/confirm_delete.html", {"object": obj, "cancel_url": list_url})


def _presence_series(audience, channel_types, language) -> list[dict]:
    presence = audience.channel_presence or {}
    return [
        {"name": channel_type.display_name(language), "weight": presence[channel_type.code]}
        for channel_type in channel_types
        if presence.get(channel_type.code)
    ]


@workspace_page()
def overview(request):
    """Per audience: where they spend time (chart) and the messages for each product."""
    workspace = request.member.workspace
    channel_types = list(list_channel_types())
    language = get_language()
    audiences = list(services.list_audiences(workspace))
    by_audience: dict[int, dict] = {audience.pk: {} for audience in audiences}
    for message in services.list_messages(workspace).order_by("product__name", "title"):
        by_audience[message.audience_id].setdefault(message.product, []).append(message)
    cards = []
    for audience in audiences:
        presence = sorted(_presence_series(audience, channel_types, language), key=lambda row: -row["weight"])
        chart = {
            "categories": [row["name"] for row in presence],
            "series": [{"name": _("Presence (0–100)"), "data": [row["weight"] for row in presence]}],
        }
        cards.append(
            {
                "audience": audience,
                "presence": presence,
                "chart": chart,
                "chart_id": f"presence-{audience.pk}",
                "products": list(by_audience[audience.pk].items()),
            }
        )
    context = {
        "cards": cards,
        "product_count": services.list_products(workspace).count(),
        **_rights(request.member),
    }
    return render(request, "positioning/overview.html", context)


# Products


@workspace_page()
def product_list(request):
    status = request.GET.get("status") or None
    search = (request.GET.get("q") or "").strip() or None
    products = services.list_products(request.member.workspace, status=status, search=search)
    context = {
        "page_obj": _page(request, products),
        "statuses": Product.Status.choices,
        "status": status or "",
        "q": search or "",
        **_rights(request.member),
    }
    return render(request, "positioning/product_list.html", context)


@workspace_page(Capability.PLAN)
def product_create(request):
    form = ProductForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda data: services.create_product(request.member, **data),
        "positioning/product_form.html",
        _url(request, "product_list"),
    )


@workspace_page(Capability.PLAN)
def product_edit(request, pk: int):
    product = get_for(Product, request.member.workspace, pk)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_for(product))
    return _form_page(
        request,
        form,
        lambda data: services.update_product(request.member, product.pk, **data),
        "positioning/product_form.html",
        _url(request, "product_list"),
        {"object": product},
    )


@workspace_page(Capability.ERASE)
def product_delete(request, pk: int):
    product = get_for(Product, request.member.workspace, pk)
    return _delete_page(
        request,
        product,
        lambda: services.delete_product(request.member, product.pk),
        _url(request, "product_list"),
    )


# Audiences


@workspace_page()
def audience_list(request):
    search = (request.GET.get("q") or "").strip() or None
    audiences = services.list_audiences(request.member.workspace, search=search)
    channel_types = list(list_channel_types())
    language = get_language()
    page_obj = _page(request, audiences)
    for audience in page_obj:
        audience.presence_rows = sorted(
            _presence_series(audience, channel_types, language), key=lambda row: -row["weight"]
        )
    context = {"page_obj": page_obj, "q": search or "", **_rights(request.member)}
    return render(request, "positioning/audience_list.html", context)


def _audience_form(request, initial=None) -> AudienceForm:
    return AudienceForm(request.POST or None, initial=initial, channel_types=list_channel_types())


@workspace_page(Capability.PLAN)
def audience_create(request):
    form = _audience_form(request)
    return _form_page(
        request,
        form,
        lambda _data: services.create_audience(request.member, **form.data_for_service()),
        "positioning/audience_form.html",
        _url(request, "audience_list"),
    )


@workspace_page(Capability.PLAN)
def audience_edit(request, pk: int):
    audience = get_for(Audience, request.member.workspace, pk)
    form = _audience_form(request, AudienceForm.initial_for(audience))
    return _form_page(
        request,
        form,
        lambda _data: services.update_audience(request.member, audience.pk, **form.data_for_service()),
        "positioning/audience_form.html",
        _url(request, "audience_list"),
        {"object": audience},
    )


@workspace_page(Capability.ERASE)
def audience_delete(request, pk: int):
    audience = get_for(Audience, request.member.workspace, pk)
    return _delete_page(
        request,
        audience,
        lambda: services.delete_audience(request.member, audience.pk),
        _url(request, "audience_list"),
    )


# Messages


def _int_or_none(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@workspace_page()
def message_list(request):
    workspace = request.member.workspace
    audience_id = _int_or_none(request.GET.get("audience"))
    product_id = _int_or_none(request.GET.get("product"))
    rows = services.list_messages(workspace, audience_id=audience_id, product_id=product_id)
    context = {
        "page_obj": _page(request, rows),
        "audiences": services.list_audiences(workspace),
        "products": services.list_products(workspace),
        "audience_id": audience_id,
        "product_id": product_id,
        **_rights(request.member),
    }
    return render(request, "positioning/message_list.html", context)


def _message_form(request, initial=None) -> MessageForm:
    workspace = request.member.workspace
    return MessageForm(
        request.POST or None,
        initial=initial,
        audiences=services.list_audiences(workspace),
        products=services.list_products(workspace),
    )


@workspace_page(Capability.PLAN)
def message_create(request):
    initial = {key: request.GET[key] for key in ("audience_id", "product_id") if key in request.GET}
    form = _message_form(request, initial)
    return _form_page(
        request,
        form,
        lambda _data: services.create_message(request.member, **form.data_for_service()),
        "positioning/message_form.html",
        _url(request, "message_list"),
    )


@workspace_page(Capability.PLAN)
def message_edit(request, pk: int):
    message = get_for(Message, request.member.workspace, pk)
    form = _message_form(request, MessageForm.initial_for(message))
    return _form_page(
        request,
        form,
        lambda _data: services.update_message(request.member, message.pk, **form.data_for_service()),
        "positioning/message_form.html",
        _url(request, "message_list"),
        {"object": message},
    )


@workspace_page(Capability.ERASE)
def message_delete(request, pk: int):
    message = get_for(Message, request.member.workspace, pk)
    return _delete_page(
        request,
        message,
        lambda: services.delete_message(request.member, message.pk),
        _url(request, "message_list"),
    )
