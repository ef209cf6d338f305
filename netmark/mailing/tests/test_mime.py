"""Message building: Chinese headers and bodies, CRLF, one-click headers, stable Message-ID."""

import email
from email import policy

from netmark.mailing import mime

SUBJECT = "春季新品上市：云南古树红茶，限时八折！这是一个足够长的中文主题，用来检查折叠与编码"


def build(**overrides):
    options = {
        "sender": mime.address("云岭茶业 Yunling", "news@yunling-tea.example"),
        "recipient": "xiaoming@qq.com",
        "subject": SUBJECT,
        "html": '<h1>你好，小明</h1><p>新茶到了。<a href="https://yunling-tea.example/spring">看看</a></p>',
        "key": "7:42:xiaoming@qq.com",
        "list_id": mime.list_id("春季新品", "spring", "yunling-tea.example"),
        "unsubscribe": mime.Unsubscribe(
            "https://mk.example.com/mail/unsubscribe/t/", "unsub@yunling-tea.example"
        ),
    }
    options.update(overrides)
    return mime.build_message(**options)


def parsed(message):
    return email.message_from_bytes(mime.to_bytes(message), policy=policy.default)


def test_chinese_subject_is_rfc2047_encoded_and_decodes_back_exactly():
    raw = mime.to_bytes(build())
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in head and SUBJECT.encode() not in raw
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    assert parsed(build())["Subject"] == SUBJECT
    assert str(parsed(build())["From"]) == "云岭茶业 Yunling <news@yunling-tea.example>"


def test_every_line_ends_with_crlf_and_the_message_is_seven_bit():
    raw = mime.to_bytes(build())
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(byte < 128 for byte in raw)


def test_html_and_an_automatic_plain_text_part():
    message = parsed(build())
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part for part in message.iter_parts())
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_content_charset() == "utf-8"
    assert (
        text.get_content().replace("\r\n", "\n")
        == "你好，小明\n\n新茶到了。看看 (https://yunling-tea.example/spring)\n"
    )
    assert "<h1>你好，小明</h1>" in html.get_content()


def test_one_click_and_list_headers_on_marketing_messages():
    message = parsed(build())
    assert message["List-Unsubscribe"] == (
        "<https://mk.example.com/mail/unsubscribe/t/>, <mailto:unsub@yunling-tea.example?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "春季新品 <spring.yunling-tea.example>"
    assert message["Date"] and mime.is_marketing_ready(build())


def test_message_id_is_stable_per_key_and_differs_between_recipients():
    first, again = parsed(build())["Message-ID"], parsed(build())["Message-ID"]
    other = parsed(build(key="7:42:other@qq.com"))["Message-ID"]
    assert first == again != other
    assert first.endswith("@yunling-tea.example>") and "xiaoming" not in first


def test_a_subject_with_line_breaks_cannot_inject_headers():
    message = parsed(build(subject="你好\r\nBcc: victim@example.com"))
    assert message["Bcc"] is None
    assert message["Subject"] == "你好 Bcc: victim@example.com"


def test_plain_text_leaves_out_scripts_and_styles():
    text = mime.html_to_text(
        "<style>p{color:red}</style><script>alert(1)</script><ul><li>一</li><li>二</li></ul>"
    )
    assert text == "- 一\n- 二\n"
