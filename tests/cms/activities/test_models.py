import datetime
import zoneinfo

import pytest

from cms.activities.models import ActivityPage
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home):
    return ActivityIndexPageFactory(parent=home, slug="test-activities")


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def test_has_ended_switches_exactly_at_the_end_time(index):
    page = ActivityPageFactory(
        parent=index,
        start_date=datetime.date(2024, 1, 4),
        start_time=datetime.time(13, 30),
        end_time=datetime.time(16, 0),
    )
    assert not page.has_ended(tokyo(2024, 1, 4, 15, 59, 59))
    assert page.has_ended(tokyo(2024, 1, 4, 16, 0))


def test_without_an_end_time_the_activity_lasts_to_the_end_of_its_day(index):
    page = ActivityPageFactory(
        parent=index, start_date=datetime.date(2012, 6, 27), start_time=None, end_time=None
    )
    assert not page.has_ended(tokyo(2012, 6, 27, 23, 59))
    assert page.has_ended(tokyo(2012, 6, 28, 0, 0))


def test_page_shows_ended_only_once_the_end_time_has_passed(client, index, settings):
    today = datetime.date.today()
    future = ActivityPageFactory(parent=index, start_date=today + datetime.timedelta(days=7))
    past = ActivityPageFactory(parent=index, start_date=today - datetime.timedelta(days=7))
    assert "終了しました" not in client.get(future.url).content.decode()
    assert "終了しました" in client.get(past.url).content.decode()


def test_when_is_written_the_japanese_municipal_way(index):
    page = ActivityPageFactory(parent=index)
    assert page.when == "令和6年(2024年)1月4日(木) 午後1時30分から4時まで"


def test_end_before_start_is_rejected_with_a_field_error(index):
    page = ActivityPageFactory.build(
        start_date=datetime.date(2024, 1, 4),
        start_time=datetime.time(16, 0),
        end_time=datetime.time(13, 0),
    )
    with pytest.raises(Exception) as excinfo:
        page.clean()
    assert "end_time" in excinfo.value.message_dict


def test_upcoming_lists_soonest_first_and_past_most_recent_first(index):
    now = tokyo(2026, 11, 21, 12, 0)
    later = ActivityPageFactory(parent=index, start_date=datetime.date(2026, 12, 20))
    sooner = ActivityPageFactory(parent=index, start_date=datetime.date(2026, 12, 1))
    older = ActivityPageFactory(parent=index, start_date=datetime.date(2025, 1, 1))
    recent = ActivityPageFactory(parent=index, start_date=datetime.date(2026, 10, 1))
    activities = ActivityPage.objects.descendant_of(index)
    assert list(activities.upcoming(now)) == [sooner, later]
    assert list(activities.past(now)) == [recent, older]


def test_an_activity_that_ended_this_morning_is_past_not_upcoming(index):
    morning = ActivityPageFactory(
        parent=index,
        start_date=datetime.date(2026, 11, 21),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(10, 0),
    )
    evening = ActivityPageFactory(
        parent=index,
        start_date=datetime.date(2026, 11, 21),
        start_time=datetime.time(18, 0),
        end_time=datetime.time(20, 0),
    )
    undated = ActivityPageFactory(
        parent=index, start_date=datetime.date(2026, 11, 21), start_time=None, end_time=None
    )
    activities = ActivityPage.objects.descendant_of(index)
    now = tokyo(2026, 11, 21, 12, 0)
    assert list(activities.upcoming(now)) == [undated, evening]
    assert list(activities.past(now)) == [morning]
    # The listing and the page agree on what has ended.
    assert morning.has_ended(now) and not evening.has_ended(now)


def test_fiscal_year_filter_uses_april_to_march(index):
    march = ActivityPageFactory(parent=index, start_date=datetime.date(2025, 3, 31))
    april = ActivityPageFactory(parent=index, start_date=datetime.date(2025, 4, 1))
    activities = ActivityPage.objects.descendant_of(index)
    assert list(activities.in_fiscal_year(2024)) == [march]
    assert list(activities.in_fiscal_year(2025)) == [april]
    assert activities.fiscal_years() == [2025, 2024]
