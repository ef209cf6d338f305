"""Lead scoring API: rules (CRUD), the workspace's settings, a contact's score with its explanation
and history, and a recompute on demand. Mounted by ``contacts.api``."""

from ninja import Router, Status
from ninja.pagination import paginate

from netmark.contacts import scoring, scoring_rules, services
from netmark.contacts.scoring_schemas import (
    ContactScoreOut,
    ScoringRecomputeOut,
    ScoringRuleIn,
    ScoringRuleOut,
    ScoringRulePatch,
    ScoringSettingsOut,
    ScoringSettingsPatch,
)
from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.core.roles import Capability, require

router = Router(tags=["contacts"])
CONFLICT = {409: ErrorOut}


@router.get("/scoring-rules", response=responses({200: list[ScoringRuleOut]}))
@paginate(Page)
def list_rules(request):
    return scoring_rules.list_rules(request.member.workspace)


@router.post("/scoring-rules", response=responses({201: ScoringRuleOut, **CONFLICT}))
def create_rule(request, payload: ScoringRuleIn):
    return Status(201, scoring_rules.create_rule(request.member, **body(payload)))


@router.get("/scoring-rules/{rule_id}", response=responses({200: ScoringRuleOut}))
def get_rule(request, rule_id: int):
    return scoring_rules.get_rule(request.member.workspace, rule_id)


@router.patch("/scoring-rules/{rule_id}", response=responses({200: ScoringRuleOut, **CONFLICT}))
def update_rule(request, rule_id: int, payload: ScoringRulePatch):
    return scoring_rules.update_rule(request.member, rule_id, **given(payload))


@router.delete("/scoring-rules/{rule_id}", response=responses({204: None}))
def delete_rule(request, rule_id: int):
    scoring_rules.delete_rule(request.member, rule_id)
    return Status(204, None)


@router.get("/scoring/settings", response=responses({200: ScoringSettingsOut}))
def get_settings(request):
    return scoring.settings_for(request.member.workspace)


@router.patch("/scoring/settings", response=responses({200: ScoringSettingsOut}))
def update_settings(request, payload: ScoringSettingsPatch):
    return scoring_rules.update_settings(request.member, **given(payload))


@router.post("/scoring/recompute", response=responses({200: ScoringRecomputeOut}))
def recompute(request):
    """Scores every contact now (also done daily and after each rule change)."""
    require(request.member, Capability.EXECUTE)
    return scoring.recompute(request.member.workspace, member=request.member)


@router.get("/contacts/{contact_id}/score", response=responses({200: ContactScoreOut}))
def contact_score(request, contact_id: int):
    """The score now with one line per rule, the stored score and its recent history."""
    contact = services.get_contact(request.member.workspace, contact_id)
    found = scoring.score_contact(contact)
    return {
        "contact_id": contact.pk,
        "score": found.total,
        "stored_score": contact.score,
        "explanation": found.lines,
        "history": scoring.history(contact),
    }
