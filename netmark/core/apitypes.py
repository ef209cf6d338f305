"""Types every API module shares: the one error body, the statuses each route declares, the base of
request bodies (unknown fields refused) and bounded field types (ids, decimals, URLs).

Apps' ``schemas`` and ``api`` modules import these; they are not core's own schemas.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, HttpUrl, UrlConstraints, WithJsonSchema

from netmark.core.roles import Role

# A record id in a query string or body: bounded so absurd numbers answer 422, not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def bounded_decimal(minimum: str, maximum: str, places: int, *, pattern: str | None = None):
    """A bounded decimal: a JSON number, or a string of plain digits with at most ``places`` decimals."""
    low, high = Decimal(minimum), Decimal(maximum)
    sign = "-?" if low < 0 else ""
    pattern = pattern or rf"^{sign}\d{{1,{len(str(int(high)))}}}(\.\d{{1,{places}}})?$"

    step = Decimal(1).scaleb(-places)

    def plain(value):
        if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(pattern, value)):
            raise ValueError(f"Enter a number, or a string like 1200.50 with at most {places} decimals.")
        if isinstance(value, int | float):
            # A JSON number is rounded to the field's precision (0.125 -> 0.13 for money).
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError("Enter a finite number.")
            if not low <= number <= high:
                return number  # out of range before rounding: the bounds below answer it
            return number.quantize(step, rounding=ROUND_HALF_UP)
        return value

    document = {
        "anyOf": [
            {"type": "number", "minimum": float(low), "maximum": float(high)},
            {"type": "string", "pattern": pattern},
        ]
    }
    return Annotated[Decimal, BeforeValidator(plain), Field(ge=low, le=high), WithJsonSchema(document)]


UrlText = Annotated[
    HttpUrl,
    UrlConstraints(max_length=500),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://[^\\s]+$", "maxLength": 500}),
]


class InputSchema(Schema):
    """Base of every request body: unknown fields are refused (a typo is reported, not ignored)."""

    model_config = ConfigDict(extra="forbid")


RoleName = Literal[tuple(Role.values)]


class ErrorOut(Schema):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


# Statuses any authenticated route can answer; every route declares them in the OpenAPI document.
COMMON_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def responses(ok: dict) -> dict:
    """``ok`` (e.g. ``{200: PlanOut}``) plus the common error statuses."""
    return {**COMMON_ERRORS, **ok}
