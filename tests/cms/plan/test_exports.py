import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from django.utils.translation import gettext as _

from cms.applications.models import Application
from cms.plan.exports import progress_header
from cms.plan.models import ParticipationRecord
from tests.factories import (
    ActivityIndexPageFactory,
    ActivityPageFactory,
    BasicPlanFactory,
    MeasureFactory,
    PlanPageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_page(home):
    page = PlanPageFactory(
        parent=home,
        slug="export-plan",
        plan=BasicPlanFactory(start_fiscal_year=2024, end_fiscal_year=2025),
    )
    measure = MeasureFactory(
        policy__plan=page.plan, policy__number=1, number=1, title='=HYPERLINK("http://x")'
    )
    index = ActivityIndexPageFactory(parent=home, slug="export-activities")
    lecture = ActivityPageFactory(parent=index, start_date=datetime.date(2024, 6, 1))
    lecture.plan_measures.add(measure)
    lecture.save()
    for status, size in [("booked", 2), ("attended", 3), ("cancelled", 5)]:
        Application.objects.create(activity=lecture, status=status, party_size=size, name="申込者")
    record = ParticipationRecord.objects.create(
        description="+出前講座", fiscal_year=2024, activities_held=4, applicants=10, attendees=9
    )
    record.measures.add(measure)
    return page


def test_the_csv_has_a_bom_and_one_row_per_year_and_measure_with_totals(client, plan_page):
    response = client.get(plan_page.url + "progress/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == progress_header() and len(rows[0]) == 14
    # The editor's title cannot run as a formula.
    assert rows[1] == [
        "1-1",
        '\'=HYPERLINK("http://x")',
        "令和6年度",
        "2024",
        "5",
        "0",
        "15",
        "12",
        "1",
        "5",
        "3",
        "4",
        "10",
        "9",
    ]
    assert rows[2][1:4] == [_("Total (each activity counted once)"), "令和6年度", "2024"]
    assert rows[2][4:] == rows[1][4:]
    assert [row[3] for row in rows[3:]] == ["2025", "2025"]
    assert rows[3][4:] == ["0"] * 10


def test_the_xlsx_has_the_same_table_and_the_entered_figures(client, plan_page):
    response = client.get(plan_page.url + "progress/xlsx/")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    progress, entered = workbook.worksheets
    rows = [list(row) for row in progress.iter_rows(values_only=True)]
    assert rows[0] == progress_header() and len(rows[0]) == 14
    assert rows[1] == [
        "1-1",
        '=HYPERLINK("http://x")',
        "令和6年度",
        2024,
        5,
        0,
        15,
        12,
        1,
        5,
        3,
        4,
        10,
        9,
    ]
    # Text, not a formula Excel would evaluate.
    assert progress["B2"].data_type == "s"
    assert len(rows) == 5
    records = [list(row) for row in entered.iter_rows(values_only=True)]
    assert records[1][:7] == ["令和6年度", 2024, "+出前講座", "1-1", 4, 10, 9]
    assert entered["C2"].data_type == "s"


def test_the_plan_page_links_to_both_downloads(client, plan_page):
    html = client.get(plan_page.url).content.decode()
    assert f'href="{plan_page.url}progress/xlsx/"' in html
    assert f'href="{plan_page.url}progress/csv/"' in html
