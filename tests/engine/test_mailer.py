"""Invitation emails against a tiny real SMTP server on loopback (standard library only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crowdform.engine.mailer import Mailer, MailNotSent, is_email_address
from crowdform.errors import InvalidInput
from crowdform.settings import Settings, load_settings
from tests.fixtures.servers import free_port
from tests.fixtures.smtp import SmtpServer, body, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def test_an_invitation_email_carries_the_link(smtp: SmtpServer) -> None:
    settings = Settings(smtp_url=f"smtp://ops%40example.com:s3cret@127.0.0.1:{smtp.port}",
                        mail_from="labels@example.com")
    mailer = Mailer.from_settings(settings)
    assert mailer is not None
    mailer.send_invitation("carol@example.com", "http://server/portal/invitations/abc", team="animal-team",
                           valid_days=7)
    assert smtp.logins == [("ops@example.com", "s3cret")]
    assert smtp.recipients == ["carol@example.com"]
    [message] = smtp.messages
    assert message["From"] == "labels@example.com" and message["To"] == "carol@example.com"
    assert "animal-team" in message["Subject"]
    assert "http://server/portal/invitations/abc" in body(message)


def test_no_mailer_without_a_server_and_a_clear_error_when_it_is_unreachable() -> None:
    assert Mailer.from_settings(Settings()) is None
    closed_port = free_port()
    mailer = Mailer.from_settings(Settings(smtp_url=f"smtp://127.0.0.1:{closed_port}"))
    assert mailer is not None
    with pytest.raises(MailNotSent, match=f"127.0.0.1:{closed_port} \\(setting smtp_url\\)"):
        mailer.send_invitation("carol@example.com", "http://link", team="t", valid_days=7)


def test_the_smtp_url_setting_must_name_an_smtp_server() -> None:
    with pytest.raises(InvalidInput, match="smtp_url.*expected smtp://"):
        load_settings({"CROWDFORM_SMTP_URL": "http://mail.example.com"})


def test_only_email_addresses_get_email() -> None:
    assert is_email_address("carol@example.com")
    assert not is_email_address("carol") and not is_email_address("carol@localhost")
