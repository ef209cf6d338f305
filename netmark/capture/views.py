"""Capture pages under ``/w/<slug>/capture/``: the form builder (htmx field rows), a form's embed
codes and submissions (CSV export), and landing pages. Views parse, call one service and render."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from netmark.analytics import services as analytics
from netmark.capture import exporting, formfields, page_images, public, services
from netmark.capture.forms import MAX_ROWS, CaptureFormForm, LandingPageForm, field_rows
from netmark.capture.public_views import image_response
from netmark.core.apitools import file_answer
from netmark.core.roles import Capability, can
from netmark.mailing import services as mailing
from netmark.planning import services as planning
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"capture:{name}", args=[request.member.workspace.slug, *args])


def _key_choices(workspace) -> list[tuple[str, str]]:
    custom = formfields.custom_definitions(workspace)
    standard = [(key, str(label)) for key, (_kind, _limit, label) in formfields.STANDARD.items()]
    return standard + [(formfields.CUSTOM_PREFIX + key, field.label) for key, field in custom.items()]


def _builder_context(request, rows: list[dict]) -> dict:
    rows = rows + [{"key": "", "label": "", "kind": "", "required": False}]
    return {
        "rows": list(enumerate(rows[:MAX_ROWS])),
        "key_choices": _key_choices(request.member.workspace),
        "next_index": min(len(rows), MAX_ROWS),
    }


@workspace_page()
def form_list(request):
    forms = services.list_forms(request.member.workspace)
    page_obj = Paginator(forms, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "can_execute": can(request.member, Capability.EXECUTE)}
    return render(request, "capture/form_list.html", context)


def _form_form(request, form=None) -> CaptureFormForm:
    workspace = request.member.workspace
    initial = (
        CaptureFormForm.initial_for(form) if form is not None else {"language": "zh-hans", "is_active": True}
    )
    return CaptureFormForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        sites=analytics.list_sites(workspace),
        plans=planning.list_plans(workspace),
        mailing_lists=mailing.list_lists(workspace),
    )


@workspace_page(Capability.EXECUTE)
def form_create(request):
    form = _form_form(request)
    rows = (
        field_rows(request.POST)
        if request.method == "POST"
        else [
            {"key": "name", "label": "", "kind": "text", "required": False},
            {"key": "email", "label": "", "kind": "email", "required": True},
        ]
    )

    def save(_data):
        return services.create_form(request.member, **form.data_for_service(rows))

    return form_page(
        request,
        form,
        save,
        "capture/form_form.html",
        _url(request, "form_list"),
        _builder_context(request, rows),
    )


@workspace_page(Capability.EXECUTE)
def form_edit(request, pk: int):
    record = services.get_form(request.member.workspace, pk)
    form = _form_form(request, record)
    rows = field_rows(request.POST) if request.method == "POST" else list(record.fields)

    def save(_data):
        return services.update_form(request.member, record.pk, **form.data_for_service(rows))

    context = {"object": record, **_builder_context(request, rows)}
    return form_page(
        request, form, save, "capture/form_form.html", _url(request, "form_detail", record.pk), context
    )


@workspace_page(Capability.EXECUTE)
def field_row(request):
    """htmx: one more empty row of the field builder."""
    try:
        index = max(0, min(int(request.GET.get("index", 0)), MAX_ROWS - 1))
    except ValueError:
        index = 0
    context = {
        "index": index,
        "row": {"key": "", "label": "", "kind": "", "required": False},
        "key_choices": _key_choices(request.member.workspace),
        "next_index": index + 1,
    }
    return render(request, "capture/includes/field_row.html", context)


@workspace_page()
def form_detail(request, pk: int):
    workspace = request.member.workspace
    record = services.get_form(workspace, pk)
    page_obj = Paginator(services.list_submissions(workspace, record.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    custom = formfields.custom_definitions(workspace)
    columns = [(field["key"], formfields.label_of(field, custom)) for field in record.fields]
    for submission in page_obj:
        submission.cells = [exporting.cell_text(submission.values.get(key)) for key, _label in columns]
    base = public.public_url()
    context = {
        "object": record,
        "page_obj": page_obj,
        "columns": columns,
        "hosted_url": f"{base}/f/{record.public_id}/",
        "frame_url": f"{base}/f/{record.public_id}/frame/",
        "script_url": f"{base}/f/{record.public_id}/embed.js",
        "can_execute": can(request.member, Capability.EXECUTE),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "capture/form_detail.html", context)


@workspace_page(Capability.EXECUTE)
def submissions_export(request, pk: int):
    """Personal data in bulk: members who execute, as for the contacts export."""
    data = exporting.export_submissions(request.member.workspace, pk)
    return file_answer(data, "text/csv; charset=utf-8", f"form-{pk}-submissions.csv")


@workspace_page(Capability.ERASE)
def form_delete(request, pk: int):
    record = services.get_form(request.member.workspace, pk)
    return delete_page(
        request,
        record,
        lambda: services.delete_form(request.member, record.pk),
        _url(request, "form_list"),
        "web/confirm_delete.html",
    )


# Landing pages


@workspace_page()
def page_list(request):
    pages = services.list_pages(request.member.workspace)
    page_obj = Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))
    for page in page_obj:
        page.public_url = f"{public.public_url()}/p/{request.member.workspace.slug}/{page.slug}/"
    context = {"page_obj": page_obj, "can_execute": can(request.member, Capability.EXECUTE)}
    return render(request, "capture/page_list.html", context)


def _page_form(request, page=None) -> LandingPageForm:
    workspace = request.member.workspace
    initial = LandingPageForm.initial_for(page) if page is not None else {"language": "zh-hans"}
    return LandingPageForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        forms_=services.list_forms(workspace),
        sites=analytics.list_sites(workspace),
        has_image=bool(page is not None and page.image_name),
    )


@workspace_page(Capability.EXECUTE)
def page_create(request):
    form = _page_form(request)

    def save(_data):
        return page_images.save_page(request.member, None, form.data_for_service(), image=form.image_upload())

    return form_page(request, form, save, "capture/page_form.html", _url(request, "page_list"))


@workspace_page(Capability.EXECUTE)
def page_edit(request, pk: int):
    page = services.get_page(request.member.workspace, pk)
    form = _page_form(request, page)

    def save(_data):
        return page_images.save_page(
            request.member,
            page.pk,
            form.data_for_service(),
            image=form.image_upload(),
            remove_image=form.cleaned_data.get("remove_image", False),
        )

    return form_page(
        request, form, save, "capture/page_form.html", _url(request, "page_list"), {"object": page}
    )


@workspace_page(Capability.ERASE)
def page_delete(request, pk: int):
    page = services.get_page(request.member.workspace, pk)
    return delete_page(
        request,
        page,
        lambda: services.delete_page(request.member, page.pk),
        _url(request, "page_list"),
        "web/confirm_delete.html",
    )


@workspace_page()
def page_image(request, pk: int):
    """The uploaded image of any page of the workspace (published or not), for the edit page."""
    page = services.get_page(request.member.workspace, pk)
    return image_response(*page_images.image_file(page), cache="private, no-cache")
