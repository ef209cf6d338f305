"""The shipped tracker script as a file: its size budget, no browser storage, valid JavaScript, and
built from its readable source by the command the source documents (terser, pinned in package.json).

Its behaviour in a browser is tested in ``test_tracker_browser.py``.
"""

import gzip
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ANALYTICS = Path(__file__).resolve().parents[1]
REPOSITORY = ANALYTICS.parents[1]
SHIPPED = ANALYTICS / "static" / "analytics" / "netmark.js"
SOURCE = ANALYTICS / "tracker" / "netmark.src.js"
TERSER = REPOSITORY / "node_modules" / ".bin" / "terser"

# Umami's tracker is 2.2 KB gzipped and Plausible's 2.7 KB; ours stays under 1.5 KB.
GZIP_BUDGET = 1536

# Every way a script could keep state in the browser (case-insensitive); both files must avoid them.
STORAGE_APIS = ("cookie", "localstorage", "sessionstorage", "indexeddb", "opendatabase", "caches.")


def test_gzipped_size_is_within_budget():
    data = SHIPPED.read_bytes()
    assert len(gzip.compress(data, 9)) <= GZIP_BUDGET, (len(data), len(gzip.compress(data, 9)))


@pytest.mark.parametrize("path", [SHIPPED, SOURCE], ids=["shipped", "source"])
def test_script_uses_no_browser_storage(path):
    text = path.read_text(encoding="utf-8").lower()
    assert [api for api in STORAGE_APIS if api in text] == []


@pytest.mark.parametrize("path", [SHIPPED, SOURCE], ids=["shipped", "source"])
def test_script_parses(path):
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_shipped_script_speaks_the_wire_format():
    text = SHIPPED.read_text(encoding="utf-8")
    for fragment in (
        '"/api/event"',
        '"text/plain"',
        '"pageview"',
        '"Outbound Link: Click"',
        '"File Download"',
    ):
        assert fragment in text
    assert "\n" not in text.strip(), "the shipped file is minified"


def _documented_build_command() -> list[str]:
    """The terser command written in the source's header comment, run here exactly as documented."""
    match = re.search(r"^ \*   (node_modules/\.bin/terser .+)$", SOURCE.read_text(encoding="utf-8"), re.M)
    assert match, "the source documents its build command"
    command = shlex.split(match.group(1))
    assert command[-2:] == ["-o", str(SHIPPED.relative_to(REPOSITORY))]
    return command


def test_shipped_script_is_built_from_the_source(tmp_path):
    if not TERSER.exists():
        pytest.fail("terser is missing: run `npm ci` (or `make assets`) at the repository root")
    command = _documented_build_command()
    built = tmp_path / "netmark.js"
    subprocess.run([*command[:-1], str(built)], cwd=REPOSITORY, check=True, capture_output=True, timeout=120)
    assert SHIPPED.read_bytes() == built.read_bytes(), (
        "netmark.js is stale: rebuild it with the command in netmark/analytics/tracker/netmark.src.js"
    )
