import pytest

from tests.factories import ActivityIndexPageFactory


@pytest.fixture
def index(home):
    """An activity index of its own, so the demo activities stay out of the way."""
    page = ActivityIndexPageFactory(parent=home, slug="test-activities")
    page.save_revision().publish()
    return page
