"""Fixtures of the applications tests: an activity index of their own, an
activity taking applications, and POSTs that run what they queue on commit."""

import pytest

from tests.factories import ActivityIndexPageFactory

from .applicants import online_activity


@pytest.fixture
def index(home):
    page = ActivityIndexPageFactory(parent=home, slug="application-tests")
    page.save_revision().publish()
    return page


@pytest.fixture
def activity(index):
    return online_activity(index)
