"""Email marketing, the sending core: message building, personalisation, DKIM, SMTP sending,
suppression and one-click unsubscribe; and what comes back: open and click tracking (machines apart),
bounces and complaints (VERP, the aiosmtpd receiver, DSN / ARF, provider webhooks), the
deliverability check. Lists and campaigns sit on top of the contacts app.

Owns ``SmtpServer``, ``DkimKey`` and ``Suppression``. Public services (``netmark.mailing.services``):
``send_one(server, message, recipient) -> Outcome`` (suppression check, DKIM, throttle, pooled SMTP,
classification), ``is_suppressed`` / ``suppress``, ``make_token`` / ``unsubscribe_url`` and the CRUD
services; ``mime.build_message`` and ``templating.MessageTemplate`` / ``validate_all`` build what is
sent. Feedback services: ``decorate_html``, ``record_sent``, ``campaign_counts``, ``verp.return_path``,
``check_domain``, ``create_hook``. Owns ``MailEvent`` and ``FeedbackHook`` too. Writes ``email_open``,
``email_click``, ``email_bounce_hard`` / ``_soft``, ``email_complaint``, ``email_delivered`` and
``email_unsubscribe`` events (analytics store) and timeline entries; registers no KPI yet
(campaigns will: emails sent, human opens, clicks, unsubscribes).
"""
