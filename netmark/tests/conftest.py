"""The network rule for the walkers: they call every route with generated URLs, so a socket may reach
loopback only and host names other than localhost do not resolve (no DNS query leaves the machine)."""

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host).lower() == "localhost" or str(host).lower().endswith(".localhost")


def _checked(sock, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"tests may connect to loopback only, not {address[0]}")


def _connect(sock, address):
    _checked(sock, address)
    return _real_connect(sock, address)


def _connect_ex(sock, address):
    _checked(sock, address)
    return _real_connect_ex(sock, address)


def _getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(host.decode() if isinstance(host, bytes) else host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests resolve no host names but localhost ({host})")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _getaddrinfo)
