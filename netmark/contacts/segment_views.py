"""Segment pages: the list, a segment with its contacts, the builder (condition rows or JSON, with a
live count over htmx), CSV export and delete. Views parse, call ``segments`` and render."""

import json

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.contacts import exporting, segment_builder, segments
from netmark.contacts.models import Segment
from netmark.core.apitools import file_answer
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, can
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, int_or_none

PAGE_SIZE = 50
MAX_JSON = 50_000
EMPTY_ROW = {"field": "", "op": "", "value": "", "extra": "", "days": ""}


def _url(request, name: str, *args) -> str:
    return reverse(f"contacts:{name}", args=[request.member.workspace.slug, *args])


@workspace_page()
def segment_list(request):
    page_obj = Paginator(segments.list_segments(request.member.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page_obj": page_obj, "can_execute": can(request.member, Capability.EXECUTE)}
    return render(request, "contacts/segment_list.html", context)


@workspace_page()
def segment_detail(request, pk: int):
    segment = segments.get_segment(request.member.workspace, pk)
    contacts = segments.segment_contacts(segment).select_related("company").order_by("-id")
    page_obj = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "page_obj": page_obj,
        "filter_json": json.dumps(segment.filter, ensure_ascii=False, indent=2),
        "can_execute": can(request.member, Capability.EXECUTE),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "contacts/segment_detail.html", context)


def _tree(request) -> dict:
    """The filter the builder POSTed: the JSON box when filled, else the rows."""
    raw = request.POST.get("filter_json", "").strip()
    if raw:
        try:
            tree = json.loads(raw[:MAX_JSON])
        except ValueError:
            raise ValidationFailed(fields={"filter": _("The filter is not valid JSON.")}) from None
        return tree
    rows = segment_builder.read_rows(request.POST)
    return segment_builder.rows_to_tree(request.member.workspace, request.POST.get("match", "and"), rows)


def _builder_context(request, segment=None, *, errors=None, rows=None, match="and", filter_json="") -> dict:
    if rows is None:
        shown = segment_builder.as_rows(segment.filter if segment else {})
        if shown is None:
            filter_json = json.dumps(segment.filter, ensure_ascii=False, indent=2)
            rows = []
        else:
            match, rows = shown
    rows = [*rows, EMPTY_ROW][: segment_builder.MAX_ROWS]
    return {
        "segment": segment,
        "rows": segment_builder.dress_rows(request.member.workspace, rows),
        "match": match,
        "filter_json": filter_json,
        "errors": errors or {},
        "kinds": Segment.Kind.choices,
        "name": request.POST.get("name", segment.name if segment else ""),
        "description": request.POST.get("description", segment.description if segment else ""),
        "kind": request.POST.get("kind", segment.kind if segment else Segment.Kind.DYNAMIC),
        **segment_builder.choices(request.member.workspace),
    }


def _save(request, segment=None):
    try:
        tree = _tree(request)
        data = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        if segment is None:
            kind = request.POST.get("kind", Segment.Kind.DYNAMIC)
            saved = segments.create_segment(request.member, kind=kind, filter=tree, **data)
        else:
            if segment.kind == Segment.Kind.DYNAMIC:
                data["filter"] = tree
            saved = segments.update_segment(request.member, segment.pk, **data)
    except (ValidationFailed, Conflict) as exc:
        return None, exc.fields or {"__all__": exc.message}
    return saved, {}


def _builder(request, segment=None):
    if request.method == "POST" and "add_row" not in request.POST:
        saved, errors = _save(request, segment)
        if saved is not None:
            flash.success(request, _("Saved."))
            return redirect(_url(request, "segment_detail", saved.pk))
    else:
        errors = {}
    context = _builder_context(request, segment, errors=errors)
    if request.method == "POST":
        rows = [*segment_builder.read_rows(request.POST), EMPTY_ROW][: segment_builder.MAX_ROWS]
        context.update(
            rows=segment_builder.dress_rows(request.member.workspace, rows),
            match=request.POST.get("match", "and"),
            filter_json=request.POST.get("filter_json", ""),
        )
    return render(request, "contacts/segment_form.html", context)


@workspace_page(Capability.EXECUTE)
def segment_create(request):
    return _builder(request)


@workspace_page(Capability.EXECUTE)
def segment_edit(request, pk: int):
    return _builder(request, segments.get_segment(request.member.workspace, pk))


@workspace_page(Capability.EXECUTE)
def segment_row(request):
    """POST (htmx): condition row ``?index=N`` again, its widgets fitted to the chosen field."""
    index = int_or_none(request.GET.get("index"))
    if index is None or not 0 <= index < segment_builder.MAX_ROWS:
        return HttpResponseBadRequest(
            _("Give the row's index from 0 to %(n)s.") % {"n": segment_builder.MAX_ROWS - 1}
        )
    row = segment_builder.read_row(request.POST, index) if request.method == "POST" else EMPTY_ROW
    context = {
        "index": index,
        "row": segment_builder.dress_rows(request.member.workspace, [row])[0],
        **segment_builder.choices(request.member.workspace),
    }
    return render(request, "contacts/segment_row.html", context)


@workspace_page()
def segment_count(request):
    """POST (htmx): the live count and sample of the builder's current filter."""
    context = {"count": None, "errors": {}}
    if request.method == "POST":
        try:
            answer = segments.count_filter(request.member.workspace, _tree(request))
            context.update(count=answer["count"], sample=answer["sample"])
        except ValidationFailed as exc:
            context["errors"] = exc.fields or {"filter": exc.message}
    return render(request, "contacts/segment_count.html", context)


@workspace_page(Capability.EXECUTE)
def segment_export(request, pk: int):
    segment = segments.get_segment(request.member.workspace, pk)
    chinese = (get_language() or "").startswith("zh")
    data = exporting.export_contacts(
        request.member.workspace, segments.segment_contacts(segment), chinese_headers=chinese
    )
    return file_answer(data, "text/csv; charset=utf-8", f"segment-{segment.pk}.csv")


@workspace_page(Capability.ERASE)
def segment_delete(request, pk: int):
    segment = segments.get_segment(request.member.workspace, pk)
    return delete_page(
        request,
        segment,
        lambda: segments.delete_segment(request.member, segment.pk),
        _url(request, "segment_list"),
        "web/confirm_delete.html",
    )
