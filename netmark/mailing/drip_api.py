"""Drip sequences API (tag ``mailing``: every member reads, execution roles write). Handlers parse,
call one service of ``drip_services`` / ``drip_triggers`` and shape the answer."""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, responses
from netmark.core.pagination import Page
from netmark.mailing import drip_services
from netmark.mailing.drip_schemas import (
    DripEnrollIn,
    DripEnrollmentFilters,
    DripEnrollmentOut,
    DripSequenceIn,
    DripSequenceOut,
    DripSequencePatch,
    DripStatusIn,
    DripStepOut,
    DripStepsIn,
)

router = Router(tags=["mailing"])
CONFLICT = {409: ErrorOut}


def _fields(data: dict) -> dict:
    if "smtp_server_id" in data:
        data["server_id"] = data.pop("smtp_server_id")
    return data


def _steps_out(sequence) -> list[dict]:
    counts = drip_services.step_counts(sequence)
    return [
        {
            "id": s.pk,
            "position": s.position,
            "kind": s.kind,
            "config": s.config,
            "active_here": counts.get(s.position, 0),
        }
        for s in sequence.steps.all()
    ]


def _sequence_out(sequence) -> dict:
    names = [name for name in DripSequenceOut.model_fields if hasattr(sequence, name)]
    fields = {name: getattr(sequence, name) for name in names if name not in ("steps", "enrollments")}
    fields.update(id=sequence.pk, smtp_server_id=sequence.server_id, steps=_steps_out(sequence))
    fields["enrollments"] = drip_services.state_counts(sequence)
    return fields


def _enrollment_out(row) -> dict:
    return {
        "id": row.pk, "contact_id": row.contact_id, "email": row.contact.email, "round": row.round,
        "state": row.state, "position": row.position, "next_run_at": row.next_run_at,
        "history": row.history, "exit_reason": row.exit_reason, "created_at": row.created_at,
        "finished_at": row.finished_at,
    }  # fmt: skip


@router.get("/sequences", response=responses({200: list[DripSequenceOut]}))
@paginate(Page)
def list_sequences(request):
    return [_sequence_out(s) for s in drip_services.list_sequences(request.member.workspace)]


@router.post("/sequences", response=responses({201: DripSequenceOut}))
def create_sequence(request, payload: DripSequenceIn):
    sequence = drip_services.create_sequence(request.member, **_fields(body(payload)))
    return Status(201, _sequence_out(sequence))


@router.get("/sequences/{sequence_id}", response=responses({200: DripSequenceOut}))
def get_sequence(request, sequence_id: int):
    return _sequence_out(drip_services.get_sequence(request.member.workspace, sequence_id))


@router.patch("/sequences/{sequence_id}", response=responses({200: DripSequenceOut}))
def update_sequence(request, sequence_id: int, payload: DripSequencePatch):
    sequence = drip_services.update_sequence(request.member, sequence_id, **_fields(given(payload)))
    return _sequence_out(sequence)


@router.delete("/sequences/{sequence_id}", response=responses({204: None, **CONFLICT}))
def delete_sequence(request, sequence_id: int):
    """Removes the sequence with its enrollments (the emails' events stay)."""
    drip_services.delete_sequence(request.member, sequence_id)
    return Status(204, None)


@router.put("/sequences/{sequence_id}/steps", response=responses({200: list[DripStepOut], **CONFLICT}))
def replace_steps(request, sequence_id: int, payload: DripStepsIn):
    """Replaces every step, in order (positions 0, 1, ...); only while draft or paused."""
    drip_services.replace_steps(request.member, sequence_id, [s.model_dump() for s in payload.steps])
    return _steps_out(drip_services.get_sequence(request.member.workspace, sequence_id))


@router.post("/sequences/{sequence_id}/status", response=responses({200: DripSequenceOut, **CONFLICT}))
def change_status(request, sequence_id: int, payload: DripStatusIn):
    return _sequence_out(drip_services.set_status(request.member, sequence_id, payload.status))


@router.get("/sequences/{sequence_id}/enrollments", response=responses({200: list[DripEnrollmentOut]}))
@paginate(Page)
def list_enrollments(request, sequence_id: int, filters: Query[DripEnrollmentFilters]):
    sequence = drip_services.get_sequence(request.member.workspace, sequence_id)
    return [_enrollment_out(row) for row in drip_services.list_enrollments(sequence, state=filters.state)]


@router.post("/sequences/{sequence_id}/enrollments", response=responses({201: DripEnrollmentOut, **CONFLICT}))
def enroll(request, sequence_id: int, payload: DripEnrollIn):
    """Enrols one contact by hand (once, unless re-entry is allowed); in a draft or paused sequence
    the enrollment waits until the sequence is active."""
    row = drip_services.enroll_member(request.member, sequence_id, payload.contact_id)
    return Status(201, _enrollment_out(row))
