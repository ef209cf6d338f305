"""Test environment, loaded with ``-p`` (pyproject.toml) before pytest-django imports the settings.

pytest-django loads ``netmark.settings`` while pytest reads its initial conftest files, so variables
set in the root ``conftest.py`` come too late for settings read at import (TESTING, DATA_DIR, the
Huey immediate mode). A ``-p`` plugin is imported before that.
"""

import os
import tempfile

os.environ.setdefault("NETMARK_TESTING", "true")
os.environ.setdefault("NETMARK_DATA_DIR", tempfile.mkdtemp(prefix="netmark-test-"))
os.environ.setdefault("NETMARK_ALLOW_PRIVATE_ADDRESSES", "false")

# Under pytest-xdist every worker inherits the controller's folder: give each its own, so no two
# workers share a secret key file, a job database or an event store.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["NETMARK_DATA_DIR"] = os.path.join(os.environ["NETMARK_DATA_DIR"], worker)
    os.makedirs(os.environ["NETMARK_DATA_DIR"], exist_ok=True)
