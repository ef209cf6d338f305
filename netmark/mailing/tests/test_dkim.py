"""DKIM: messages signed through cryptography verify with dkimpy (local DNS answers, no network)."""

import dkim as dkimpy
import pytest

from netmark.mailing import dkim, mime

KEYS = {algorithm: dkim.generate_key(algorithm) for algorithm in dkim.ALGORITHMS}


def dns_for(algorithm):
    record = dkim.dns_value(algorithm, KEYS[algorithm].public_b64).encode()

    def dnsfunc(name, timeout=5):
        return record if name == b"nm1._domainkey.yunling-tea.example." else None

    return dnsfunc


def message() -> bytes:
    return mime.to_bytes(
        mime.build_message(
            sender=mime.address("云岭茶业", "news@yunling-tea.example"),
            recipient="xiaoming@qq.com",
            subject="春季新品 上市",
            html="<p>你好  小明 \t</p>\n\n\n",
            key="k",
            list_id=mime.list_id("春季", "spring", "yunling-tea.example"),
            unsubscribe=mime.Unsubscribe("https://mk.example.com/mail/unsubscribe/t/"),
        )
    )


def sign(algorithm, data=None):
    return dkim.Signer("yunling-tea.example", "nm1", KEYS[algorithm].private_pem).sign(data or message())


@pytest.mark.parametrize("algorithm", dkim.ALGORITHMS)
def test_signature_verifies_with_dkimpy(algorithm):
    assert dkimpy.verify(sign(algorithm), dnsfunc=dns_for(algorithm))


@pytest.mark.parametrize("algorithm", dkim.ALGORITHMS)
def test_one_click_headers_are_signed_and_over_signed(algorithm):
    signed = sign(algorithm)
    header = signed.split(b"\r\n\r\n")[0].decode()
    names = header.split("h=", 1)[1].split(";", 1)[0].replace("\r\n\t", "").split(":")
    assert names.count("list-unsubscribe") == 2 and names.count("list-unsubscribe-post") == 2
    assert {"from", "subject", "list-id", "message-id", "date"} <= set(names)
    assert "c=relaxed/relaxed" in header and f"a={algorithm}" in header


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            b"List-Unsubscribe-Post: List-Unsubscribe=Two",
        ),
        (b"To: xiaoming@qq.com", b"To: someone@qq.com"),
    ],
)
def test_a_changed_signed_header_fails_verification(old, new):
    signed = sign(dkim.RSA)
    assert old in signed
    assert not dkimpy.verify(signed.replace(old, new), dnsfunc=dns_for(dkim.RSA))


def test_an_added_second_list_unsubscribe_fails_verification():
    signed = sign(dkim.RSA)
    forged = b"List-Unsubscribe: <https://evil.example/>\r\n" + signed
    assert not dkimpy.verify(forged, dnsfunc=dns_for(dkim.RSA))


def test_a_changed_body_fails_and_relaxed_whitespace_changes_pass():
    signed = sign(dkim.RSA)
    head, body = signed.split(b"\r\n\r\n", 1)
    assert not dkimpy.verify(head + b"\r\n\r\n" + body.replace(b"PHA", b"PHB", 1), dnsfunc=dns_for(dkim.RSA))
    refolded = head.replace(b"Subject: ", b"Subject:    ") + b"\r\n\r\n" + body + b"\r\n\r\n"
    assert dkimpy.verify(refolded, dnsfunc=dns_for(dkim.RSA))


def test_the_dns_record_to_publish():
    pair = KEYS[dkim.RSA]
    value = dkim.dns_value(dkim.RSA, pair.public_b64)
    assert dkim.dns_name("nm1", "yunling-tea.example") == "nm1._domainkey.yunling-tea.example"
    assert value.startswith("v=DKIM1; k=rsa; p=MII")
    assert "".join(dkim.txt_strings(value)) == value and all(len(s) <= 255 for s in dkim.txt_strings(value))
    assert dkim.dns_value(dkim.ED25519, KEYS[dkim.ED25519].public_b64).startswith("v=DKIM1; k=ed25519; p=")


def test_relaxed_body_canonicalisation_rules():
    assert dkim.relaxed_body(b"a  b \t\r\nc\r\n\r\n\r\n") == b"a b\r\nc\r\n"
    assert dkim.relaxed_body(b"") == b"" and dkim.relaxed_body(b"\r\n\r\n") == b""
    assert dkim.relaxed_header(b"SUBJECT :  a \r\n\t b  \r\n") == b"subject:a b\r\n"
