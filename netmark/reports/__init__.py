"""Periodic reports: definitions, runs (HTML and PDF), delivery by email and client share links.

- ``sections``: the section registry. A section is one ``register_section`` call; planning,
  analytics and links sections are registered here (``builtin.py``), roi registers its own.
- ``services``: report definitions (CRUD), runs (period, render, store), the schedule.
- ``rendering`` / ``svgcharts`` / ``pdf``: the HTML document, server-side SVG charts and WeasyPrint.
- ``delivery``: the installation email with the PDF attached.
- ``shares``: signed, expiring, revocable read-only links to one run's HTML.

Writes need Capability.EVALUATE; reads Capability.READ. No events are written, no KPI registered.
"""
