import datetime

import pytest

from cms.plan.models import Action, BasicPlan, Measure, PlanPage
from tests.factories import (
    ActivityIndexPageFactory,
    ActivityPageFactory,
    MeasureFactory,
    PlanPageFactory,
)

pytestmark = pytest.mark.django_db


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


def test_plan_page_counts_activities_per_measure_per_fiscal_year(home, client):
    plan_page = PlanPageFactory(parent=home, slug="test-plan")
    measure = MeasureFactory(policy__plan=plan_page.plan, number=1, policy__number=1)
    other = MeasureFactory(policy=measure.policy, number=2)
    index = ActivityIndexPageFactory(parent=home, slug="plan-activities")
    for start in [datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), datetime.date(2025, 4, 1)]:
        page = ActivityPageFactory(parent=index, start_date=start)
        page.plan_measures.add(measure)
        page.save()
    both = ActivityPageFactory(parent=index, start_date=datetime.date(2025, 6, 1))
    both.plan_measures.add(measure, other)
    both.save()
    draft = ActivityPageFactory(parent=index, start_date=datetime.date(2025, 6, 1), live=False)
    draft.plan_measures.add(measure)
    draft.save()

    progress = plan_page.progress(2025)
    assert progress["counts"][measure.pk] == {2024: 2, 2025: 2}
    assert progress["counts"][other.pk] == {2025: 1}
    # An activity serving two measures is counted once in the year's total.
    assert progress["totals"] == {2024: 2, 2025: 2}
    assert [a.pk for a in progress["activities"][other.pk]] == [both.pk]

    html = client.get(plan_page.url + "?fy=2025").content.decode()
    assert "令和7年度(2025年度)" in html
    assert both.title in html


@pytest.mark.parametrize("value", ["twenty", "²", "2" * 5000, "-2024", "１２３４"])
def test_plan_page_reports_a_bad_fiscal_year_and_shows_all_years(client, value):
    page = PlanPage.objects.get(slug="basic-plan")
    response = client.get(page.url, {"fy": value})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_activities_not_yet_held_are_not_counted(home):
    plan_page = PlanPageFactory(parent=home, slug="future-plan")
    measure = MeasureFactory(policy__plan=plan_page.plan)
    index = ActivityIndexPageFactory(parent=home, slug="future-activities")
    soon = ActivityPageFactory(
        parent=index, start_date=datetime.date.today() + datetime.timedelta(days=10)
    )
    soon.plan_measures.add(measure)
    soon.save()
    assert plan_page.progress()["counts"].get(measure.pk) is None
