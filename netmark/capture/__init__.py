"""Lead capture: forms (hosted page, iframe and script embeds) and landing pages (docs/capture.md).

Owns ``Form``, ``Submission`` and ``LandingPage``. Public services: ``services`` (forms and landing
pages for members), ``submissions.submit`` (the public submission path: spam checks, validation in
the form's language, the contact upsert through ``contacts.services``, consent with proof, the
``form_submission`` timeline entry, identify, webhooks ``form.submitted`` / ``contact.created``)
and the goal event ``form_submitted`` (kind ``event``) it appends to the ``EventStore`` after
commit. Registers no KPI (contacts' ``leads`` counts the contacts forms create).
"""
