"""netmark: a self-hosted network-marketing system.

One Django project; one app per domain (see docs/architecture.md). The embedded default runs on
SQLite under ``NETMARK_DATA_DIR`` with an in-process Huey consumer.
"""

__version__ = "0.1.0"
