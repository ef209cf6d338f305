"""ISO for the web pages: every route of the URL configuration walked as each role of workspace B.

Workspace A is filled through the API (a canary in every text field) plus the records only pages
make. Under ``/w/<slug>/``, A's slug answers B's members exactly like a workspace that does not exist
(404; 405 or a redirect where any slug gets one), A's ids under B's slug exactly like ids that exist
nowhere, never 2xx, and B's own pages never show A's canary; afterwards A's rows are unchanged.
Routes outside ``/w/`` are read for the canary; those that need a parameter the walker cannot fill
must be on ``NOT_WALKED`` with the reason.
"""

import io

import pytest
from django.test import Client
from PIL import Image

from netmark.capture import page_images
from netmark.capture.models import LandingPage
from netmark.core import invitations
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.mailing import drip_services
from netmark.mailing import services as mailing
from netmark.tests.apiwalk import text_of
from netmark.tests.seeding import seed_everything
from netmark.tests.snapshots import dump
from netmark.tests.urlwalk import Route, Unfillable, routes, values_for

pytestmark = pytest.mark.django_db

WORKSPACE_PREFIX = "w/<slug:slug>/"
# Routes the page walk leaves out, by prefix, with the reason.
NOT_WALKED = {
    "api/v1/": "the API walk covers it (test_isolation.py)",
    "admin/": "installation operators only (Django admin, staff accounts)",
    "feeds/<str:token>.ics": "public calendar feed, authorised by its signed token (TOKEN)",
    "invitations/<str:token>/": "public invitation link, authorised by its signed token (TOKEN)",
    "password-reset/<uidb64>/<token>/": "Django's signed password-reset link (AUTH)",
    "s/<str:code>": "public short link; it redirects only to what netmark recorded (REDIRECT)",
    "mail/unsubscribe/<str:token>/": "public one-click unsubscribe, authorised by its signed token (UNSUB)",
    "mail/confirm/<str:token>/": "public double opt-in confirmation, authorised by its signed token (TOKEN)",
    "mail/preferences/<str:token>/": "public preference centre, authorised by the unsubscribe token (TOKEN);"
    " it reads and writes only the token's own address in the token's workspace (test_preferences.py)",
    "r/<str:token>/": "public report share link, authorised by its signed token (TOKEN)",
    "mail/t/": "public open pixel, click redirect and honeypot, authorised by signed tokens (TOKEN)",
    "mail/hooks/": "provider webhooks, POST only, authorised by the provider's signature (HOOK-IN)",
    "f/<str:public_id>/": "public forms, reached by their unguessable public id (TOKEN); capture's tests"
    " cover unknown ids and that a form writes only its own workspace",
    "p/<slug:workspace_slug>/<slug:page_slug>/": "published landing pages are public by design; unpublished"
    " ones answer 404 like unknown ones (capture's tests)",
}
# Parameters that identify a team's record although they are not integer ids.
TEAM_KEYS = {"key"}


def seed_page_only_records(team, label: str) -> None:
    """Records no API route creates but pages show."""
    invitations.send_invitation(team.owner, f"canary-{label}-invited@example.com", Role.VIEWER)
    mailing.create_hook(team.owner, provider="mailgun", secret=f"canary-{label}-mailgun-signing-key")
    sequence = drip_services.create_sequence(
        team.owner, name=f"canary-{label}-sequence", trigger="tag", trigger_value=f"canary-{label}-tag"
    )
    drip_services.add_step(team.owner, sequence.pk, "notify", {"text": f"canary-{label}-note"})
    page = scoped(LandingPage, team.workspace).first()
    if page is not None:  # an uploaded image (its own route serves it)
        picture = io.BytesIO()
        Image.new("RGB", (8, 8), (10, 120, 60)).save(picture, format="PNG")
        page_images.set_page_image(team.owner, page.pk, picture.getvalue())


def browser(team, role: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(team.member(role).user)
    return client


def not_walked(route: Route) -> bool:
    return any(route.route.startswith(prefix) for prefix in NOT_WALKED)


class PageWalk:
    def __init__(self, team_a, team_b, role, seeders):
        self.a, self.b, self.role = team_a, team_b, role
        self.seed_a, self.seed_b = seeders
        self.client = browser(team_b, role)
        self.problems: list[str] = []

    def fail(self, url: str, message: str, response) -> None:
        self.problems.append(f"{url} as B's {self.role}: {message} (got {response.status_code})")

    def read(self, url: str, client: Client | None = None) -> None:
        response = (client or self.client).get(url)
        if response.status_code >= 500:
            self.fail(url, "server error", response)
        if "canary-a" in text_of(response).lower():
            self.fail(url, "shows A's canary", response)

    def workspace_route(self, route: Route) -> None:
        """A's slug answers like a workspace that does not exist; so do A's ids under B's slug."""
        in_a = values_for(route, self.a, self.seed_a)
        self.compare(route, in_a, {**in_a, "slug": "no-such-workspace"}, "A's workspace")
        if not (route.id_params or TEAM_KEYS & {name for name, _c in route.params}):
            self.read(route.fill(values_for(route, self.b, self.seed_b)))
            return
        unknown = values_for(route, self.b, self.seed_b, unknown_ids=True)
        unknown.update({name: "no-such-record" for name in TEAM_KEYS & unknown.keys()})
        self.compare(route, {**in_a, "slug": self.b.workspace.slug}, unknown, "A's ids under B's workspace")

    def compare(self, route: Route, foreign: dict, unknown: dict, what: str) -> None:
        for method in ("get", "post"):
            response = getattr(self.client, method)(route.fill(foreign))
            control = getattr(self.client, method)(route.fill(unknown))
            url = f"{method.upper()} {route.fill(foreign)}"
            if response.status_code < 300:
                self.fail(url, f"{what} must not answer 2xx", response)
            if response.status_code != control.status_code:
                self.fail(url, f"{what} answers unlike unknown ones ({control.status_code})", response)
            if "canary-a" in text_of(response).lower():
                self.fail(url, "shows A's canary", response)

    def other_route(self, route: Route) -> None:
        try:
            url = route.fill(values_for(route, self.a, self.seed_a))
        except Unfillable as exc:
            self.problems.append(f"{route.route}: {exc}; or add it to NOT_WALKED with the reason")
            return
        self.read(url, browser(self.b, self.role))  # a fresh session: some routes sign out


def owner_reaches_own_pages(team, seeder) -> list[str]:
    """Guards against a vacuous pass: A's owner reaches every page filled with A's ids."""
    client, problems = browser(team, Role.OWNER), []
    for route in routes():
        if route.route.startswith(WORKSPACE_PREFIX) and route.id_params:
            url = route.fill(values_for(route, team, seeder))
            status = client.get(url).status_code
            if status == 404 or status >= 500:
                problems.append(f"{url} as A's owner answered {status}")
    return problems


@pytest.fixture
def outbox_on_disk(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"


@pytest.mark.parametrize("role", Role.values)
def test_workspace_b_cannot_reach_workspace_a_through_any_page(team_a, team_b, role, outbox_on_disk):
    seed_a, problems = seed_everything(team_a, "a")
    seed_b, problems_b = seed_everything(team_b, "b")
    seed_page_only_records(team_a, "a")
    seed_page_only_records(team_b, "b")
    seed_a.frozen = True
    walk = PageWalk(team_a, team_b, role, (seed_a, seed_b))
    try:
        problems += problems_b + owner_reaches_own_pages(team_a, seed_a)
        before = dump(team_a.workspace)
        for route in routes():
            if route.route.startswith(WORKSPACE_PREFIX):
                walk.workspace_route(route)
            elif not not_walked(route):
                walk.other_route(route)
    except Unfillable as exc:
        problems.append(str(exc))
    problems += walk.problems
    assert problems == [], "\n".join(problems)
    assert dump(team_a.workspace) == before
