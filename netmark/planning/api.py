"""Planning API: channel types, channel accounts, plans, calendar."""

from ninja import Router

router = Router(tags=["planning"])
