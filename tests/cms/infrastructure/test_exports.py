"""CSV exports from the admin (cms.infrastructure.exports): what a resident
typed never runs as a formula in the coordinator's spreadsheet."""

import csv
import io

import pytest

from cms.core.models import PageFeedback
from cms.groups.models import GroupPage
from matching.wagtail_hooks import SuggestionViewSet
from tests.matching.factories import ResidentProfileFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

# OWASP's CSV injection cases: a formula, DDE, arithmetic, a function, and a
# formula behind a tab or carriage return.
PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    '＝HYPERLINK("http://evil","x")',  # full width: Japanese Excel reads it too
]


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_neutralised(rows, payloads, number_columns=()):
    cells = [
        cell for row in rows[1:] for column, cell in enumerate(row) if column not in number_columns
    ]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # The text is kept as written, after the quote a spreadsheet hides.
    for payload in payloads:
        assert f"'{payload}" in cells


def test_feedback_comments_export_as_text(admin_client_ja):
    for payload in PAYLOADS:
        PageFeedback.objects.create(
            page_title="武蔵野市について", usefulness="useful", comment=payload
        )
    rows = csv_rows(admin_client_ja.get("/admin/page_feedback/", {"export": "csv"}))
    assert len(rows) == 1 + len(PAYLOADS)
    assert_neutralised(rows, PAYLOADS)
    # Ordinary text is untouched.
    assert "武蔵野市について" in rows[1]


def test_suggestions_export_names_and_notes_as_text_and_scores_as_numbers(admin_client_ja):
    group = GroupPage.objects.live().first()
    for payload in PAYLOADS:
        SuggestionFactory(
            profile=ResidentProfileFactory(name=payload),
            group=group,
            notes=payload,
            score=-0.25,
        )
    rows = csv_rows(admin_client_ja.get("/admin/snippets/matching/suggestion/", {"export": "csv"}))
    assert len(rows) == 1 + len(PAYLOADS)
    score = SuggestionViewSet.list_export.index("score")
    assert_neutralised(rows, PAYLOADS, number_columns={score})
    # A number is not text a resident wrote: it stays a number a spreadsheet reads.
    assert {row[score] for row in rows[1:]} == {"-0.25"}
