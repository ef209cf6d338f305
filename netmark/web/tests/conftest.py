"""Web test helpers: a clean rate-limit cache per test, real sign-ins, and a file outbox."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD


@pytest.fixture(autouse=True)
def clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(email: str, password: str = PASSWORD, client: Client | None = None, **extra) -> Client:
    """A client signed in through the sign-in page (not ``force_login``), so sessions are real."""
    if client is None:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assertions read the English texts
    response = client.post("/sign-in/", {"email": email, "password": password}, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def file_outbox(settings, tmp_path):
    """Installation email written to files in a temporary folder, as in the embedded default."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return tmp_path / "outbox"
