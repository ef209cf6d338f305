"""Delivery through the installation email (``NETMARK_SMTP_URL``, else ``var/outbox/``).

One message to the report's recipients, in the report's language, with the PDF attached and the
``X-Netmark-Workspace`` header the outbox filters on. Django encodes non-ASCII subjects (RFC 2047).
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from netmark.core.invitations import WORKSPACE_HEADER


def attachment_name(run) -> str:
    return f"report-{run.report_id}-{run.period_start.isoformat()}.pdf"


def send_run(run) -> None:
    report = run.report
    context = {"report": report, "run": run, "workspace": report.workspace}
    with translation.override(report.language):
        subject = render_to_string("reports/email/subject.txt", context).strip()
        body = render_to_string("reports/email/body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.splitlines()),
        body=body,
        to=list(report.recipients),
        headers={WORKSPACE_HEADER: report.workspace.slug},
    )
    message.attach(attachment_name(run), bytes(run.pdf), "application/pdf")
    message.send()
