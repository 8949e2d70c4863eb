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


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST and run what the view queued on commit (the e-mails), as a real
    request's transaction would."""

    def post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post
