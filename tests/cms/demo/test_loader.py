import re
import time
from pathlib import Path

import pytest

from django.core.management import call_command

from wagtail.models import Page, PageLogEntry, Revision

from cms.activities.models import ActivityPage
from cms.demo.loader import load_demo_content, read_data
from cms.facilities.models import FacilityPage
from cms.groups.models import GroupPage
from cms.newsletters.models import NewsletterIssuePage

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def snapshot():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        PageLogEntry.objects.count(),
        sorted(Page.objects.values_list("pk", "title", "latest_revision_id")),
    )


def test_second_run_changes_nothing():
    before = snapshot()
    report = load_demo_content()
    assert report.created == []
    assert snapshot() == before


def test_command_says_so_when_nothing_changed(capsys):
    call_command("load_demo_content")
    assert "nothing changed" in capsys.readouterr().out


def test_loader_recreates_a_deleted_page_and_leaves_edited_ones_alone():
    cafe = ActivityPage.objects.get(slug="kosodate-cafe-1")
    cafe.delete()
    edited = GroupPage.objects.get(slug="mama-no-hane")
    edited.summary = "編集者が書き換えた紹介文"
    edited.save_revision().publish()
    started = time.monotonic()
    report = load_demo_content()
    assert time.monotonic() - started < 30
    assert [label for _kind, label in report.created] == ["第1回 つながる子育てカフェ in 武蔵野"]
    assert GroupPage.objects.get(slug="mama-no-hane").summary == "編集者が書き換えた紹介文"


def test_every_seed_event_is_its_own_page_titled_as_in_the_seed():
    titles = set(ActivityPage.objects.values_list("title", flat=True))
    for expected in [
        "メッセージ de メッセ",
        "第3回 つながる子育てカフェ in 武蔵野",
        "第2回 つながる子育てカフェ in 武蔵野",
        "第1回 つながる子育てカフェ in 武蔵野",
        "地域コミュニティが育む市民活動 コミセンとNPOとの相乗効果がもたらすもの",
        "協働の新たなステージへ向けて 神奈川の取り組みに学ぶ",
        "協働による防災まちづくり 公助の責任・行政の課題",
        "武蔵野市市民活動促進基本計画を読む",
    ]:
        assert expected in titles
    h24 = ActivityPage.objects.filter(start_date__year__in=[2012, 2013], sample_content=False)
    assert h24.count() == 8


@pytest.mark.parametrize(
    "slug, when",
    [
        ("message-de-messe", "平成25年(2013年)2月24日(日) 午後1時30分から4時まで"),
        ("kosodate-cafe-3", "平成25年(2013年)1月26日(土) 午後1時から4時まで"),
        ("kosodate-cafe-2", "平成24年(2012年)10月27日(土) 午後1時から4時まで"),
        ("kosodate-cafe-1", "平成24年(2012年)7月28日(土) 午後1時から4時まで"),
        ("community-commisen-npo", "平成24年(2012年)11月12日(月) 午後1時30分から4時まで"),
        ("iroha-3-kanagawa", "平成24年(2012年)12月5日(水) 午後6時30分から8時30分まで"),
        ("iroha-2-bousai", "平成24年(2012年)9月26日(水) 午後6時30分から8時30分まで"),
        ("iroha-1-keikaku", "平成24年(2012年)6月27日(水)"),
    ],
)
def test_seed_dates_and_times_are_as_the_seed_gives_them(slug, when):
    """The seed writes e.g. 平成25年2月24日 日曜日 午後1時30分から4時まで."""
    assert ActivityPage.objects.get(slug=slug).when == when


def test_seed_series_numbers_and_speaker_roles():
    numbers = dict(
        ActivityPage.objects.filter(series__slug="kyodo-iroha-koza").values_list(
            "slug", "series_number"
        )
    )
    assert numbers == {"iroha-1-keikaku": 1, "iroha-2-bousai": 2, "iroha-3-kanagawa": 3}
    roles = list(
        ActivityPage.objects.get(slug="community-commisen-npo")
        .speakers.order_by("sort_order")
        .values_list("role", "name")
    )
    assert roles == [
        ("reporter", "北崎圭太"),
        ("reporter", "清水幸子"),
        ("commentator", "笹野章嘉"),
        ("commentator", "塩澤誠一郎"),
    ]
    cafe = ActivityPage.objects.get(slug="kosodate-cafe-3")
    assert [p.group.title for p in cafe.participations.order_by("sort_order")][:2] == [
        "保育サービスひまわりママ",
        "ワーカーズどんぐり",
    ]


def test_sample_activities_are_upcoming_whenever_the_demo_is_loaded():
    from django.utils import timezone

    assert (
        ActivityPage.objects.live().filter(sample_content=True).upcoming(timezone.now()).count()
        >= 3
    )


def test_seed_groups_facilities_and_newsletters_exist():
    assert GroupPage.objects.live().count() == 20  # the 19 café groups and the organiser
    assert set(FacilityPage.objects.values_list("title", flat=True)) >= {
        "武蔵野プレイス",
        "武蔵野市民会館",
        "桜堤コミュニティセンター",
        "緑町コミュニティセンター",
    }
    issues = NewsletterIssuePage.objects.order_by("issue_date")
    assert [(i.issue_date.year, i.issue_date.month) for i in issues] == [
        (2012, 7),
        (2012, 11),
        (2013, 3),
    ]
    assert all(issue.document.file_extension == "pdf" for issue in issues)


def test_only_seed_content_is_unmarked():
    """Pages built beyond the seeds say they are sample content."""
    for slug in [item["slug"] for item in read_data("sample_activities")["activities"]]:
        assert ActivityPage.objects.get(slug=slug).sample_content


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
def test_transcribed_data_matches_the_seed_documents():
    seed_text = "\n".join(path.read_text() for path in sorted(SEEDS.glob("*.txt")))
    normalised = re.sub(r"\s+", "", seed_text)

    def in_seed(text):
        return re.sub(r"\s+", "", text) in normalised

    h24 = read_data("h24")
    for activity in h24["activities"]:
        assert in_seed(activity["title"]), activity["title"]
        assert in_seed(activity["summary"]), activity["slug"]
        for speaker in activity.get("speakers", []):
            assert in_seed(speaker["name"]) and in_seed(speaker["affiliation"])
    for series in h24["series"]:
        assert in_seed(series["name"]) and in_seed(series["description"])
    for group in read_data("groups")["groups"]:
        assert in_seed(group["title"]), group["title"]
    plan = read_data("plan")
    assert in_seed(plan["plan"]["goal"])
    for policy in plan["policies"]:
        assert in_seed(policy["title"])
        for measure in policy["measures"]:
            assert in_seed(measure["title"]) and in_seed(measure["description"])
            for action in measure["actions"]:
                assert in_seed(action), action


def test_the_demo_has_a_full_activity_with_a_waiting_list_and_one_with_seats_left():
    """What a new user of `make run` sees: applications in every state."""
    from django.utils import timezone

    from cms.applications import booking
    from cms.applications.booking import State
    from cms.applications.models import Application

    online = ActivityPage.objects.live().filter(application_mode="online").upcoming()
    states = {page.slug: booking.availability(page) for page in online}
    assert states["sample-online-taikenkai-2026"].state == State.WAITLIST
    assert states["sample-kosodate-cafe-2027"].state == State.OPEN
    assert states["sample-kosodate-cafe-2027"].remaining == 24
    waiting = Application.objects.filter(status=Application.Status.WAITLISTED)
    assert waiting.exists()
    # They applied before the demo was loaded: a new applicant queues behind them.
    assert all(a.created_at < timezone.now() for a in Application.objects.all())
    assert all(a.waitlisted_at < timezone.now() for a in waiting)
    # Sample applicants are marked as such and have no real addresses.
    named = Application.objects.exclude(name="")
    assert all(a.name.startswith("(サンプル)") for a in named)
    assert all(a.email.endswith("@example.com") for a in named)
    # Past activities keep only counts, as after the retention period.
    past = Application.objects.filter(activity__slug="sample-hajimete-koza-2024")
    assert past.filter(status=Application.Status.ATTENDED).count() == 17
    assert not past.exclude(name="").exists()
