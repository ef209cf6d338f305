"""Positioning pages: the overview ("positioning first"), products, audiences and messages.

Views parse a form, call one service and render; the role table is checked by ``workspace_page``
and again by the services.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.core.roles import Capability, can
from netmark.core.scoping import get_for
from netmark.planning.services import list_channel_types
from netmark.positioning import services
from netmark.positioning.forms import AudienceForm, MessageForm, ProductForm
from netmark.positioning.models import Audience, Message, Product
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, int_or_none

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"positioning:{name}", args=[request.member.workspace.slug, *args])


def _rights(member) -> dict:
    return {"can_plan": can(member, Capability.PLAN), "can_erase": can(member, Capability.ERASE)}


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _record_pages(model, name: str, make_form, create, update, delete):
    """The create, edit and delete pages of one record type (``product``, ``audience``, ``message``).

    ``make_form(request, record)`` builds the bound form (``record`` is None on create); the form's
    ``data_for_service()`` goes to ``create(member, **data)`` / ``update(member, pk, **data)``.
    """
    template = f"positioning/{name}_form.html"

    @workspace_page(Capability.PLAN)
    def create_page(request):
        form = make_form(request, None)

        def save(_data):
            return create(request.member, **form.data_for_service())

        return form_page(request, form, save, template, _url(request, f"{name}_list"))

    @workspace_page(Capability.PLAN)
    def edit_page(request, pk: int):
        record = get_for(model, request.member.workspace, pk)
        form = make_form(request, record)

        def save(_data):
            return update(request.member, record.pk, **form.data_for_service())

        return form_page(request, form, save, template, _url(request, f"{name}_list"), {"object": record})

    @workspace_page(Capability.ERASE)
    def delete_view(request, pk: int):
        record = get_for(model, request.member.workspace, pk)
        return delete_page(
            request,
            record,
            lambda: delete(request.member, record.pk),
            _url(request, f"{name}_list"),
            "positioning/confirm_delete.html",
        )

    return create_page, edit_page, delete_view


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


def _product_form(request, product) -> ProductForm:
    return ProductForm(request.POST or None, initial=ProductForm.initial_for(product) if product else None)


product_create, product_edit, product_delete = _record_pages(
    Product,
    "product",
    _product_form,
    services.create_product,
    services.update_product,
    services.delete_product,
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


def _audience_form(request, audience) -> AudienceForm:
    initial = AudienceForm.initial_for(audience) if audience else None
    return AudienceForm(request.POST or None, initial=initial, channel_types=list_channel_types())


audience_create, audience_edit, audience_delete = _record_pages(
    Audience,
    "audience",
    _audience_form,
    services.create_audience,
    services.update_audience,
    services.delete_audience,
)


# Messages


@workspace_page()
def message_list(request):
    workspace = request.member.workspace
    audience_id = int_or_none(request.GET.get("audience"))
    product_id = int_or_none(request.GET.get("product"))
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


def _message_form(request, message) -> MessageForm:
    if message:
        initial = MessageForm.initial_for(message)
    else:
        initial = {key: request.GET[key] for key in ("audience_id", "product_id") if key in request.GET}
    workspace = request.member.workspace
    return MessageForm(
        request.POST or None,
        initial=initial,
        audiences=services.list_audiences(workspace),
        products=services.list_products(workspace),
    )


message_create, message_edit, message_delete = _record_pages(
    Message,
    "message",
    _message_form,
    services.create_message,
    services.update_message,
    services.delete_message,
)
