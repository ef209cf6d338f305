"""The pieces every app's record pages share: a form saved through a service, a confirmed delete.

``submit`` runs a service with a valid form's data and maps ``ValidationFailed`` / ``Conflict``
field messages back onto the form, so every page shows the same errors the API would give.
``form_page`` and ``delete_page`` add the flash message and the redirect around it.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netmark.core.errors import Conflict, ValidationFailed


def show_errors(form: forms.Form, exc: ValidationFailed | Conflict, aliases: dict | None = None) -> None:
    """Puts the error's field messages on the form's fields (unknown fields on the form itself)."""
    aliases = aliases or {}
    for field, message in exc.fields.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def submit(form: forms.Form, save: Callable[[dict], object], aliases: dict | None = None):
    """``save(cleaned_data)`` for a valid form; the saved object, or None with errors on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except (ValidationFailed, Conflict) as exc:
        show_errors(form, exc, aliases)
        return None


def int_or_none(raw) -> int | None:
    """A query parameter as an int; None when it is missing or not a number."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def form_page(request, form, save, template: str, success_url: str, context: dict | None = None):
    """GET shows the form; a valid POST saves through ``save`` and redirects to ``success_url``."""
    if request.method == "POST" and submit(form, save) is not None:
        flash.success(request, _("Saved."))
        return redirect(success_url)
    return render(request, template, {"form": form, **(context or {})})


def delete_page(request, obj, delete: Callable[[], object], list_url: str, template: str):
    """GET asks for confirmation; POST deletes through ``delete`` and returns to ``list_url``.

    A ``Conflict`` (the record is still in use) is shown as an error message on the list.
    """
    if request.method == "POST":
        try:
            delete()
        except Conflict as exc:
            flash.error(request, exc.message)
            return redirect(list_url)
        flash.success(request, _("Deleted “%(name)s”.") % {"name": obj})
        return redirect(list_url)
    return render(request, template, {"object": obj, "cancel_url": list_url})
