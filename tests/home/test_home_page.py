import datetime

import pytest

from cms.activities.models import ActivityIndexPage
from tests.factories import ActivityPageFactory

pytestmark = pytest.mark.django_db


def test_home_shows_featured_upcoming_latest_newsletter_and_entry_points(client):
    html = client.get("/").content.decode()
    featured = html.split('id="featured-heading"', 1)[1].split("</section>", 1)[0]
    assert "つながる子育てカフェ in 武蔵野 おしゃべり会" in featured
    assert "市民協働推進だより「Link!」 平成25年3月号" in html
    for entry in ("/groups/", "/facilities/", "/basic-plan/"):
        assert f'href="{entry}"' in html


def test_upcoming_list_drops_an_activity_once_it_has_ended(client):
    index = ActivityIndexPage.objects.get(slug="activities")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    ActivityPageFactory(parent=index, title="昨日の講座", start_date=yesterday)
    ActivityPageFactory(parent=index, title="明日の講座", start_date=tomorrow)
    upcoming = client.get("/").content.decode().split('id="upcoming-heading"', 1)[1]
    upcoming = upcoming.split("</section>", 1)[0]
    assert "明日の講座" in upcoming and "昨日の講座" not in upcoming
