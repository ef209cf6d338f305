"""Contacts pages: the list with search and stage filter, the detail page with its timeline, the
form, privacy actions (owners) and CSV export. The import wizard is in ``import_views.py``.

Views parse, call one service and render; ``workspace_page`` and the services check the role table.
"""

import json

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from netmark.contacts import consent, exporting, scoring, services, timeline
from netmark.contacts.forms import ContactForm, InteractionForm
from netmark.contacts.models import Stage
from netmark.core.apitools import file_answer
from netmark.core.errors import ValidationFailed
from netmark.core.models import Member
from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.planning.models import Plan
from netmark.web.access import workspace_page
from netmark.web.record_pages import form_page, show_errors

PAGE_SIZE = 50
TIMELINE_PAGE = 30


def _list_url(request) -> str:
    return reverse("contacts:contact_list", args=[request.member.workspace.slug])


def _detail_url(request, pk) -> str:
    return reverse("contacts:contact_detail", args=[request.member.workspace.slug, pk])


def _rights(member) -> dict:
    return {"can_execute": can(member, Capability.EXECUTE), "can_erase": can(member, Capability.ERASE)}


@workspace_page()
def contact_list(request):
    workspace = request.member.workspace
    query = request.GET.get("q", "")[:100]
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    contacts = services.list_contacts(workspace, query=query, stage=stage).prefetch_related("tags")
    page_obj = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "q": query,
        "stage": stage,
        "stages": Stage.choices,
        "counts": services.stage_counts(workspace),
        **_rights(request.member),
    }
    return render(request, "contacts/contact_list.html", context)


@workspace_page()
def contact_detail(request, pk: int):
    contact = services.get_contact(request.member.workspace, pk)
    kinds = [kind for kind in request.GET.getlist("kind") if timeline.get_type(kind)]
    try:
        entries, cursor = timeline.page(
            contact, kinds=kinds, before=request.GET.get("before", ""), limit=TIMELINE_PAGE
        )
    except ValidationFailed:
        entries, cursor = timeline.page(contact, kinds=kinds, limit=TIMELINE_PAGE)
    types = {t.key: t for t in timeline.all_types()}
    rows = [
        {
            "entry": e,
            "label": types[e.kind].label if e.kind in types else e.kind,
            "summary": types[e.kind].summary(e.payload) if e.kind in types else "",
        }
        for e in entries
    ]
    purposes = sorted({*consent.PURPOSES, *consent.current(contact)})
    context = {
        "contact": contact,
        "rows": rows,
        "next_cursor": cursor,
        "kinds": kinds,
        "types": timeline.all_types(),
        "consent": [(p, consent.PURPOSES.get(p, p), consent.may_contact(contact, p)) for p in purposes],
        "interaction_form": InteractionForm(),
        "score": scoring.score_contact(contact),
        "score_history": scoring.history(contact, limit=10),
        **_rights(request.member),
    }
    return render(request, "contacts/contact_detail.html", context)


def _form(request, contact=None) -> ContactForm:
    workspace = request.member.workspace
    members = scoped(Member, workspace).select_related("user")
    plans = scoped(Plan, workspace).order_by("-starts_on", "-id")
    initial = ContactForm.initial_for(contact) if contact is not None else {"stage": Stage.LEAD}
    return ContactForm(request.POST or None, initial=initial, members=members, plans=plans)


@workspace_page(Capability.EXECUTE)
def contact_create(request):
    form = _form(request)
    return form_page(
        request,
        form,
        lambda _d: services.create_contact(request.member, **form.data_for_service()),
        "contacts/contact_form.html",
        _list_url(request),
    )


@workspace_page(Capability.EXECUTE)
def contact_edit(request, pk: int):
    contact = services.get_contact(request.member.workspace, pk)
    form = _form(request, contact)

    def save(_data):
        return services.update_contact(request.member, contact.pk, **form.data_for_service())

    return form_page(
        request, form, save, "contacts/contact_form.html", _detail_url(request, pk), {"object": contact}
    )


@workspace_page(Capability.EXECUTE)
def contact_log(request, pk: int):
    """POST only: logs a note, call or meeting and returns to the timeline."""
    contact = services.get_contact(request.member.workspace, pk)
    form = InteractionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_interaction(
                request.member, contact.pk, form.cleaned_data["kind"], {"text": form.cleaned_data["text"]}
            )
            flash.success(request, _("Saved."))
        except ValidationFailed as exc:
            show_errors(form, exc)
            flash.error(request, " ".join(exc.fields.values()) or exc.message)
    return redirect(_detail_url(request, pk))


@workspace_page(Capability.ERASE)
def contact_erase(request, pk: int):
    contact = services.get_contact(request.member.workspace, pk)
    if request.method == "POST":
        services.erase_contact(request.member, contact.pk)
        flash.success(request, _("The contact and everything about it were erased."))
        return redirect(_list_url(request))
    return render(
        request, "contacts/confirm_erase.html", {"object": contact, "cancel_url": _detail_url(request, pk)}
    )


@workspace_page(Capability.ERASE)
def contact_export_one(request, pk: int):
    data = services.export_contact(request.member, pk)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return file_answer(body, "application/json", f"contact-{int(pk)}.json")


@workspace_page(Capability.EXECUTE)
def contact_export(request):
    workspace = request.member.workspace
    stage = request.GET.get("stage", "")
    contacts = services.list_contacts(
        workspace, query=request.GET.get("q", "")[:100], stage=stage if stage in Stage.values else ""
    )
    chinese = (get_language() or "").startswith("zh")
    return file_answer(
        exporting.export_contacts(workspace, contacts, chinese_headers=chinese),
        "text/csv; charset=utf-8",
        f"contacts-{workspace.slug}.csv",
    )
