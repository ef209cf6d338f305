"""The API's one pagination: ``?limit=`` (1-200, default 50) and ``?offset=`` (bounded), as
``{"items": [...], "count": N}``. Bounds keep absurd numbers a 422 instead of a database error."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
