"""Tracked links: UTM-tagged destinations, short links ``/s/<code>`` and QR codes per promotion."""
