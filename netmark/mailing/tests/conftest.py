import pytest

from netmark.mailing import sending
from netmark.mailing.models import SmtpServer
from netmark.mailing.tests import smtpd


@pytest.fixture
def smtp_server():
    with smtpd.SmtpServer() as server:
        yield server
    sending.close_connections()


@pytest.fixture
def loopback_allowed(settings):
    """Tests allow loopback explicitly (ARCHITECTURE.md, outbound address policy)."""
    settings.ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def server_row(team_a, smtp_server, loopback_allowed):
    return SmtpServer.unscoped.create(
        workspace=team_a.workspace,
        name="本地测试",
        host="127.0.0.1",
        port=smtp_server.port,
        security="none",
        from_email="news@yunling-tea.example",
        from_name="云岭茶业",
        per_second=1000,
    )
