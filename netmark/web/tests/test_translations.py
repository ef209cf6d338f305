"""The Simplified Chinese catalogue: complete, faithful to its placeholders, and used by the UI.

The compiled ``.mo`` files are gitignored and built by ``make check`` / ``make run``; the fixture
below compiles them when they are missing or older than the ``.po`` file, so these tests never
depend on an earlier build.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# %(name)s, %s, %d, %%, {count} and HTML tags must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*[sdrfx]|%[sdr]|%%|\{[a-z_]*\}|</?[a-z]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def read_catalogue(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` entries are left out)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if any(line.startswith("msgid ") for line in lines):
            entries.append(_read_entry(lines))
    return entries


def _read_entry(lines: list[str]) -> Entry:
    entry, target = Entry(), None
    for line in lines:
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, text = line.partition(" ")
            target = "msgstr" if keyword.startswith("msgstr") else keyword
            if target == "msgstr":
                entry.msgstrs.append("")
            else:
                setattr(entry, target, "")
            _append(entry, target, ast.literal_eval(text))
    return entry


def _append(entry: Entry, target: str, text: str) -> None:
    if target == "msgstr":
        entry.msgstrs[-1] += text
    elif target in ("msgid", "msgid_plural"):
        setattr(entry, target, getattr(entry, target) + text)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_catalogue(PO_FILE)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(LOCALE_DIR.parent)  # compilemessages also walks the working directory
            call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
        # Changing LOCALE_PATHS makes Django drop the translations it cached without the .mo file.
        with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
            pass
    assert MO_FILE.exists()


def test_the_header_declares_simplified_chinese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert header.msgid == ""
    assert "Language: zh_Hans\n" in header.msgstrs[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstrs[0]
    assert "fuzzy" not in header.flags


def test_every_message_is_translated(catalogue):
    untranslated = [entry.msgid for entry in catalogue[1:] if not all(entry.msgstrs)]
    assert untranslated == []
    assert len(catalogue) > 600


def test_no_message_is_fuzzy(catalogue):
    assert [entry.msgid for entry in catalogue if "fuzzy" in entry.flags] == []


def test_plurals_have_exactly_one_form(catalogue):
    plurals = [entry for entry in catalogue if entry.msgid_plural is not None]
    assert plurals
    assert [entry.msgid for entry in plurals if len(entry.msgstrs) != 1] == []


def test_translations_keep_placeholders_and_tags(catalogue):
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    broken = [
        (entry.msgid, msgstr)
        for entry in catalogue[1:]
        for msgstr in entry.msgstrs
        if placeholders(entry.msgid_plural or entry.msgid) != placeholders(msgstr)
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Dashboard", "概览"),
        ("Plans", "推广计划"),
        ("Promotion plans", "推广计划"),
        ("Channels", "渠道"),
        ("Audiences", "受众"),
        ("Target audiences", "目标受众"),
        ("Budget", "预算"),
        ("Expected results", "预期效果"),
        ("Leads", "线索"),
        ("ROI", "投资回报率（ROI）"),
        ("Workspace", "工作区"),
        ("Members", "成员"),
        ("Role", "角色"),
        ("Owner", "所有者"),
        ("Planner", "策划"),
        ("Implementer", "执行"),
        ("Viewer", "查看者"),
        ("API tokens", "API 令牌"),
        ("Audit log", "审计日志"),
        ("Sign in", "登录"),
    ],
)
def test_key_labels_are_chinese_in_zh_hans(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_plural_messages_are_chinese_in_zh_hans():
    with translation.override("zh-hans"):
        runs = translation.ngettext("%(counter)s run", "%(counter)s runs", 3) % {"counter": 3}
        days = translation.ngettext("Next %(days)s day", "Next %(days)s days", 1) % {"days": 1}
    assert (runs, days) == ("共 3 次", "未来 1 天")


def test_the_navigation_renders_in_chinese(team_a):
    client = team_a.browser_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(f"/w/{team_a.workspace.slug}/").content.decode()
    labels = dict(re.findall(r'data-nav="([a-z.]+)"[^>]*>([^<]*)</a>', html))
    assert (labels["web.dashboard"], labels["planning.plans"]) == ("概览", "推广计划")
    assert '<html lang="zh-hans">' in html
