"""The outbound address policy: which addresses netmark may connect to (RELIABILITY.md, SSRF).

Every outbound connection to a user-given host (HTTP through ``core.http``; SMTP, IMAP and other
sockets through ``open_connection``) resolves the host once, checks every answer here, and connects
to a checked address, so a DNS answer that changes after the check cannot be used.

Refused: anything Python does not call global, plus shared address space 100.64.0.0/10 (where
Alibaba Cloud's metadata 100.100.100.200 lives), and IPv6 forms that reach IPv4 (mapped, NAT64,
6to4) when the IPv4 address inside is refused. Host names written as numbers in any form a C library
accepts (127.1, 2130706433, 0x7f000001, 0177.0.0.1) are parsed as the addresses they are.
Operators may allow private ranges (``NETMARK_ALLOW_PRIVATE_ADDRESSES``); link-local (cloud
metadata), multicast and reserved ranges stay refused even then.
"""

import logging
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from django.conf import settings

security_log = logging.getLogger("netmark.security")

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[str]]

# Python's ``is_global`` misses these: shared address space (100.64.0.0/10, where Alibaba Cloud's
# metadata service 100.100.100.200 lives) and local-use NAT64.
EXTRA_PRIVATE = (ip_network("100.64.0.0/10"), ip_network("64:ff9b:1::/48"))
# Never reachable, not even when an operator allows private ranges: "this network", link-local
# (cloud metadata 169.254.169.254), multicast, reserved and broadcast, IPv4-compatible and
# IPv4-translated IPv6, site-local IPv6, and the well-known metadata addresses.
NEVER = (
    ip_network("0.0.0.0/8"),
    ip_network("169.254.0.0/16"),
    ip_network("224.0.0.0/4"),
    ip_network("240.0.0.0/4"),
    ip_network("100.100.100.200/32"),
    ip_network("::/96"),
    ip_network("::ffff:0:0:0/96"),
    ip_network("fe80::/10"),
    ip_network("fec0::/10"),
    ip_network("ff00::/8"),
    ip_network("fd00:ec2::254/128"),
)
NAT64 = ip_network("64:ff9b::/96")
_INET_ATON_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


class OutboundError(Exception):
    """An outbound request failed: unreachable, refused, timed out, too large or malformed."""


class OutboundBlocked(OutboundError):
    """The policy refused the URL or an address it resolved to. Nothing was sent."""


class BlockedAddress(OutboundBlocked):
    def __init__(self, address: IPAddress, reason: str):
        self.address, self.reason = address, reason
        super().__init__(f"{address} is a {reason} address")


def escape(text: str) -> str:
    """``text`` with CR, LF and other control characters escaped, safe for one log line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(text))


def refuse(error: OutboundBlocked, target: str) -> OutboundBlocked:
    """Logs the refusal on ``netmark.security`` (one escaped line) and returns ``error`` to raise."""
    security_log.warning("outbound_refused target=%s reason=%s", escape(target), escape(str(error)))
    return error


def system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses outbound connections may reach.

    ``allow_private`` admits private, loopback and shared ranges (operators, tests);
    ``allowed_networks`` admits exactly these networks (e.g. one internal receiver). Neither admits
    the ``NEVER`` ranges. ``resolver`` maps a host name to addresses (a stub in tests).
    """

    allow_private: bool = False
    allowed_networks: tuple = ()
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def from_settings(cls, allow_private: bool | None = None, **options) -> "AddressPolicy":
        if allow_private is None:
            allow_private = settings.ALLOW_PRIVATE_ADDRESSES
        networks = tuple(ip_network(net) for net in options.pop("allowed_networks", ()))
        return cls(allow_private=allow_private, allowed_networks=networks, **options)


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through mapping, NAT64 or 6to4, if any."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def classify(address: IPAddress) -> str | None:
    """None for a global address, else ``"private"`` (allowable) or ``"reserved"`` (never)."""
    if address.is_loopback:
        return "private"
    if _within(address, NEVER) or address.is_multicast or address.is_unspecified:
        return "reserved"
    if address.is_link_local or address.is_reserved:
        return "reserved"
    if not address.is_global or _within(address, EXTRA_PRIVATE):
        return "private"
    return None


def check_address(address, *, allow_private: bool = False, allowed_networks: Iterable = ()) -> None:
    """Raise ``BlockedAddress`` unless a connection to ``address`` is allowed. Opens no socket."""
    address = ip_address(address) if isinstance(address, str) else address
    inner = embedded_ipv4(address)
    if inner is not None:
        return check_address(inner, allow_private=allow_private, allowed_networks=allowed_networks)
    reason = classify(address)
    if reason is None:
        return None
    if reason == "private" and (allow_private or _within(address, allowed_networks)):
        return None
    raise BlockedAddress(address, reason)


def _within(address: IPAddress, networks: Iterable) -> bool:
    return any(address in network for network in networks if network.version == address.version)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form a C library accepts (127.1, 2130706433, 0x7f000001,
    0177.0.0.1, [::ffff:127.0.0.1]); None for a host name."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return ip_address(host)
    except ValueError:
        return _inet_aton(host)


def _inet_aton(host: str) -> IPv4Address | None:
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.fullmatch(part) for part in parts):
        return None
    values = [_inet_aton_number(part) for part in parts]
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (5 - len(parts)):
        return None
    return IPv4Address(sum(value << (8 * (3 - index)) for index, value in enumerate(head)) + last)


def _inet_aton_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    return int(part, 8) if part.startswith("0") else int(part)


def resolve_and_check(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """The checked addresses of ``host``. If any answer is refused, the whole host is refused."""
    literal = parse_ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ip_address(answer) for answer in policy.resolver(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise OutboundError(f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise OutboundError(f"cannot resolve {host}")
    for address in addresses:
        try:
            check_address(
                address, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
            )
        except BlockedAddress as exc:
            raise refuse(exc, f"{_host_port(host, port)} -> {address}") from None
    return list(dict.fromkeys(addresses))


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def open_connection(
    host: str, port: int, *, timeout: float, policy: AddressPolicy | None = None
) -> socket.socket:
    """A TCP socket connected to a checked address of ``host`` (for SMTP, IMAP and other protocols)."""
    error: OSError = OSError(f"cannot connect to {host}:{port}")
    for address in resolve_and_check(host, port, policy or AddressPolicy.from_settings()):
        try:
            return socket.create_connection((str(address), port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise OutboundError(f"cannot connect to {_host_port(host, port)}: {error}")
