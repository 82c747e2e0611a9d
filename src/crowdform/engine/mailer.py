"""Emailing invitation links, only when an SMTP server is configured (the ``smtp_url`` setting).

Email is a convenience: the console always shows the link, so an administrator can pass it on by
other means when no server is configured, the worker was added by a user name rather than an email
address, or sending fails.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from crowdform.errors import CrowdformError
from crowdform.settings import Settings

SMTP_TIMEOUT_SECONDS = 15.0


class MailNotSent(CrowdformError):
    """The SMTP server could not be reached or refused the message."""

    status_code = 502
    code = "MailNotSent"


def is_email_address(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    tls: bool  # smtps://: TLS from the first byte; smtp://: STARTTLS when the server offers it
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "Mailer | None":
        """The configured mailer, or None without ``smtp_url``."""
        if not settings.smtp_url:
            return None
        url = urlsplit(settings.smtp_url)
        tls = url.scheme == "smtps"
        return cls(url.hostname or "localhost", url.port or (465 if tls else 587), tls,
                   unquote(url.username) if url.username else None,
                   unquote(url.password) if url.password else None, settings.mail_from)

    def send_invitation(self, to: str, link: str, *, team: str, valid_days: int) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = f"You are invited to label for the team {team}"
        message.set_content(
            f"You were added to the labeling team {team}.\n\n"
            f"Open this link to choose your password (it works once, for {valid_days} days):\n\n{link}\n")
        self.send(message)

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) if self.tls
                    else smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS))
            with smtp:
                smtp.ehlo()
                if not self.tls and smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(
                f"The email to {message['To']} was not sent: the SMTP server {self.host}:{self.port} (setting "
                f"smtp_url) answered {exc!r}. Check the server address and credentials; meanwhile pass the "
                f"link on yourself.") from None
