"""Sandboxed personalisation (RELIABILITY.md, TEMPLATE): ``{{ contact.first_name | default("朋友") }}``.

Templates run in Jinja2's ``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no
method that changes a value, no ``settings``, environment or request in reach (the context holds
only the plain dicts given to ``render``), and any undefined name fails the render
(``StrictUndefined``) instead of printing nothing. ``range`` and ``*`` / ``**`` are bounded, and
every loop iteration, block and macro call checks a deadline: a render over ``RENDER_SECONDS``
(1 s) is aborted. Campaigns call ``validate_all`` before the first message goes out, so a
template that fails for any recipient is reported before sending, never half-way through.
"""

import contextvars
import operator
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from netmark.core.errors import ValidationFailed
from netmark.mailing.mime import html_to_text

RENDER_SECONDS = 1.0
MAX_RANGE = 1_000
MAX_SEQUENCE = 100_000
MAX_OUTPUT = 2_000_000  # characters of one rendered part
_deadline: contextvars.ContextVar[float] = contextvars.ContextVar("render_deadline", default=0.0)


class RenderTimeout(TemplateError):
    """The render ran past its time limit (an endless or huge loop)."""


class RenderFailed(ValidationFailed):
    code = "template_error"


class _TickingGenerator(CodeGenerator):
    """Puts a deadline check at the start of every block: loop bodies, macros, ifs, the root."""

    def blockvisit(self, nodes, frame):
        self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)


class PersonalisationEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _TickingGenerator
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *, html: bool):
        super().__init__(autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True)
        self.globals = {"range": self._range}

    @staticmethod
    def tick() -> None:
        deadline = _deadline.get()
        if deadline and time.monotonic() > deadline:
            raise RenderTimeout(_("The template took longer than %(seconds)s s to render.") % _limit())

    @staticmethod
    def _range(*args):
        values = range(*args)
        if len(values) > MAX_RANGE:
            raise SecurityError(f"range() is limited to {MAX_RANGE} items")
        return values

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("exponent too large")
            return operator.pow(left, right)
        for sequence, count in ((left, right), (right, left)):
            sized = isinstance(sequence, str | list | tuple) and isinstance(count, int)
            if sized and len(sequence) * count > MAX_SEQUENCE:
                raise SecurityError("the result would be too long")
        return operator.mul(left, right)

    def call(self, __context, __obj, *args, **kwargs):
        self.tick()
        return super().call(__context, __obj, *args, **kwargs)


def _limit() -> dict:
    return {"seconds": f"{RENDER_SECONDS:g}"}


HTML_ENVIRONMENT = PersonalisationEnvironment(html=True)
TEXT_ENVIRONMENT = PersonalisationEnvironment(html=False)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


class MessageTemplate:
    """A subject, an HTML body and an optional plain-text body, compiled once, rendered per recipient."""

    def __init__(self, subject: str, html: str, text: str | None = None):
        """Without ``text``, the plain-text part is the HTML source turned into text once, then
        rendered as a text template (its ``{{ }}`` survive the conversion); converting each
        recipient's rendered HTML instead costs ~0.8 ms a message."""
        self._subject = _compile(TEXT_ENVIRONMENT, subject, "subject")
        self._html = _compile(HTML_ENVIRONMENT, html, "html")
        self._text = _compile(TEXT_ENVIRONMENT, text or html_to_text(html), "text")

    def render(self, context: Mapping) -> Rendered:
        """The parts for one recipient, or ``RenderFailed`` (the field and the reason)."""
        token = _deadline.set(time.monotonic() + RENDER_SECONDS)
        try:
            return Rendered(
                subject=_render(self._subject, context, "subject"),
                html=_render(self._html, context, "html"),
                text=_render(self._text, context, "text"),
            )
        finally:
            _deadline.reset(token)


def _compile(environment, source: str, field: str):
    try:
        return environment.from_string(source or "")
    except TemplateSyntaxError as exc:
        message = _("Line %(line)s: %(error)s") % {"line": exc.lineno, "error": exc.message}
        raise RenderFailed(fields={field: message}) from None


def _render(template, context: Mapping, field: str) -> str:
    try:
        output = template.render(context)
    except SecurityError as exc:
        raise RenderFailed(
            fields={field: _("Not allowed in a template: %(error)s") % {"error": exc}}
        ) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        raise RenderFailed(fields={field: str(exc) or type(exc).__name__}) from None
    if len(output) > MAX_OUTPUT:
        raise RenderFailed(fields={field: _("The rendered text is too long.")})
    return output


def contact_context(values: Mapping) -> dict:
    """A contact as the template sees it: plain values only; empty fields left out, so
    ``default("朋友")`` applies to a missing and an empty first name alike."""
    return {
        str(key): value
        for key, value in values.items()
        if value not in (None, "") and isinstance(value, str | int | float | bool)
    }


@dataclass(frozen=True)
class Failure:
    key: str
    fields: dict[str, str]


def validate_all(
    template: MessageTemplate, contexts: Iterable[tuple[str, Mapping]], *, limit: int = 100
) -> list[Failure]:
    """Renders ``template`` for every ``(key, context)``; the first ``limit`` failures (empty: all
    render). Campaigns call this before sending anything."""
    failures = []
    for key, context in contexts:
        try:
            template.render(context)
        except RenderFailed as exc:
            failures.append(Failure(key, exc.fields))
            if len(failures) >= limit:
                break
    return failures
