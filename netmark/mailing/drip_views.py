"""Sequence pages under ``/w/<slug>/mailing/sequences/``: every member reads, execution roles edit.
The editor adds and removes step rows through htmx (the rows fragment is re-rendered)."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, can, require
from netmark.mailing import drip_services
from netmark.mailing.drip_forms import SequenceForm, StepForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import show_errors, submit

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"mailing:{name}", args=[request.member.workspace.slug, *args])


@workspace_page()
def sequence_list(request):
    workspace = request.member.workspace
    form = SequenceForm(workspace, request.POST or None) if can(request.member, Capability.EXECUTE) else None
    if request.method == "POST":
        require(request.member, Capability.EXECUTE)
        created = submit(form, lambda data: drip_services.create_sequence(request.member, **data))
        if created is not None:
            flash.success(request, _("Saved."))
            return redirect(_url(request, "sequence_detail", created.pk))
    page_obj = Paginator(drip_services.list_sequences(workspace), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(row, drip_services.state_counts(row)) for row in page_obj]
    return render(request, "mailing/sequence_list.html", {"page_obj": page_obj, "rows": rows, "form": form})


def _steps_context(request, sequence, form=None) -> dict:
    counts = drip_services.step_counts(sequence)
    steps = [(step, counts.get(step.position, 0)) for step in sequence.steps.all()]
    editable = can(request.member, Capability.EXECUTE) and sequence.status != "active"
    return {"sequence": sequence, "steps": steps, "step_form": form or StepForm(), "editable": editable}


@workspace_page()
def sequence_detail(request, sequence_id: int):
    sequence = drip_services.get_sequence(request.member.workspace, sequence_id)
    context = _steps_context(request, sequence)
    context.update(
        counts=drip_services.state_counts(sequence),
        enrollments=drip_services.list_enrollments(sequence)[:20],
        can_execute=can(request.member, Capability.EXECUTE),
    )
    return render(request, "mailing/sequence_detail.html", context)


@workspace_page()
@require_POST
def step_add(request, sequence_id: int):
    require(request.member, Capability.EXECUTE)
    form = StepForm(request.POST)
    sequence = drip_services.get_sequence(request.member.workspace, sequence_id)
    if form.is_valid():
        try:
            drip_services.add_step(request.member, sequence.pk, form.cleaned_data["kind"], form.config())
            form = None
        except (ValidationFailed, Conflict) as exc:
            show_errors(form, exc)
    status = 200 if form is None or not form.errors else 422
    if not request.headers.get("HX-Request"):
        if status == 422:
            flash.error(request, _("The step was not added: check its fields."))
        return redirect(_url(request, "sequence_detail", sequence.pk))
    return render(
        request,
        "mailing/includes/sequence_steps.html",
        _steps_context(request, sequence, form),
        status=status,
    )


@workspace_page()
@require_POST
def step_remove(request, sequence_id: int, sequence_step_id: int):
    drip_services.remove_step(request.member, sequence_id, sequence_step_id)
    sequence = drip_services.get_sequence(request.member.workspace, sequence_id)
    if not request.headers.get("HX-Request"):
        return redirect(_url(request, "sequence_detail", sequence.pk))
    return render(request, "mailing/includes/sequence_steps.html", _steps_context(request, sequence))


@workspace_page()
@require_POST
def sequence_status(request, sequence_id: int, status: str):
    try:
        drip_services.set_status(request.member, sequence_id, status)
        flash.success(request, _("Saved."))
    except Conflict as exc:
        flash.error(request, str(exc))
    return redirect(_url(request, "sequence_detail", sequence_id))
