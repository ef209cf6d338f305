"""Site pages: the list, the form, the install panel and the delete confirmation.

Writing needs the execute capability (owner, planner, implementer); deleting a site erases its
events, so it needs ERASE (owners). Viewers read.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netmark.analytics import reports, services
from netmark.analytics.forms import SiteForm
from netmark.analytics.views import filtered_rows, install_context, page_url, rights
from netmark.core.roles import Capability
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page, submit

PAGE_SIZE = 50


@workspace_page()
def site_list(request):
    """Sites with the events their filters refused in the last 30 days (the dashboard's default)."""
    sites = services.list_sites(request.member.workspace)
    page_obj = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    for site in page_obj:
        period = reports.period_or_default(None, None, site)
        site.filtered_total = sum(reports.filtered_counts(site, period).values())
    return render(request, "analytics/site_list.html", {"page_obj": page_obj, **rights(request.member)})


@workspace_page()
def site_detail(request, pk: int):
    """How to install the tracker, the site's settings and what its filters refused."""
    site = services.get_site(request.member.workspace, pk)
    period = reports.period_or_default(None, None, site)
    context = {
        "site": site,
        "period": period,
        "filtered": filtered_rows(site, period),
        **install_context(site),
        **rights(request.member),
    }
    return render(request, "analytics/site_detail.html", context)


@workspace_page(Capability.EXECUTE)
def site_create(request):
    """A valid POST leads to the new site's install panel: the next step is the snippet."""
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        site = submit(form, lambda _data: services.create_site(request.member, **form.data_for_service()))
        if site is not None:
            message = _("Site created. Put the snippet below on every page of %(domain)s.")
            flash.success(request, message % {"domain": site.domain})
            return redirect(page_url(request, "site_detail", site.pk))
    return render(request, "analytics/site_form.html", {"form": form})


@workspace_page(Capability.EXECUTE)
def site_edit(request, pk: int):
    site = services.get_site(request.member.workspace, pk)
    form = SiteForm(request.POST or None, initial=SiteForm.initial_for(site))

    def save(_data):
        return services.update_site(request.member, site.pk, **form.data_for_service())

    return form_page(
        request,
        form,
        save,
        "analytics/site_form.html",
        page_url(request, "site_detail", site.pk),
        {"object": site},
    )


@workspace_page(Capability.ERASE)
def site_delete(request, pk: int):
    site = services.get_site(request.member.workspace, pk)
    return delete_page(
        request,
        site,
        lambda: services.delete_site(request.member, site.pk),
        page_url(request, "site_list"),
        "analytics/confirm_delete.html",
    )
