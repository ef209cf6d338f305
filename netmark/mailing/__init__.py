"""Email marketing, the sending core: message building, personalisation, DKIM, SMTP sending,
suppression and one-click unsubscribe; lists with double opt-in and campaigns with A/B tests;
and what comes back: open and click tracking (machines apart), bounces and complaints (VERP,
the aiosmtpd receiver, DSN / ARF, provider webhooks), the deliverability check.

Owns ``SmtpServer``, ``DkimKey`` and ``Suppression``. Public services (``netmark.mailing.services``):
``send_one(server, message, recipient) -> Outcome`` (suppression check, DKIM, throttle, pooled SMTP,
classification), ``is_suppressed`` / ``suppress``, ``make_token`` / ``unsubscribe_url`` and the CRUD
services; ``mime.build_message`` and ``templating.MessageTemplate`` / ``validate_all`` build what is
sent. Feedback services: ``decorate_html``, ``record_sent``, ``campaign_counts``, ``verp.return_path``,
``check_domain``, ``create_hook``. Owns ``MailEvent`` and ``FeedbackHook`` too. Writes ``email_open``,
``email_click``, ``email_bounce_hard`` / ``_soft``, ``email_complaint``, ``email_delivered`` and
``email_unsubscribe`` events (analytics store) and timeline entries.

Lists and campaigns (``campaign_models``): ``MailingList`` / ``Subscription`` with double opt-in
(``lists``: ``subscribe``, ``confirm``), ``Campaign`` / ``Variant`` / ``Recipient`` (``campaigns``:
``start_campaign``, ``change_status``, ``progress``, ``export_recipients``, ``audience_contacts``;
``delivery``: ``compose``, ``claim``, ``work``, ``recover``; ``abtest``: ``decide``;
``campaign_reports``: ``progress``, ``conversions`` (through ``roi.services.content_credit``),
``export_report``). Jobs in ``tasks``. ``composing.compose`` builds every campaign and drip message
(tracking, VERP return path, unsubscribe); ``delivery`` records the ``sent`` row when the relay
takes a message. Drip triggers listen to the contacts app's registry (``on_interaction``,
``on_tags_added``); the notify step emails the contact's owner (``drip_notify``).
"""
