"""Cookieless web analytics: sites, the tracker, ingestion, visitor identity, sessions and reports.

Events live behind the ``EventStore`` of ``analytics/stores/``; nothing outside that package knows
which backend runs.
"""
