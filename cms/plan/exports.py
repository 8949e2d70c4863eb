"""The plan's progress figures as CSV and XLSX, for the 市民活動推進委員会.

One row per fiscal year and measure, then the year's total, with the figures
counted from the site and those the office entered kept apart. The counts
are not personal data, so the files are public downloads of the plan page.
Text cells come from editors (measure titles, event names): CSV cells are
neutralised so a spreadsheet cannot run them as formulas, and XLSX cells are
written as strings, which Excel never evaluates.
"""

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cms.core import wareki
from cms.infrastructure.exports import append_as_text, neutralise_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def progress_header():
    return [
        _("Measure code"),
        _("Measure"),
        _("Fiscal year"),
        _("Fiscal year (Western calendar)"),
        _("Activities held (total)"),
        _("Activities scheduled"),
        _("Applicants (total)"),
        _("Attendees (total)"),
        _("Activities held on this site"),
        _("Applicants on this site"),
        _("Attendees on this site"),
        _("Activities held, entered by the office"),
        _("Applicants, entered by the office"),
        _("Attendees, entered by the office"),
    ]


def _figures(cell):
    return [
        cell.held,
        cell.scheduled,
        cell.applicants,
        cell.attendees,
        cell.site.held,
        cell.site.applicants,
        cell.site.attendees,
        cell.entered.held,
        cell.entered.applicants,
        cell.entered.attendees,
    ]


def progress_rows(progress):
    """The table's rows (lists of cells), year by year, each year ending with its total."""
    rows = []
    for year in progress.years:
        label = wareki.format_fiscal_year(year, western=False)
        for measure, cell in progress.year_rows(year):
            rows.append([measure.code, measure.title, label, year, *_figures(cell)])
        rows.append(["", _("Total (each activity counted once)"), label, year])
        rows[-1] += _figures(progress.total(year))
    return rows


def record_header():
    return [
        _("Fiscal year"),
        _("Fiscal year (Western calendar)"),
        _("Event or programme"),
        _("Measures"),
        _("Times held"),
        _("Applicants"),
        _("Attendees"),
        _("Note"),
    ]


def record_rows(records):
    return [
        [
            wareki.format_fiscal_year(record.fiscal_year, western=False),
            record.fiscal_year,
            record.description,
            record.measure_codes(),
            record.activities_held,
            record.applicants,
            record.attendees,
            record.note,
        ]
        for record in records
    ]


def _attachment(content, content_type, filename):
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def csv_response(progress, filename):
    """The progress table as CSV in UTF-8 with a BOM, which Excel needs to read it as UTF-8."""
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow(progress_header())
    for row in progress_rows(progress):
        writer.writerow([neutralise_cell(value) for value in row])
    return _attachment(output.getvalue(), "text/csv; charset=utf-8", filename)


def xlsx_response(progress, records, filename):
    """The progress table, and the entered figures on a second sheet, as an Excel workbook."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Progress"))
    sheet.freeze_panes = "A2"
    append_as_text(sheet, progress_header())
    for row in progress_rows(progress):
        append_as_text(sheet, row)
    entered = workbook.create_sheet(_("Entered by the office"))
    entered.freeze_panes = "A2"
    append_as_text(entered, record_header())
    for row in record_rows(records):
        append_as_text(entered, row)
    output = io.BytesIO()
    workbook.save(output)
    return _attachment(output.getvalue(), XLSX_TYPE, filename)
