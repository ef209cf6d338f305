"""The import wizard: upload, then a preview (mapping per column, sample rows, a dry run's counts and
row errors), then the import as a job whose page shows its progress and report."""

import base64

from django.shortcuts import redirect, render
from django.urls import reverse

from netmark.contacts import importing, imports
from netmark.contacts.forms import ImportForm
from netmark.core import csvio
from netmark.core.errors import NetmarkError
from netmark.core.roles import Capability
from netmark.web.access import workspace_page

SESSION_KEY = "contacts-import-upload"
MAX_SESSION_BYTES = 5 * 1024 * 1024


def _targets():
    return [("", "—"), *[(canonical, canonical) for canonical, _zh, _o in importing.COLUMNS]]


@workspace_page(Capability.EXECUTE)
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(csvio.MAX_BYTES + 1)
        try:
            preview = imports.preview_import(request.member, data, overwrite=form.cleaned_data["overwrite"])
        except NetmarkError as exc:
            form.add_error(None, exc.message)
            for key, message in exc.fields.items():
                form.add_error(None, f"{key}: {message}")
        else:
            if len(data) <= MAX_SESSION_BYTES:
                request.session[SESSION_KEY] = {
                    "data": base64.b64encode(data).decode(),
                    "name": upload.name[:200],
                    "overwrite": form.cleaned_data["overwrite"],
                }
            context.update(preview=preview, targets=_targets(), can_confirm=len(data) <= MAX_SESSION_BYTES)
    return render(request, "contacts/import.html", context)


def _confirm(request):
    stored = request.session.pop(SESSION_KEY, None)
    slug = request.member.workspace.slug
    if not stored:
        return redirect(reverse("contacts:import_start", args=[slug]))
    mapping = {
        key.removeprefix("map:"): value for key, value in request.POST.items() if key.startswith("map:")
    }
    try:
        job = imports.start_import(
            request.member,
            base64.b64decode(stored["data"]),
            filename=stored["name"],
            mapping=mapping,
            overwrite=stored["overwrite"],
        )
    except NetmarkError as exc:
        return render(
            request,
            "contacts/import.html",
            {"form": ImportForm(), "error": exc.message, "error_fields": exc.fields},
        )
    return redirect(reverse("contacts:import_detail", args=[slug, job.pk]))


@workspace_page()
def import_detail(request, pk: int):
    job = imports.get_import(request.member.workspace, pk)
    running = job.status in ("queued", "running")
    return render(request, "contacts/import_detail.html", {"job": job, "running": running})
