"""Mailing pages under ``/w/<slug>/mailing/``: SMTP servers and DKIM keys (owners), the suppression
list (execution roles change it, every member reads it). Views parse, call one service and render."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netmark.core.apitools import file_answer
from netmark.core.roles import Capability, can, require
from netmark.mailing import services
from netmark.mailing.forms import KeyForm, ServerForm, SuppressionForm, TestSendForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, submit

PAGE_SIZE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"mailing:{name}", args=[request.member.workspace.slug, *args])


# SMTP servers


@workspace_page(Capability.ADMINISTER)
def server_list(request):
    servers = services.list_servers(request.member.workspace)
    page_obj = Paginator(servers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mailing/server_list.html", {"page_obj": page_obj})


@workspace_page(Capability.ADMINISTER)
def server_create(request):
    form = ServerForm(request.POST or None, initial={"security": "starttls", "is_active": True})

    def save(_data):
        return services.create_server(request.member, **form.data_for_service(editing=False))

    context = {"cancel_url": _url(request, "server_list"), "heading": _("New SMTP server")}
    return form_page(request, form, save, "mailing/form.html", _url(request, "server_list"), context)


@workspace_page(Capability.ADMINISTER)
def server_edit(request, smtp_server_id: int):
    server = services.get_server(request.member.workspace, smtp_server_id)
    form = ServerForm(request.POST or None, initial=ServerForm.initial_for(server))

    def save(_data):
        return services.update_server(request.member, server.pk, **form.data_for_service(editing=True))

    context = {"cancel_url": _url(request, "server_list"), "heading": server.name, "server": server}
    return form_page(request, form, save, "mailing/form.html", _url(request, "server_list"), context)


@workspace_page(Capability.ADMINISTER)
def server_test(request, smtp_server_id: int):
    server = services.get_server(request.member.workspace, smtp_server_id)
    form = TestSendForm(request.POST or None, initial={"email": request.user.email})
    outcome = None
    if request.method == "POST":
        outcome = submit(form, lambda data: services.test_send(request.member, server.pk, data["email"]))
    return render(request, "mailing/server_test.html", {"form": form, "server": server, "outcome": outcome})


@workspace_page(Capability.ADMINISTER)
def server_delete(request, smtp_server_id: int):
    server = services.get_server(request.member.workspace, smtp_server_id)
    return delete_page(
        request,
        server,
        lambda: services.delete_server(request.member, server.pk),
        _url(request, "server_list"),
        "web/confirm_delete.html",
    )


# DKIM keys


@workspace_page(Capability.ADMINISTER)
def key_list(request):
    form = KeyForm(request.POST or None)
    if request.method == "POST":
        key = submit(form, lambda data: services.create_key(request.member, **data))
        if key is not None:
            flash.success(request, _("Key generated. Publish the DNS record below."))
            return redirect(_url(request, "key_detail", key.pk))
    keys = services.list_keys(request.member.workspace)
    page_obj = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mailing/key_list.html", {"page_obj": page_obj, "form": form})


@workspace_page(Capability.ADMINISTER)
def key_detail(request, dkim_key_id: int):
    key = services.get_key(request.member.workspace, dkim_key_id)
    return render(request, "mailing/key_detail.html", {"key": key, "dns": services.dns_record(key)})


@workspace_page(Capability.ADMINISTER)
def key_delete(request, dkim_key_id: int):
    key = services.get_key(request.member.workspace, dkim_key_id)
    return delete_page(
        request,
        key,
        lambda: services.delete_key(request.member, key.pk),
        _url(request, "key_list"),
        "web/confirm_delete.html",
    )


# Suppressions


def _adder(request):
    return lambda data: services.add_suppression(request.member, **data)


@workspace_page()
def suppression_list(request):
    workspace = request.member.workspace
    can_execute = can(request.member, Capability.EXECUTE)
    if request.method == "POST":
        require(request.member, Capability.EXECUTE)
    form = SuppressionForm(request.POST or None) if can_execute else None
    if request.method == "POST" and submit(form, _adder(request)) is not None:
        flash.success(request, _("Added to the suppression list."))
        return redirect(_url(request, "suppression_list"))
    search = (request.GET.get("q") or "").strip()[:254]
    rows = services.list_suppressions(workspace, search=search or None)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "form": form, "search": search, "can_execute": can_execute}
    return render(request, "mailing/suppression_list.html", context)


@require_POST
@workspace_page(Capability.EXECUTE)
def suppression_remove(request, suppression_id: int):
    services.remove_suppression(request.member, suppression_id)
    flash.success(request, _("Removed from the suppression list."))
    return redirect(_url(request, "suppression_list"))


@workspace_page()
def suppression_export(request):
    data = services.export_suppressions(request.member.workspace)
    return file_answer(data, "text/csv; charset=utf-8", "suppressions.csv")
