import pytest

from django.urls import reverse

from cms.plan.models import Measure, ParticipationRecord, PlanPage

pytestmark = pytest.mark.django_db


def test_an_editor_enters_figures_for_an_offline_event_and_the_plan_page_counts_them(
    admin_client_ja, client
):
    page = PlanPage.objects.get(slug="basic-plan")
    measures = list(Measure.objects.filter(policy__plan=page.plan)[:2])
    response = admin_client_ja.post(
        reverse("wagtailsnippets_plan_participationrecord:add"),
        {
            "description": "市民活動フェスタ(紙の申込)",
            "fiscal_year": "2023",
            "measures": [m.pk for m in measures],
            "activities_held": "1",
            "applicants": "25",
            "attendees": "21",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = ParticipationRecord.objects.get(description="市民活動フェスタ(紙の申込)")
    assert set(record.measures.all()) == set(measures)

    listing = admin_client_ja.get(reverse("wagtailsnippets_plan_participationrecord:list"))
    assert "市民活動フェスタ(紙の申込)" in listing.content.decode()
    assert "令和5年度(2023年度)" in listing.content.decode()

    export = admin_client_ja.get(
        reverse("wagtailsnippets_plan_participationrecord:list"), {"export": "csv"}
    )
    assert "市民活動フェスタ(紙の申込)" in b"".join(export.streaming_content).decode()

    progress = page.progress()
    for measure in measures:
        assert progress.cell(measure, 2023).entered.attendees == 21
    html = client.get(page.url, {"fy": "2023"}).content.decode()
    assert "市民活動フェスタ(紙の申込)" in html


def test_a_fiscal_year_outside_the_era_range_is_refused(admin_client_ja):
    measure = Measure.objects.first()
    response = admin_client_ja.post(
        reverse("wagtailsnippets_plan_participationrecord:add"),
        {
            "description": "年度の誤り",
            "fiscal_year": "25",
            "measures": [measure.pk],
            "activities_held": "1",
            "applicants": "0",
            "attendees": "0",
        },
    )
    assert response.status_code == 200
    assert not ParticipationRecord.objects.filter(description="年度の誤り").exists()
