"""Spreadsheet exports from the admin: CSV cells that cannot run as formulas.

A resident writes page feedback or a name; a coordinator exports it as CSV
and opens it in Excel or LibreOffice, which read a cell starting with `=`,
`+`, `-` or `@` as a formula (`=HYPERLINK(...)` links to an attacker's site,
`+cmd|...` once ran programs through DDE), and a leading tab or carriage
return as whitespace before one. Following OWASP's advice on CSV injection,
such a cell gets a leading single quote: the spreadsheet shows it as text
and the rest of the text is kept as written.

Every CSV the admin writes comes from Wagtail's SpreadsheetExportMixin (the
project's viewsets, Wagtail's reports, form submissions), so the rule is
installed once on the mixin (`install`, from InfrastructureConfig.ready())
rather than on each viewset, where a new export would be unprotected.

Only text is changed: numbers, dates and empty cells from non-text fields
are written as before, so a negative score stays `-0.25`. XLSX needs
nothing: Wagtail stores a cell openpyxl takes for a formula as a string,
and Excel never evaluates a string cell (`append_as_text` does this for the
project's own workbooks).
"""

import unicodedata

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """The value of a CSV cell, with a leading quote when a spreadsheet
    would otherwise read it as a formula."""
    # Full-width ＝＋－＠ (NFKC folds them) are read as formulas by Japanese Excel too.
    if isinstance(value, str) and unicodedata.normalize("NFKC", value).startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def append_as_text(sheet, values):
    """Append a row to an openpyxl write-only sheet, text kept as text.

    openpyxl stores text starting with "=" as a formula; such a cell is made
    a string cell, which Excel shows as written and never evaluates. (A
    leading quote, as CSV needs, would show in the cell.)
    """
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if cell.data_type == "f":
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


class NeutralisingWriter:
    """A csv.DictWriter whose rows are neutralised before they are written."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        return self.writer.writerow({field: neutralise_cell(value) for field, value in row.items()})


def install():
    """Neutralise every CSV row Wagtail's exports write. Idempotent.

    Wagtail's own write_csv_row still preprocesses the values (labels,
    dates, lists); only the writer it is given changes.
    """
    write_csv_row = SpreadsheetExportMixin.write_csv_row
    if getattr(write_csv_row, "neutralises_formulas", False):
        return

    def neutralising_write_csv_row(self, writer, row_dict):
        return write_csv_row(self, NeutralisingWriter(writer), row_dict)

    neutralising_write_csv_row.neutralises_formulas = True
    SpreadsheetExportMixin.write_csv_row = neutralising_write_csv_row
