"""Root fixtures: two workspaces (A and B) with a member per role, and API clients per member.

Workspace names mix scripts on purpose: Chinese text must work everywhere.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("NETMARK_TESTING", "true")
os.environ.setdefault("NETMARK_DATA_DIR", tempfile.mkdtemp(prefix="netmark-test-"))
os.environ.setdefault("NETMARK_ALLOW_PRIVATE_ADDRESSES", "false")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from netmark.core import services  # noqa: E402
from netmark.core.roles import Role  # noqa: E402

PASSWORD = "Yunling-tea-2026!"


class Team:
    """A workspace with one member per role and helpers to talk to the API as each."""

    def __init__(self, label: str):
        self.label = label
        owner_user, _ = services.find_or_create_user(f"owner-{label}@example.com", password=PASSWORD)
        self.workspace = services.create_workspace(owner_user, f"云岭茶业 {label} Tea", slug=f"ws-{label}")
        self.members = {Role.OWNER: services.member_for(owner_user, self.workspace.slug)}
        for role in (Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER):
            self.members[role] = services.add_member(
                self.owner, f"{role}-{label}@example.com", role, password=PASSWORD
            )
        self._tokens: dict[str, str] = {}

    @property
    def owner(self):
        return self.members[Role.OWNER]

    def member(self, role: str):
        return self.members[role]

    def token(self, role: str = Role.OWNER) -> str:
        if role not in self._tokens:
            _token, secret = services.create_token(self.members[role], f"test {role}")
            self._tokens[role] = secret
        return self._tokens[role]

    def api(self, role: str = Role.OWNER) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token(role)}")

    def browser_client(self, role: str = Role.OWNER, language: str | None = "en") -> Client:
        """A signed-in client; pages in ``language`` (None: the workspace's default, Chinese here)."""
        client = Client()
        client.force_login(self.members[role].user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client


@pytest.fixture
def team_a(db) -> Team:
    return Team("a")


@pytest.fixture
def team_b(db) -> Team:
    return Team("b")


@pytest.fixture
def owner(team_a):
    return team_a.owner


@pytest.fixture
def api(team_a) -> Client:
    return team_a.api(Role.OWNER)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Full-strength PBKDF2 costs ~0.5 s per password and each team sets four; tests use MD5.

    A test about production hashing sets ``settings.PASSWORD_HASHERS`` itself.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache and token ids repeat across tests: start each test empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_event_store(settings, tmp_path_factory):
    """Each test starts with an empty event store, rate limits, site cache and spool: SQLite files
    in a folder of its own, or the PostgreSQL tables emptied after a test that used them."""
    from netmark.analytics import identity, ratelimit, sites, spool, stores

    data_dir = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = data_dir
    stores.reset_store()
    sites.forget()
    identity.forget_cached_salts()
    ratelimit.limiter.clear()
    spool.discard_counters()
    yield
    store = stores._store
    if store is not None and store.db.dialect == "postgresql" and store._ready:
        store.truncate_all()
    stores.reset_store()
    spool.discard_counters()


@pytest.fixture
def redis_url() -> str:
    """The private Redis that `make check` / `make test` start (scripts/testenv.sh); never skipped."""
    url = os.environ.get("NETMARK_TEST_REDIS_URL", "")
    if not url:
        pytest.fail("NETMARK_TEST_REDIS_URL is not set: run the suite with `make test` or `make check`")
    return url


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English and leaves no language active for the next one, whatever it did."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# Browser tests: Playwright's sync API driving Debian's chromium (no browser download), flags that
# keep chromium off the network, and one folder for the screenshots every page test saves.
SCREENSHOTS = Path(__file__).parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def netmark_cli(capsysbinary, team_a, monkeypatch):
    """Runs ``netmark <line>`` in-process on team A's workspace: (exit code, stdout bytes, stderr text)."""
    import shlex

    from netmark import cli

    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)

    def run_cli(line: str):
        code = cli.main(["--workspace", team_a.workspace.slug, *shlex.split(line)])
        captured = capsysbinary.readouterr()
        return code, captured.out, captured.err.decode()

    return run_cli
