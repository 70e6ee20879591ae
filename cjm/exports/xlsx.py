"""The map as an Excel workbook: a sheet per table of cjm.exports.tables."""

import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cjm.exports.tables import ChangeLine, Table, map_tables, safe_cell
from cjm.views import MapView, TouchpointScore


def map_to_xlsx(
    view: MapView,
    changes: Sequence[ChangeLine] = (),
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """The map as an Excel workbook: a sheet per lane, bold frozen headers, real dates."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Journey Bot"
    for table in map_tables(view, changes, scores):
        _write_sheet(workbook.create_sheet(table.title), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_NUMBER_FORMATS: dict[type, str] = {
    datetime: "yyyy-mm-dd hh:mm",
    date: "yyyy-mm-dd",
    float: "0.00",
}
_MAX_COLUMN_WIDTH = 60
_MIN_COLUMN_WIDTH = 8


def _write_sheet(sheet: Any, table: Table) -> None:
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.iter_cols(), start=1):
        widths = [_display_width(cell.value) for cell in column]
        sheet.column_dimensions[get_column_letter(index)].width = max(
            _MIN_COLUMN_WIDTH, min(max(widths) + 2, _MAX_COLUMN_WIDTH)
        )
        for cell, width in zip(column[1:], widths[1:], strict=True):
            _format_cell(cell, width)


def _format_cell(cell: Any, width: int) -> None:
    number_format = _NUMBER_FORMATS.get(type(cell.value))
    if number_format:
        cell.number_format = number_format
    if width > _MAX_COLUMN_WIDTH or (isinstance(cell.value, str) and "\n" in cell.value):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _display_width(value: object) -> int:
    """How many columns the longest line takes; CJK and emoji count double."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(value if value is not None else "").splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        for line in lines
    )
