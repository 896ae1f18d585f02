import pytest
from django.core.exceptions import ImproperlyConfigured

from mail.imap import ImapConfig, imap_config_parse


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
