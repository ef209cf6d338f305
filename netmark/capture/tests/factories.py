"""Capture test helpers: forms with Chinese labels, and render tokens as old as a test needs."""

import time

from netmark.capture import services, submissions
from netmark.core import signing

FIELDS = [
    {"key": "name", "label": "姓名 Name", "required": True},
    {"key": "email", "label": "邮箱 Email", "required": True},
    {"key": "phone", "label": "手机 Phone"},
    {"key": "message", "label": "留言 Message"},
]
CONSENT = "我同意接收云岭茶业的营销邮件 I agree to receive marketing email."


def make_form(team, **overrides):
    data = {
        "name": "春茶试饮报名 Spring tasting",
        "language": "zh-hans",
        "fields": FIELDS,
        "consent_text": CONSENT,
        "thank_you_message": "谢谢！Thank you!",
        **overrides,
    }
    return services.create_form(team.owner, **data)


def aged_token(form, *, seconds: float = 10, visitor: int = 0) -> str:
    """A render token issued ``seconds`` ago (past the minimum fill time)."""
    moment = int((time.time() - seconds) * 1000)
    return signing.sign(submissions.TOKEN_PURPOSE, {"f": form.public_id, "t": moment, "v": visitor})


def answers(form, **values) -> dict:
    base = {
        "_token": aged_token(form),
        "name": "李娜 Li Na",
        "email": "li.na@example.com",
        "consent": "on",
    }
    return {**base, **values}
