"""Every translatable string in the source has its Simplified Chinese translation.

makemessages runs over a throw-away copy of the package (so the real catalogue is not touched); the
merged catalogue it writes must hold no untranslated or fuzzy entry. A new string in code fails this
test until it is translated in netmark/locale/zh_Hans/LC_MESSAGES/django.po.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import netmark

PACKAGE = Path(netmark.__file__).parent
IGNORED = shutil.ignore_patterns("tests", "tests_*", "vendor", "__pycache__", "*.mo", "migrations")


def test_every_source_string_has_a_chinese_translation(tmp_path):
    copy = tmp_path / "netmark"
    shutil.copytree(PACKAGE, copy, ignore=IGNORED)
    env = {**os.environ, "NETMARK_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(PACKAGE.parent)}
    command = [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
               "--settings=netmark.settings"]  # fmt: skip
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    statistics = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, "locale/zh_Hans/LC_MESSAGES/django.po"],
        cwd=copy, capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    missing = subprocess.run(
        ["msgattrib", "--untranslated", "locale/zh_Hans/LC_MESSAGES/django.po"],
        cwd=copy, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "untranslated" not in statistics and "fuzzy" not in statistics, (
        f"{statistics}\nTranslate these in netmark/locale:\n{missing}"
    )
