"""Wagtail's search-backend suite on PostgreSQL (search.backends.database)."""

import unittest
from io import StringIO

from modelsearch.tests import test_postgres_backend as upstream

from django.core import management
from django.db import connection
from django.test import TestCase, override_settings

from .suite import ProjectBackendMixin, settings_for


@override_settings(**settings_for({"BACKEND": "search.backends.database"}))
class TestJapanesePostgresBackend(
    ProjectBackendMixin, upstream.TestPostgresSearchBackend, TestCase
):
    backend_path = "search.backends.database"

    @classmethod
    def setUpTestData(cls):
        if connection.vendor == "postgresql":
            # What the suite's own migrations do: Fuzzy needs pg_trgm. Inside
            # the class's transaction; its pending foreign-key checks (the
            # fixture's index rows) run first, or CREATE INDEX refuses.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for command in ("enable_unaccent", "enable_trigram", "enable_fuzzystrmatch"):
                management.call_command(command, stdout=StringIO())
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        super().setUpTestData()

    @unittest.expectedFailure
    def test_weights(self):
        # PostgreSQL's four weights are spread over every boost of every
        # indexed model (modelsearch's set_weights); the suite expects those of
        # its own models only, the site's page types add theirs.
        super().test_weights()

    @unittest.expectedFailure
    def test_boost(self):
        # English stop words are words here: "The" is indexed (as ザ), so
        # 「JavaScript: The Definitive Guide」 has a longer title than Wagtail's
        # English configuration gives it, and a title's length divides its
        # rank; "Learning Python" boosted by 0.5 still ranks first. (Boost
        # itself is honoured: by 2.0, the first half of the test, passes.)
        super().test_boost()

    @unittest.expectedFailure
    def test_fuzzy_autocomplete(self):
        # Sudachi writes an English word it knows in katakana (Learning is
        # indexed as ラーニング); the misspelt "Learnin" is no word it knows and
        # stays Latin, so the two share no trigram.
        super().test_fuzzy_autocomplete()
