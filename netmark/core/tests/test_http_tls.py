"""HTTPS through the guarded client: certificates are verified, the address is checked first."""

import ssl
import subprocess

import pytest

from netmark.core import http
from netmark.core.tests.servers import serving


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with Debian's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


@pytest.fixture
def https_server(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    with serving(lambda request: request.answer(200, "加密".encode()), tls=context) as server:
        yield server


def test_an_untrusted_certificate_is_refused(settings, https_server):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    with pytest.raises(http.OutboundError, match="CERTIFICATE_VERIFY_FAILED") as failed:
        http.fetch(https_server.url())
    assert not isinstance(failed.value, http.OutboundBlocked)
    assert https_server.requests == []


def test_an_operator_ca_file_is_trusted(settings, monkeypatch, certificate, https_server):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    response = http.fetch(https_server.url("/secure"))
    assert (response.status, response.body) == (200, "加密".encode())
    assert [r.path for r in https_server.requests] == ["/secure"]


def test_the_address_is_checked_before_any_handshake(settings, https_server):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(http.BlockedAddress):
        http.fetch(https_server.url())
    assert https_server.connections == 0
