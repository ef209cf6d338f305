"""UTM mapping pages (raw UTM values -> promotion and channel, with a resolver to try values) and the
naming conventions page."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from netmark.core.roles import Capability, can
from netmark.core.scoping import scoped
from netmark.links import services
from netmark.links.forms import ConventionsForm, MappingForm
from netmark.planning.models import ChannelAccount, Plan
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, int_or_none

PAGE_SIZE = 50


def _list_url(request) -> str:
    return reverse("links:mapping_list", args=[request.member.workspace.slug])


def _resolution(request) -> dict | None:
    """What the "try values" form on the list resolves to, names included; None when not asked."""
    values = {
        field: (request.GET.get(field) or "").strip()[:200] for field in ("source", "medium", "campaign")
    }
    if not any(values.values()):
        return None
    workspace = request.member.workspace
    plan_id, account_id = services.resolve_promotion(
        workspace.pk, values["source"], values["medium"], values["campaign"]
    )
    plan = scoped(Plan, workspace).filter(pk=plan_id).first() if plan_id else None
    account = scoped(ChannelAccount, workspace).filter(pk=account_id).first() if account_id else None
    return {"plan": plan, "account": account}


@workspace_page()
def mapping_list(request):
    workspace = request.member.workspace
    plan_id = int_or_none(request.GET.get("plan"))
    mappings = services.list_mappings(workspace, plan_id=plan_id)
    context = {
        "page_obj": Paginator(mappings, PAGE_SIZE).get_page(request.GET.get("page")),
        "plans": services.plans_for_links(workspace),
        "plan_id": plan_id,
        "tried": {field: request.GET.get(field, "")[:200] for field in ("source", "medium", "campaign")},
        "resolution": _resolution(request),
        "can_execute": can(request.member, Capability.EXECUTE),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "links/mapping_list.html", context)


def _form(request, mapping=None) -> MappingForm:
    workspace = request.member.workspace
    initial = MappingForm.initial_for(mapping) if mapping else {"plan_id": request.GET.get("plan", "")}
    return MappingForm(
        request.POST or None,
        initial=initial,
        plans=services.plans_for_links(workspace),
        channels=services.channels_for_links(workspace),
    )


@workspace_page(Capability.EXECUTE)
def mapping_create(request):
    form = _form(request)

    def save(_data):
        return services.create_mapping(request.member, **form.data_for_service())

    return form_page(request, form, save, "links/mapping_form.html", _list_url(request))


@workspace_page(Capability.EXECUTE)
def mapping_edit(request, pk: int):
    mapping = services.get_mapping(request.member.workspace, pk)
    form = _form(request, mapping)

    def save(_data):
        return services.update_mapping(request.member, mapping.pk, **form.data_for_service())

    return form_page(request, form, save, "links/mapping_form.html", _list_url(request), {"object": mapping})


@workspace_page(Capability.ERASE)
def mapping_delete(request, pk: int):
    mapping = services.get_mapping(request.member.workspace, pk)
    return delete_page(
        request,
        mapping,
        lambda: services.delete_mapping(request.member, mapping.pk),
        _list_url(request),
        "links/confirm_delete.html",
    )


@workspace_page(Capability.PLAN)
def conventions_edit(request):
    conventions = services.get_conventions(request.member.workspace)
    form = ConventionsForm(request.POST or None, initial=ConventionsForm.initial_for(conventions))

    def save(_data):
        return services.update_conventions(request.member, **form.data_for_service())

    success_url = reverse("links:link_list", args=[request.member.workspace.slug])
    return form_page(request, form, save, "links/conventions_form.html", success_url)
