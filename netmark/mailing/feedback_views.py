"""Pages for what comes back from sent mail: the deliverability check (every member; DNS look-ups
of the workspace's sending domains or one typed in) and the provider webhooks (owners)."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability
from netmark.mailing import services
from netmark.mailing.forms import DeliverabilityForm, HookForm
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, submit


def _url(request, name: str, *args) -> str:
    return reverse(f"mailing:{name}", args=[request.member.workspace.slug, *args])


@workspace_page(Capability.READ)
def deliverability(request):
    workspace = request.member.workspace
    domains = services.sending_domains(workspace)
    form = DeliverabilityForm(request.GET or None, initial={"domain": domains[0] if domains else ""})
    checks, domain = None, ""
    if form.is_bound and form.is_valid():
        try:
            domain = services.check_domain_name(form.cleaned_data["domain"])
            checks = services.check_domain(workspace, domain)
        except ValidationFailed as error:
            for field, message in (error.fields or {}).items():
                form.add_error(field if field in form.fields else None, message)
    context = {"form": form, "domains": domains, "checks": checks, "domain": domain}
    return render(request, "mailing/deliverability.html", context)


@workspace_page(Capability.ADMINISTER)
def hook_list(request):
    form = HookForm(request.POST or None)
    if request.method == "POST":
        hook = submit(form, lambda data: services.create_hook(request.member, **data))
        if hook is not None:
            flash.success(request, _("Webhook created. Give the provider the address shown."))
            return redirect(_url(request, "hook_list"))
    hooks = [(hook, services.hook_url(hook)) for hook in services.list_hooks(request.member.workspace)]
    return render(request, "mailing/hook_list.html", {"form": form, "hooks": hooks})


@workspace_page(Capability.ADMINISTER)
def hook_delete(request, feedback_hook_id: int):
    hook = services.get_hook(request.member.workspace, feedback_hook_id)
    return delete_page(
        request,
        hook,
        lambda: services.delete_hook(request.member, hook.pk),
        _url(request, "hook_list"),
        "web/confirm_delete.html",
    )
