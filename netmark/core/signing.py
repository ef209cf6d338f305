"""Purpose-bound signed tokens for public links (calendar feeds, invitations, unsubscribe, ...).

A token signed for one purpose never verifies for another: the purpose is the signing salt.
"""

from django.core import signing

from netmark.core.errors import NotFound


def sign(purpose: str, value) -> str:
    return signing.dumps(value, salt=f"netmark.{purpose}", compress=True)


def unsign(purpose: str, token: str, *, max_age: int | None = None):
    """The signed value, or ``NotFound`` for a forged, expired or other-purpose token."""
    try:
        return signing.loads(token, salt=f"netmark.{purpose}", max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound() from None
