"""Template context: the current member and the workspaces the user can switch to."""


def navigation(request):
    member = getattr(request, "member", None)
    return {"member": member, "workspace": getattr(member, "workspace", None)}
