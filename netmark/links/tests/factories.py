"""Test data for links: Chinese labels and mixed scripts by default."""

from netmark.links import services

DESTINATION = "https://yunling-tea.example/zh/spring?ref=home#buy"


def make_link(member, plan, channel, *, destination: str = DESTINATION, **fields):
    fields.setdefault("name", "春茶海报 Spring poster")
    return services.create_link(
        member, plan_id=plan.pk, channel_account_id=channel.pk, destination=destination, **fields
    )


def link_body(plan, channel, **fields) -> dict:
    """A JSON body for POST /api/v1/links."""
    return {"plan_id": plan.pk, "channel_account_id": channel.pk, "destination": DESTINATION, **fields}
