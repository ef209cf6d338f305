"""web: the base layout, navigation, sign-in and account pages, the workspace dashboard, the
workspace settings pages (core's members, invitations, API tokens, webhooks, audit log, outbox:
core imports no other app, so its pages live here) and the shared UI pieces.

For other apps' pages:
- ``netmark.web.access.workspace_page(capability)`` guards views under ``/w/<slug>/`` (404 for
  non-members, 403 page for the wrong role), sets ``request.member`` and runs the view in the
  workspace's time zone.
- ``netmark.web.navigation.register_nav(key, label, url_name, capability, order, group=...)`` from
  ``AppConfig.ready()`` adds a left-navigation entry.
- Templates extend ``web/base.html`` (blocks ``title``, ``page_title``, ``actions``, ``content``,
  ``extra_js``) and include ``web/includes/form.html``, ``pagination.html`` and ``empty.html``;
  the CSS classes are listed at the top of ``static/web/app.css``. JavaScript goes in static
  files (strict CSP); ECharts is ``{% static 'echarts/echarts.min.js' %}`` (``make assets``).

Events written: none. KPIs registered: none.
"""
