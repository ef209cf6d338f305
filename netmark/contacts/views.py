from django.shortcuts import render

from netmark.web.access import workspace_page


@workspace_page()
def contact_list(request):
    return render(request, "contacts/contact_list.html", {})
