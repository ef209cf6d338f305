"""Email marketing, the sending core: message building, personalisation, DKIM, SMTP sending,
suppression and one-click unsubscribe. Lists, campaigns, tracking and bounce parsing come later,
on top of the contacts app.

Owns ``SmtpServer``, ``DkimKey`` and ``Suppression``. Public services (``netmark.mailing.services``):
``send_one(server, message, recipient) -> Outcome`` (suppression check, DKIM, throttle, pooled SMTP,
classification), ``is_suppressed`` / ``suppress``, ``make_token`` / ``unsubscribe_url`` and the CRUD
services; ``mime.build_message`` and ``templating.MessageTemplate`` / ``validate_all`` build what is
sent. Writes no events and registers no KPI yet (campaigns will: emails sent, unsubscribes).
"""
