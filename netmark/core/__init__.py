"""core: workspaces, members and roles, API tokens, tenancy, audit log, webhooks out, and the few
shared pieces every app uses (one module each): ``scoping`` (the only way to reach workspace-owned
rows), ``roles`` (the permission table), ``errors`` (domain errors mapped to HTTP once in
``netmark/api.py``), ``kpis`` (the KPI registry), ``http`` (the one SSRF-safe outbound client),
``addresses`` (the outbound address policy, also for SMTP / IMAP sockets), ``jobs`` (Huey glue),
``signing`` (purpose-bound signed tokens), ``webhooks`` (signed outbound deliveries), ``money``.

Events written: none. KPIs registered: none (apps register their own).
"""
