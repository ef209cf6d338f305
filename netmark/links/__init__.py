"""Tracked links: UTM-tagged destinations per promotion x channel, short links ``/s/<code>`` and QR codes.

Owns ``Link`` (destination, UTM five, installation-wide short code), ``UtmMapping`` (raw UTM values
-> promotion and channel) and ``LinkConventions`` (a workspace's UTM naming rules).
Public services (``netmark.links.services``): ``create_link`` / ``update_link`` / ``delete_link``,
``list_links``, ``get_link``, ``resolve_code``, ``short_url``, ``qr_url``, the mapping services and
``resolve_promotion(workspace_id, utm_source, utm_medium, utm_campaign) -> (plan id, channel id)``.
Events: each ``/s/<code>`` visit is handed to ``netmark.analytics.services.record_click`` (a click,
or a QR scan with ``?qr=1``); counts come back through ``link_click_counts``. Registers no KPI yet.
"""
