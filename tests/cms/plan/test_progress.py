import datetime
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.applications.models import Application
from cms.core import wareki
from cms.plan.models import Action, BasicPlan, Measure, ParticipationRecord, PlanPage
from cms.plan.progress import plan_progress
from tests.factories import (
    ActivityIndexPageFactory,
    ActivityPageFactory,
    MeasureFactory,
    PlanPageFactory,
)

pytestmark = pytest.mark.django_db

Status = Application.Status


def tagged_activity(parent, measures, start, **kwargs):
    page = ActivityPageFactory(parent=parent, start_date=start, **kwargs)
    page.plan_measures.add(*measures)
    page.save()
    return page


def apply(activity, status, party_size=1, **kwargs):
    return Application.objects.create(
        activity=activity, status=status, party_size=party_size, name="申込者", **kwargs
    )


@pytest.fixture
def plan_setup(home):
    plan_page = PlanPageFactory(parent=home, slug="test-plan")
    measure = MeasureFactory(policy__plan=plan_page.plan, number=1, policy__number=1)
    other = MeasureFactory(policy=measure.policy, number=2)
    index = ActivityIndexPageFactory(parent=home, slug="plan-activities")
    return plan_page, measure, other, index


def test_seed_plan_has_all_policies_measures_and_actions():
    plan = BasicPlan.objects.get(name="第二期武蔵野市市民活動促進基本計画")
    assert (plan.start_fiscal_year, plan.end_fiscal_year) == (2022, 2029)
    codes = [m.code for m in Measure.objects.filter(policy__plan=plan)]
    assert codes == ["1-1", "1-2", "2-1", "2-2", "2-3", "2-4", "2-5", "3-1", "3-2", "4-1", "4-2"]
    assert Action.objects.filter(measure__policy__plan=plan).count() == 29


def test_restated_actions_carry_the_plans_own_notation():
    action = Action.objects.get(measure__policy__number=4, measure__number=1, number=3)
    assert action.code == "4-1③"
    assert action.restatement_note == "[2-1③、3-1①再掲]"


def test_plan_page_counts_activities_per_measure_per_fiscal_year(plan_setup, client):
    plan_page, measure, other, index = plan_setup
    for start in [datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), datetime.date(2025, 4, 1)]:
        tagged_activity(index, [measure], start)
    both = tagged_activity(index, [measure, other], datetime.date(2025, 6, 1))
    tagged_activity(index, [measure], datetime.date(2025, 6, 1), live=False)

    progress = plan_page.progress()
    assert progress.cell(measure, 2024).held == 2
    assert progress.cell(measure, 2025).held == 2
    assert progress.cell(other, 2025).held == 1
    # An activity serving two measures is counted once in the year's total.
    assert (progress.total(2024).held, progress.total(2025).held) == (2, 2)

    html = client.get(plan_page.url + "?fy=2025").content.decode()
    assert "令和7年度(2025年度)" in html
    assert both.title in html


def year_table(html):
    """{measure heading: [held, scheduled, applicants, attendees]} of the chosen year's table."""
    table = html.split('id="year-caption"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for heading, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        values = re.findall(r"<td>(\d+)", cells)
        rows[heading.strip()] = [int(v) for v in values]
    return rows


def test_applicants_and_attendees_come_from_the_applications_of_held_activities(plan_setup, client):
    plan_page, measure, other, index = plan_setup
    lecture = tagged_activity(index, [measure, other], datetime.date(2024, 6, 1))
    apply(lecture, Status.BOOKED, 2)
    apply(lecture, Status.ATTENDED, 3)
    apply(lecture, Status.ATTENDED, 1, anonymised_at=timezone.now(), email="")
    apply(lecture, Status.ABSENT, 1)
    # Neither holds a seat: not applicants.
    apply(lecture, Status.CANCELLED, 4)
    apply(lecture, Status.WAITLISTED, 5)
    apply(lecture, Status.UNCONFIRMED, 6)
    cafe = tagged_activity(index, [measure], datetime.date(2025, 1, 10))
    apply(cafe, Status.ATTENDED, 2)

    progress = plan_page.progress()
    assert progress.cell(measure, 2024).site.held == 2
    assert progress.cell(measure, 2024).applicants == 2 + 3 + 1 + 1 + 2
    assert progress.cell(measure, 2024).attendees == 3 + 1 + 2
    assert (progress.cell(other, 2024).applicants, progress.cell(other, 2024).attendees) == (7, 4)
    # The lecture serves both measures but its people count once in the total.
    assert (progress.total(2024).applicants, progress.total(2024).attendees) == (9, 6)

    rows = year_table(client.get(plan_page.url, {"fy": "2024"}).content.decode())
    assert rows[f"{measure.code} {measure.title}"] == [2, 0, 9, 6]
    assert rows[f"{other.code} {other.title}"] == [1, 0, 7, 4]
    assert rows[_("Total (each activity counted once)")] == [2, 0, 9, 6]


def test_figures_entered_by_the_office_add_to_the_sites_and_are_marked(plan_setup, client):
    plan_page, measure, other, index = plan_setup
    lecture = tagged_activity(index, [measure], datetime.date(2024, 6, 1))
    apply(lecture, Status.ATTENDED, 3)
    record = ParticipationRecord.objects.create(
        description="市民まつり出展",
        fiscal_year=2024,
        activities_held=2,
        applicants=0,
        attendees=40,
        note="雨天のため1日のみ",
    )
    record.measures.add(measure, other)

    progress = plan_page.progress()
    cell = progress.cell(measure, 2024)
    assert (cell.held, cell.applicants, cell.attendees) == (3, 3, 43)
    assert (cell.site.attendees, cell.entered.attendees) == (3, 40)
    # One record serving two measures counts once in the total.
    assert progress.total(2024).attendees == 43

    html = client.get(plan_page.url, {"fy": "2024"}).content.decode()
    assert year_table(html)[f"{measure.code} {measure.title}"] == [3, 0, 3, 43]
    assert _("of which %(n)s entered") % {"n": 40} in html
    assert "市民まつり出展" in html and "雨天のため1日のみ" in html


def test_an_upcoming_activity_is_scheduled_not_held(plan_setup, client):
    plan_page, measure, _other, index = plan_setup
    now = timezone.localtime()
    this_year = wareki.fiscal_year_of(now)
    first_day, last_day = wareki.fiscal_year_bounds(this_year)
    tomorrow = now.date() + datetime.timedelta(days=1)
    if tomorrow > last_day or first_day == now.date():
        pytest.skip("needs a day of the fiscal year before today and one after")
    soon = tagged_activity(index, [measure], tomorrow)
    apply(soon, Status.BOOKED, 2)
    done = tagged_activity(index, [measure], first_day)

    progress = plan_page.progress()
    cell = progress.cell(measure, this_year)
    assert (cell.held, cell.scheduled, cell.applicants) == (1, 1, 0)
    assert progress.total(this_year).scheduled == 1

    # The current fiscal year is shown by default.
    html = client.get(plan_page.url).content.decode()
    assert year_table(html)[f"{measure.code} {measure.title}"] == [1, 1, 0, 0]
    items = {
        title: item
        for item in re.findall(r"<li>(.*?)</li>", html.split("activity-list", 1)[1], re.S)
        for title in (soon.title, done.title)
        if f">{title}</a>" in item
    }
    tag = f'<span class="tag">{_("Scheduled (予定)")}</span>'
    assert tag in items[soon.title]
    assert tag not in items[done.title]


def test_the_progress_is_counted_in_a_fixed_number_of_queries(plan_setup):
    plan_page, measure, other, index = plan_setup

    def queries():
        with CaptureQueriesContext(connection) as captured:
            plan_progress(plan_page.plan)
        return len(captured)

    tagged_activity(index, [measure], datetime.date(2024, 6, 1))
    few = queries()
    for day in range(1, 6):
        page = tagged_activity(index, [measure, other], datetime.date(2024, 7, day))
        apply(page, Status.ATTENDED, 2)
    assert queries() == few <= 8


@pytest.mark.parametrize("value", ["twenty", "²", "2" * 5000, "-2024", "１２３４"])
def test_plan_page_reports_a_bad_fiscal_year_and_shows_the_current_one(client, value):
    page = PlanPage.objects.get(slug="basic-plan")
    response = client.get(page.url, {"fy": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    current = wareki.format_fiscal_year(wareki.fiscal_year_of(timezone.now()))
    assert _("Activities and participants per measure, %(year)s") % {"year": current} in html


def test_the_tables_are_described_for_screen_readers(plan_setup, client):
    plan_page = plan_setup[0]
    html = client.get(plan_page.url).content.decode()
    assert html.count("<caption") == 2
    assert '<th scope="col">施策</th>' in html
    assert html.count('role="region"') == 2
