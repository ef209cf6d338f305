"""Email marketing, the sending core: message building, personalisation, DKIM, SMTP sending,
suppression, one-click unsubscribe, lists and campaigns. Tracking and bounce parsing come later,
on top of the contacts app.

Owns ``SmtpServer``, ``DkimKey`` and ``Suppression``. Public services (``netmark.mailing.services``):
``send_one(server, message, recipient) -> Outcome`` (suppression check, DKIM, throttle, pooled SMTP,
classification), ``is_suppressed`` / ``suppress``, ``make_token`` / ``unsubscribe_url`` and the CRUD
services; ``mime.build_message`` and ``templating.MessageTemplate`` / ``validate_all`` build what is
sent.

Lists and campaigns (``campaign_models``): ``MailingList`` / ``Subscription`` with double opt-in
(``lists``: ``subscribe``, ``confirm``), ``Campaign`` / ``Variant`` / ``Recipient`` (``campaigns``:
``start_campaign``, ``change_status``, ``progress``, ``export_recipients``, ``audience_contacts``;
``delivery``: ``compose``, ``claim``, ``work``, ``recover``; ``abtest``: ``decide``). Jobs in
``tasks``. Writes no events and registers no KPI yet (tracking will: sends, opens, clicks).
"""
