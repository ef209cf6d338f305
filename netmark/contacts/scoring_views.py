"""Lead scoring pages: the rules and thresholds of the workspace (one page, htmx toggles), a
rule's edit page and its delete. Views parse, call ``scoring_rules`` / ``scoring`` and render."""

import json

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from netmark.contacts import scoring, scoring_rules, timeline
from netmark.contacts.models import ScoringRule
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, can
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page

MAX_JSON = 20_000


def _url(request, name: str, *args) -> str:
    return reverse(f"contacts:{name}", args=[request.member.workspace.slug, *args])


def _number(raw: str, field: str, *, blank_is_none: bool = False):
    raw = (raw or "").strip()
    if not raw and blank_is_none:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(fields={field: _("Enter a whole number.")}) from None


def _rule_data(post) -> dict:
    kind = post.get("kind", "")
    data = {"name": post.get("name", ""), "points": _number(post.get("points", ""), "points"), "kind": kind}
    if kind == ScoringRule.Kind.INTERACTION:
        data["interaction_kind"] = post.get("interaction_kind", "")
        data["max_times"] = _number(post.get("max_times", ""), "max_times", blank_is_none=True)
    elif kind == ScoringRule.Kind.FIELD:
        try:
            data["condition"] = json.loads(post.get("condition", "")[:MAX_JSON] or "null")
        except ValueError:
            raise ValidationFailed(fields={"condition": _("The condition is not valid JSON.")}) from None
    else:
        data["path"] = post.get("path", "")
        data["times"] = _number(post.get("times", ""), "times")
        data["days"] = _number(post.get("days", ""), "days")
    return data


def _act(request) -> dict:
    """Runs the POSTed action; returns field errors (empty when it worked)."""
    action = request.POST.get("action")
    try:
        if action == "settings":
            scoring_rules.update_settings(
                request.member,
                half_life_days=_number(request.POST.get("half_life_days", "0") or "0", "half_life_days"),
                lead_at=_number(request.POST.get("lead_at", ""), "lead_at", blank_is_none=True),
                qualified_at=_number(
                    request.POST.get("qualified_at", ""), "qualified_at", blank_is_none=True
                ),
            )
        elif action == "recompute":
            result = scoring.recompute(request.member.workspace, member=request.member)
            flash.success(
                request,
                _("%(changed)s scores changed, %(moved)s stages moved up.")
                % {"changed": result["changed"], "moved": result["stages_moved"]},
            )
            return {}
        else:
            scoring_rules.create_rule(request.member, **_rule_data(request.POST))
    except (ValidationFailed, Conflict) as exc:
        return exc.fields or {"__all__": exc.message}
    flash.success(request, _("Saved."))
    return {}


@workspace_page()
def scoring_page(request):
    errors = {}
    if request.method == "POST":
        errors = _act(request)
        if not errors:
            return redirect(_url(request, "scoring_page"))
    context = {
        "rules": scoring_rules.list_rules(request.member.workspace),
        "settings": scoring.settings_for(request.member.workspace),
        "kinds": ScoringRule.Kind.choices,
        "types": timeline.all_types(),
        "errors": errors,
        "posted": request.POST if request.method == "POST" else {},
        "can_execute": can(request.member, Capability.EXECUTE),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "contacts/scoring.html", context, status=422 if errors else 200)


@workspace_page(Capability.EXECUTE)
def scoring_rule_toggle(request, pk: int):
    """POST (htmx): switches a rule on or off and answers its table row."""
    rule = scoring_rules.get_rule(request.member.workspace, pk)
    if request.method == "POST":
        rule = scoring_rules.update_rule(request.member, rule.pk, is_active=not rule.is_active)
    context = {"rule": rule, "can_execute": True, "can_erase": can(request.member, Capability.ERASE)}
    return render(request, "contacts/scoring_rule_row.html", context)


def _rule_values(rule: ScoringRule) -> dict:
    # as text, as a POST would give them (a rule of 0 points shows 0, not the default)
    values = {
        key: "" if getattr(rule, key) is None else str(getattr(rule, key)) for key in scoring_rules.FIELDS
    }
    values["condition"] = json.dumps(rule.condition, ensure_ascii=False) if rule.condition else ""
    return {**values, "is_active": rule.is_active}


@workspace_page(Capability.EXECUTE)
def scoring_rule_edit(request, pk: int):
    """GET shows the rule; POST changes it through ``scoring_rules.update_rule`` (a recompute follows)."""
    rule = scoring_rules.get_rule(request.member.workspace, pk)
    errors, values = {}, _rule_values(rule)
    if request.method == "POST":
        try:
            data = {**_rule_data(request.POST), "is_active": request.POST.get("is_active") == "on"}
            scoring_rules.update_rule(request.member, rule.pk, **data)
        except (ValidationFailed, Conflict) as exc:
            errors = exc.fields or {"__all__": exc.message}
            values = {**request.POST.dict(), "is_active": request.POST.get("is_active") == "on"}
        else:
            flash.success(request, _("Saved."))
            return redirect(_url(request, "scoring_page"))
    context = {
        "rule": rule,
        "values": values,
        "errors": errors,
        "kinds": ScoringRule.Kind.choices,
        "types": timeline.all_types(),
    }
    return render(request, "contacts/scoring_rule_form.html", context, status=422 if errors else 200)


@workspace_page(Capability.ERASE)
def scoring_rule_delete(request, pk: int):
    rule = scoring_rules.get_rule(request.member.workspace, pk)
    return delete_page(
        request,
        rule,
        lambda: scoring_rules.delete_rule(request.member, rule.pk),
        _url(request, "scoring_page"),
        "web/confirm_delete.html",
    )
