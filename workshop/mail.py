"""Sending an e-mail (invitations, password resets) when an SMTP server is configured.

Nothing here is needed to run Nyttoverkstad: without ``SMTP_HOST`` the pages show the link to
copy and pass on. The settings are in docs/configuration.md ("E-mail").
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def configured() -> bool:
    return bool(current_app.extensions["settings"].smtp_host)


def send(to: str, subject: str, body: str) -> bool:
    """Send a plain-text mail; True when the server accepted it. A failure is logged and
    answered False (the page still shows the link)."""
    s = current_app.extensions["settings"]
    if not s.smtp_host or not to:
        return False
    msg = EmailMessage()
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    try:
        if s.smtp_tls == "ssl":
            with smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=10, context=ssl.create_default_context()) as smtp:
                _deliver(smtp, s, msg)
        else:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
                if s.smtp_tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                _deliver(smtp, s, msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %s not sent: %s", to, exc)
        return False
    return True


def _deliver(smtp: smtplib.SMTP, s, msg: EmailMessage) -> None:
    if s.smtp_user:
        smtp.login(s.smtp_user, s.smtp_password)
    smtp.send_message(msg)
