"""planning: the channel catalogue, a workspace's channel accounts, promotion plans with expected
results per KPI and budgets per channel, schedules (one-off or RRULE) with occurrences, the
calendar and its iCalendar feed.

Public services: see ``netmark.planning.services``. KPIs registered: ``budget``, ``planned_cost``.
Webhooks emitted: ``plan.created``, ``plan.status_changed``.
"""
