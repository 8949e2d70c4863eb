"""The log filter every handler has: no task arguments, addresses or link tokens
in what the web processes, the worker and beat write."""

import json
import logging
import sys

from django.utils.module_loading import import_string

from cms.settings import base

TOKEN = "q3Zk8mX1-vB7rT0_yL5nP2wE9cA4sD6fG1hJ3kM8nQ0"  # as secrets.token_urlsafe(32) makes
LINK = f"https://www.example.jp/matching/my-data/{TOKEN}/"


def _console():
    """The console handler as LOGGING builds it, with the JSON formatter production uses."""
    config = base.LOGGING
    handler = logging.StreamHandler()
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    json_formatter = dict(config["formatters"]["json"])
    formatter = import_string(json_formatter.pop("()"))(**json_formatter)
    handler.setFormatter(formatter)
    return handler


def _written(record):
    handler = _console()
    assert handler.filter(record)
    return handler.format(record)


def test_celery_task_arguments_are_not_written():
    # As celery.worker.strategy logs a received task: the arguments in the
    # message's dict and in the `data` extra that JSON logging writes out.
    context = {
        "name": "matching.tasks.send_my_data_link",
        "id": "3f1c1d5e-8c1b-4a57-9a55-0b8e8f0c2d11",
        "args": "('hanako@example.jp', '" + LINK + "')",
        "kwargs": "{'phone': '0422-00-0000'}",
    }
    record = logging.LogRecord(
        "celery.worker.strategy",
        logging.INFO,
        __file__,
        1,
        "Task %(name)s[%(id)s] received",
        (context,),
        None,
    )
    record.data = context
    written = _written(record)
    assert "hanako" not in written and TOKEN not in written and "0422" not in written
    entry = json.loads(written)
    assert entry["message"].startswith("Task matching.tasks.send_my_data_link[3f1c1d5e-")
    assert entry["data"]["name"] == "matching.tasks.send_my_data_link"


def test_addresses_and_tokens_in_any_message_are_redacted():
    record = logging.LogRecord(
        "matching",
        logging.WARNING,
        __file__,
        1,
        "mail to %s with %s failed",
        ("Hanako+events@Example.jp", LINK),
        None,
    )
    entry = json.loads(_written(record))
    assert entry["message"] == (
        "mail to [email] with https://www.example.jp/matching/my-data/[token]/ failed"
    )


def test_a_traceback_naming_an_address_is_redacted():
    try:
        raise ConnectionRefusedError("550 no such user hanako@example.jp")
    except ConnectionRefusedError:
        record = logging.LogRecord(
            "cms.infrastructure.queue",
            logging.ERROR,
            __file__,
            1,
            "kept",
            (),
            sys.exc_info(),
        )
    written = _written(record)
    assert "hanako@example.jp" not in written and "ConnectionRefusedError" in written


def test_task_ids_and_ordinary_words_stay():
    message = (
        "Task matching.tasks.refresh_all_suggestions[3f1c1d5e-8c1b-4a57-9a55-0b8e8f0c2d11] "
        "test_no_personal_data_or_token_in_logs_or_kept_tasks"
    )
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, message, (), None)
    assert json.loads(_written(record))["message"] == message


def test_every_logger_with_its_own_handlers_writes_through_the_filter():
    """runserver's request lines (django.server) carry link paths with tokens."""
    from django.conf import settings as django_settings

    from cms.settings.base import LOGGING

    assert django_settings.LOGGING_CONFIG  # Django configures LOGGING at start-up
    for name, logger in LOGGING["loggers"].items():
        for handler in logger.get("handlers", []):
            assert "personal_data" in LOGGING["handlers"][handler]["filters"], name
    assert "django.server" in LOGGING["loggers"]
