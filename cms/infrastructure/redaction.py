"""Keeping personal data out of the logs (installed on the console handler in
LOGGING, which the web processes, the worker and beat all write through).

Task arguments carry no personal data (matching/tasks.py), but Celery logs
every task's arguments (received, succeeded, failed, retried: in the message
of a failure and in the `data` extra that JSON logging writes out), and a
future task could take an address again. So, belt and braces:

- Celery's task args/kwargs are dropped from its log records;
- e-mail addresses and token-looking strings (40 or more URL-safe
  characters with a digit, as `secrets.token_urlsafe(32)` makes) in any
  message are replaced by [email] and [token].
"""

import logging
import re

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A digit in it, so that long identifiers (a test's or a task's name) stay.
TOKEN = re.compile(r"(?<![\w-])(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{40,}(?![\w-])")
CELERY_LOGGERS = ("celery.app.trace", "celery.worker.strategy", "celery.worker.request")
TASK_ARGUMENTS = ("args", "kwargs", "argsrepr", "kwargsrepr")


def redact(text):
    """`text` with e-mail addresses and token-looking strings replaced."""
    return TOKEN.sub("[token]", EMAIL.sub("[email]", text))


class RedactPersonalData(logging.Filter):
    """Drops Celery's task arguments and redacts addresses and tokens."""

    def filter(self, record):
        if record.name.startswith(CELERY_LOGGERS):
            self._drop_task_arguments(record)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info or record.exc_text:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            if redact(text) != text:
                # Formatters (plain and JSON) write exc_text when exc_info is gone.
                record.exc_info, record.exc_text = None, redact(text)
        return True

    @staticmethod
    def _drop_task_arguments(record):
        # The message's %-arguments and the `data` extra are one dict in Celery.
        for context in (record.args, getattr(record, "data", None)):
            if isinstance(context, dict):
                for name in TASK_ARGUMENTS:
                    if name in context:
                        context[name] = "[hidden]"
