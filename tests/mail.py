"""E-mail test doubles for mail servers that fail (the machine runs none to break)."""

import smtplib


class BrokenEmailBackend:
    """The server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class RefusingEmailBackend(BrokenEmailBackend):
    """The server refuses the recipients, naming them in the error, as SMTP does."""

    def send_messages(self, messages):
        recipients = [address for message in messages for address in message.recipients()]
        raise smtplib.SMTPRecipientsRefused({a: (550, b"5.1.1 mailbox full") for a in recipients})
