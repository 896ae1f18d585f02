import pytest
from django.core.exceptions import ImproperlyConfigured

from mail.imap import ImapConfig, _require_keywords, imap_config_parse


def test_an_imaps_url_gives_tls_on_port_993_and_decodes_the_credentials():
    config = imap_config_parse("imaps://remove%40example.com:p%2Fss@imap.example.com/Opt%20outs")

    assert config == ImapConfig(
        host="imap.example.com",
        port=993,
        tls=True,
        user="remove@example.com",
        password="p/ss",
        mailbox="Opt outs",
    )


def test_a_plain_imap_url_defaults_to_port_143_and_the_inbox():
    config = imap_config_parse("imap://user:secret@127.0.0.1")

    assert (config.port, config.tls, config.mailbox) == (143, False, "INBOX")


@pytest.mark.parametrize(
    "url", ["https://user:pass@host/INBOX", "imaps://host/INBOX", "imap://user:pass@/INBOX"]
)
def test_a_url_that_cannot_work_is_refused_with_the_expected_shape(url):
    with pytest.raises(ImproperlyConfigured, match="imaps://user:password@host"):
        imap_config_parse(url)


class Selected:
    """What imaplib keeps of a SELECT's PERMANENTFLAGS response code."""

    def __init__(self, flags: bytes | None):
        self.flags = flags

    def response(self, code):
        assert code == "PERMANENTFLAGS"
        return code, [self.flags]


@pytest.mark.parametrize(
    "flags",
    [
        rb"(\Answered \Flagged \Deleted \Seen \Draft \*)",
        rb"(\Seen CareerPerfectProcessed)",
        None,  # not announced: all flags are permanent
    ],
)
def test_a_mailbox_that_keeps_our_keyword_is_polled(flags):
    _require_keywords(Selected(flags))


def test_a_mailbox_that_cannot_keep_our_keyword_stops_the_poll_with_the_reason():
    flags = rb"(\Seen \Answered \Flagged \Deleted \Draft $MDNSent)"

    with pytest.raises(ImproperlyConfigured, match="does not let us set the keyword"):
        _require_keywords(Selected(flags))
