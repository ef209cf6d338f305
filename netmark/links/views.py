"""Links pages: the list per promotion with click counts, the form, QR downloads, the printable QR
sheet and CSV import / export. Mappings and conventions are in ``mapping_views.py``.

Views parse, call one service and render; ``workspace_page`` and the services check the role table.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.core import csvio
from netmark.core.apitools import file_answer
from netmark.core.errors import NetmarkError
from netmark.core.roles import Capability, can
from netmark.links import clicks, exchange, qr, services
from netmark.links.forms import ImportForm, LinkForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, int_or_none

PAGE_SIZE = 50
MAX_SHEET_LINKS = 200


def _list_url(request) -> str:
    return reverse("links:link_list", args=[request.member.workspace.slug])


def _rights(member) -> dict:
    return {
        "can_execute": can(member, Capability.EXECUTE),
        "can_plan": can(member, Capability.PLAN),
        "can_erase": can(member, Capability.ERASE),
    }


def _active_filter(raw) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


@workspace_page()
def link_list(request):
    """Links, optionally of one promotion, with raw / unique / bot clicks side by side."""
    workspace = request.member.workspace
    plan_id = int_or_none(request.GET.get("plan"))
    active = _active_filter(request.GET.get("active"))
    links = services.list_links(workspace, plan_id=plan_id, active=active)
    page_obj = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = clicks.with_stats(page_obj.object_list)
    for link in page_obj:
        link.short_url = services.short_url(link.code)
    context = {
        "page_obj": page_obj,
        "plans": services.plans_for_links(workspace),
        "plan_id": plan_id,
        "active": request.GET.get("active") or "",
        "conventions": services.get_conventions(workspace),
        **_rights(request.member),
    }
    return render(request, "links/link_list.html", context)


def _form(request, link=None) -> LinkForm:
    workspace = request.member.workspace
    if link is not None:
        initial = LinkForm.initial_for(link)
    else:
        initial = {"plan_id": request.GET.get("plan", ""), "is_active": True}
    return LinkForm(
        request.POST or None,
        initial=initial,
        plans=services.plans_for_links(workspace),
        channels=services.channels_for_links(workspace),
        editing=link is not None,
    )


@workspace_page(Capability.EXECUTE)
def link_create(request):
    form = _form(request)

    def save(_data):
        return services.create_link(request.member, **form.data_for_service())

    return form_page(request, form, save, "links/link_form.html", _list_url(request))


@workspace_page(Capability.EXECUTE)
def link_edit(request, pk: int):
    link = services.get_link(request.member.workspace, pk)
    form = _form(request, link)

    def save(_data):
        return services.update_link(request.member, link.pk, **form.data_for_service())

    context = {"object": link, "short_url": services.short_url(link.code)}
    return form_page(request, form, save, "links/link_form.html", _list_url(request), context)


@workspace_page(Capability.ERASE)
def link_delete(request, pk: int):
    link = services.get_link(request.member.workspace, pk)
    return delete_page(
        request,
        link,
        lambda: services.delete_link(request.member, link.pk),
        _list_url(request),
        "links/confirm_delete.html",
    )


@workspace_page()
def link_qr_png(request, pk: int):
    link = services.get_link(request.member.workspace, pk)
    return file_answer(qr.png(link.code), "image/png", f"qr-{link.code}.png")


@workspace_page()
def link_qr_svg(request, pk: int):
    link = services.get_link(request.member.workspace, pk)
    return file_answer(qr.svg(link.code), "image/svg+xml", f"qr-{link.code}.svg")


def _sheet_item(link) -> dict:
    # segno's own SVG markup of a URL netmark built: nothing a user typed goes into it.
    svg = mark_safe(qr.inline_svg(link.code))  # noqa: S308
    return {"link": link, "svg": svg, "short_url": services.short_url(link.code)}


@workspace_page()
def qr_sheet(request):
    """A printable page of QR codes with captions: the links ticked on the list (``?ids=``), or the
    active links of one promotion (``?plan=``)."""
    workspace = request.member.workspace
    ids = [value for value in map(int_or_none, request.GET.getlist("ids")) if value is not None]
    plan_id = int_or_none(request.GET.get("plan"))
    links = services.list_links(workspace, plan_id=plan_id)
    links = links.filter(pk__in=ids) if ids else links.filter(is_active=True)
    items = [_sheet_item(link) for link in links.order_by("plan__name", "name", "pk")[:MAX_SHEET_LINKS]]
    return render(request, "links/qr_sheet.html", {"items": items, "list_url": _list_url(request)})


@workspace_page()
def link_export(request):
    workspace = request.member.workspace
    data = exchange.export_links(
        workspace,
        plan_id=int_or_none(request.GET.get("plan")),
        chinese_headers=exchange.chinese_headers_for(get_language()),
    )
    return file_answer(data, "text/csv; charset=utf-8", f"links-{workspace.slug}.csv")


@workspace_page(Capability.EXECUTE)
def link_import(request):
    """Upload a CSV; every row is checked and nothing is applied when one is wrong."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > csvio.MAX_BYTES:
                raise csvio.CsvError(_("The file is larger than %(limit)d MB.") % {"limit": 20})
            result = exchange.import_links(request.member, upload.read())
        except csvio.ImportFailed as exc:
            errors = [str(error) for error in exc.errors]
            form.add_error(None, exc.message)
        except NetmarkError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % result.as_dict(),
            )
            return redirect(_list_url(request))
    return render(request, "links/import.html", {"form": form, "row_errors": errors})
