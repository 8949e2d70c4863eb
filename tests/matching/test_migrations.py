"""Data migrations of the matching app that protect residents' data."""

import importlib

import pytest

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wagtail.models import ModelLogEntry

from matching.models import ResidentProfile

pytestmark = pytest.mark.django_db


def test_log_entries_written_before_pseudonymising_lose_the_residents_name():
    profile = ResidentProfile.objects.create(name="武蔵野 旧記録", email="old-log@example.jp")
    entry = ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ResidentProfile),
        object_id=str(profile.pk),
        label=profile.name,  # as Wagtail wrote it before the pre_save handler
        action="wagtail.create",
        timestamp=timezone.now(),
    )
    ModelLogEntry.objects.filter(pk=entry.pk).update(label=profile.name)
    migration = importlib.import_module("matching.migrations.0009_pseudonymise_log_labels")
    migration.pseudonymise(apps, None)
    entry.refresh_from_db()
    assert "武蔵野" not in entry.label and entry.label.endswith(f"#{profile.pk}")
