"""SSRF: the address policy decides on the resolved address, at connect time, on every hop.

The corpus is decided by the policy with a stub resolver and opens no socket. The canary on
127.0.0.2 proves the decision holds on real connections (loopback only): it accepts 0 connections
while private addresses are refused, and it is reached when they are allowed, so the test is not
empty. See RELIABILITY.md, SSRF.
"""

from ipaddress import ip_address

import pytest

from netmark.core import addresses, http
from netmark.core.tests.servers import free_port_pair, security_log, serving

STUB_DNS = {
    "localhost": ["127.0.0.1"],
    "localhost.": ["127.0.0.1", "::1"],
    "metadata.google.internal": ["169.254.169.254"],
    "aliyun-metadata.test": ["100.100.100.200"],
    "mixed.test": ["93.184.216.34", "10.0.0.1"],
    "v6-loopback.test": ["::1"],
    "mapped-private.test": ["::ffff:10.0.0.1"],
    "nat64-loopback.test": ["64:ff9b::7f00:1"],
    "intranet.test": ["192.168.0.10"],
    "example.test": ["93.184.216.34"],
    "dual.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "xn--fsqu00a.xn--0zwm56d": ["1.1.1.1"],  # 例子.测试
}


class StubResolver:
    def __init__(self, answers: dict[str, list[str]]):
        self.answers, self.calls = answers, []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise OSError(f"stub resolver: {host} is unknown")
        return list(self.answers[host])


def policy(allow_private=False, answers=STUB_DNS, **options) -> http.AddressPolicy:
    return http.AddressPolicy.from_settings(allow_private, resolver=StubResolver(answers), **options)


REFUSED = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://127.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.0.0.1/",
    "http://017700000001/",
    "http://0/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[::7f00:1]/",
    "http://[::ffff:0:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://[::ffff:169.254.169.254]/",
    "http://100.100.100.200/latest/meta-data/",
    "http://100.64.0.1/",
    "http://10.0.0.1/",
    "http://10.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1:8080/",
    "http://192.0.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[fd00::]/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[fd00:ec2::254]/",
    "http://[2001:db8::1]/",
    "http://localhost/",
    "http://localhost./",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://aliyun-metadata.test/",
    "http://mixed.test/",
    "http://v6-loopback.test/",
    "http://mapped-private.test/",
    "http://nat64-loopback.test/",
    "https://intranet.test/",
]
BAD_SCHEMES = [
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/_HELO",
    "ftp://example.test/",
    "dict://127.0.0.1:11211/stats",
    "ldap://127.0.0.1/",
    "javascript:alert(1)",
    "http:///no-host",
    "http://0177.0.0.1/",
]
ALLOWED = {
    "http://93.184.216.34/": ["93.184.216.34"],
    "https://example.test/": ["93.184.216.34"],
    "https://dual.test:8443/": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "http://例子.测试/": ["1.1.1.1"],
    "http://[2606:4700:4700::1111]/": ["2606:4700:4700::1111"],
    "http://[64:ff9b::808:808]/": ["64:ff9b::808:808"],
    "http://[2002:808:808::]/": ["2002:808:808::"],
    "http://134744072/": ["8.8.8.8"],
}


def test_the_corpus_has_at_least_forty_refused_forms():
    assert len(REFUSED) + len(BAD_SCHEMES) >= 40


@pytest.mark.parametrize("url", REFUSED)
def test_policy_refuses_internal_address_forms(url):
    with pytest.raises(http.OutboundBlocked):
        http.addresses_for(url, policy())


@pytest.mark.parametrize("url", BAD_SCHEMES)
def test_policy_refuses_other_schemes_and_malformed_urls(url):
    with pytest.raises(http.OutboundBlocked):
        http.addresses_for(url, policy())


@pytest.mark.parametrize(("url", "addresses"), ALLOWED.items())
def test_policy_allows_global_addresses(url, addresses):
    assert http.addresses_for(url, policy()) == [ip_address(a) for a in addresses]


@pytest.mark.parametrize(
    "url", ["http://127.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://0x7f000001/"]
)
def test_address_literals_are_parsed_without_asking_the_resolver(url):
    stub = policy()
    with pytest.raises(http.OutboundBlocked):
        http.addresses_for(url, stub)
    assert stub.resolver.calls == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("example.test", None),
        ("1.2.3.4.5", None),
        ("08.0.0.1", None),
        ("1.256.0.0", None),
    ],
)
def test_ip_literals_parse_like_the_c_library(text, expected):
    parsed = http.parse_ip_literal(text)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    "address", ["10.0.0.1", "127.0.0.2", "::1", "fd00::1", "100.64.0.1", "192.168.1.1", "::ffff:10.0.0.1"]
)
def test_operators_may_allow_private_ranges(address):
    assert http.check_address(address, allow_private=True) is None
    with pytest.raises(http.BlockedAddress):
        http.check_address(address)


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "100.100.100.200", "0.0.0.0", "fe80::1", "224.0.0.1", "fd00:ec2::254", "::7f00:1"],  # noqa: S104
)
def test_metadata_link_local_and_reserved_addresses_are_never_allowed(address):
    with pytest.raises(http.BlockedAddress) as refused:
        http.check_address(address, allow_private=True)
    assert refused.value.reason == "reserved"


def test_an_allowed_network_admits_only_itself():
    narrow = policy(allowed_networks=["127.0.0.1/32"])
    assert http.resolve_and_check("127.0.0.1", 80, narrow) == [ip_address("127.0.0.1")]
    with pytest.raises(http.BlockedAddress):
        http.resolve_and_check("127.0.0.2", 80, narrow)


def test_refusals_are_logged_with_line_breaks_escaped():
    with security_log() as log, pytest.raises(http.OutboundBlocked):
        http.resolve_and_check(
            "evil\r\ninjected.test", 80, policy(answers={"evil\r\ninjected.test": ["10.0.0.1"]})
        )
    assert log.lines == [
        r"outbound_refused target=evil\r\ninjected.test:80 -> 10.0.0.1 reason=10.0.0.1 is a private address"
    ]


def test_unresolvable_host_is_an_error_not_a_block():
    with pytest.raises(http.OutboundError) as failed:
        http.addresses_for("http://nowhere.test/", policy())
    assert not isinstance(failed.value, http.OutboundBlocked)


# --- real connections, loopback only: the canary listens on 127.0.0.2 ------------------------------


def redirect_to(location: str):
    def respond(request):
        request.answer(302, b"", {"Location": location})

    return respond


def canary_answer(request):
    request.answer(200, b"canary reached")


ONLY_FIRST_HOP = ["127.0.0.1/32"]
CANARY_FORMS = ["127.0.0.2", "127.2", "2130706434", "0x7f000002", "[::ffff:127.0.0.2]", "[::ffff:7f00:2]"]


@pytest.fixture
def canary():
    with serving(canary_answer, host="127.0.0.2") as server:
        yield server


def test_canary_is_refused_directly_when_private_addresses_are_not_allowed(settings, canary):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    with security_log() as log, pytest.raises(http.BlockedAddress):
        http.fetch(canary.url())
    assert canary.connections == 0
    assert len(log.records) == 1


@pytest.mark.parametrize("form", CANARY_FORMS)
def test_redirect_to_the_canary_is_refused_at_the_second_hop(settings, canary, form):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    with (
        serving(redirect_to(f"http://{form}:{canary.port}/secret")) as first,
        pytest.raises(http.BlockedAddress),
    ):
        http.fetch(
            first.url("/start"), policy=http.AddressPolicy.from_settings(allowed_networks=ONLY_FIRST_HOP)
        )
    assert [r.path for r in first.requests] == ["/start"]
    assert canary.connections == 0


@pytest.mark.parametrize("form", CANARY_FORMS)
def test_with_private_addresses_allowed_the_redirect_reaches_the_canary(settings, canary, form):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    with serving(redirect_to(f"http://{form}:{canary.port}/secret")) as first:
        response = http.fetch(first.url("/start"))
    assert (response.status, response.body) == (200, b"canary reached")
    assert canary.connections == 1
    assert [r.path for r in canary.requests] == ["/secret"]


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "gopher://127.0.0.2:{port}/_x", "ftp://127.0.0.2:{port}/"]
)
def test_redirect_to_another_scheme_is_refused(settings, canary, target):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    with serving(redirect_to(target.format(port=canary.port))) as first, pytest.raises(http.OutboundBlocked):
        http.fetch(first.url())
    assert canary.connections == 0


class RebindingResolver(StubResolver):
    """A name whose first DNS answer is ``first`` and every later answer ``then``."""

    def __init__(self, first: str, then: str):
        super().__init__({})
        self.first, self.then = first, then

    def __call__(self, host, port):
        self.calls.append(host)
        return [self.first if len(self.calls) == 1 else self.then]


@pytest.fixture
def rebinding_pair():
    """An allowed server on 127.0.0.1 and the canary on 127.0.0.2, on the same port."""
    port = free_port_pair()
    with (
        serving(canary_answer, host="127.0.0.2", port=port) as canary,
        serving(redirect_to(f"http://rebind.test:{port}/secret"), port=port) as first,
    ):
        yield first, canary


def test_dns_answer_changing_to_the_canary_between_hops_is_refused(settings, rebinding_pair):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    first, canary = rebinding_pair
    resolver = RebindingResolver("127.0.0.1", "127.0.0.2")
    guarded = http.AddressPolicy.from_settings(allowed_networks=ONLY_FIRST_HOP, resolver=resolver)
    with pytest.raises(http.BlockedAddress):
        http.fetch(f"http://rebind.test:{first.port}/start", policy=guarded)
    assert resolver.calls == ["rebind.test", "rebind.test"]
    assert [r.path for r in first.requests] == ["/start"]
    assert canary.connections == 0


def test_dns_rebinding_reaches_the_canary_when_private_addresses_are_allowed(settings, rebinding_pair):
    first, canary = rebinding_pair
    resolver = RebindingResolver("127.0.0.1", "127.0.0.2")
    response = http.fetch(
        f"http://rebind.test:{first.port}/start",
        policy=http.AddressPolicy(allow_private=True, resolver=resolver),
    )
    assert response.body == b"canary reached"
    assert canary.connections == 1


def test_the_socket_connects_to_the_address_that_was_checked(settings, rebinding_pair):
    first, canary = rebinding_pair
    resolver = RebindingResolver("127.0.0.1", "127.0.0.2")
    guarded = http.AddressPolicy.from_settings(allowed_networks=ONLY_FIRST_HOP, resolver=resolver)
    response = http.fetch(f"http://rebind.test:{first.port}/start", policy=guarded, follow_redirects=False)
    assert response.status == 302
    assert resolver.calls == ["rebind.test"]
    assert canary.connections == 0


# --- other protocols (SMTP, IMAP) connect through the same policy ---------------------------------


@pytest.mark.parametrize("form", ["127.0.0.2", "2130706434", "127.2", "::ffff:127.0.0.2"])
def test_a_socket_to_the_canary_is_refused(settings, canary, form):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(addresses.BlockedAddress):
        addresses.open_connection(form, canary.port, timeout=1)
    assert canary.connections == 0


def test_a_socket_reaches_the_canary_when_private_addresses_are_allowed(settings, canary):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    with addresses.open_connection("127.0.0.2", canary.port, timeout=1) as connection:
        connection.sendall(b"GET /smtp-probe HTTP/1.0\r\n\r\n")
        assert connection.recv(1024).startswith(b"HTTP/1.0 200")
    assert canary.connections == 1
