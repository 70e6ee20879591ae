"""The map as a zip of CSV files: a file per table of cjm.exports.tables."""

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cjm.exports.tables import CellValue, ChangeLine, Table, map_tables, safe_cell
from cjm.views import MapView, TouchpointScore


def map_to_csv_zip(
    view: MapView,
    changes: Sequence[ChangeLine] = (),
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """The map as a zip of CSV files (UTF-8 with BOM so Excel reads it), one per sheet."""
    local = view.updated_at.astimezone(ZoneInfo(view.tz))
    # A fixed stamp (not now) keeps the zip reproducible; zip dates start in 1980.
    stamp = local.timetuple()[:6] if local.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for table in map_tables(view, changes, scores):
            info = zipfile.ZipInfo(table.file_name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # without it, unzip creates unreadable files
            archive.writestr(info, _csv_bytes(table))
    return buffer.getvalue()


def _csv_bytes(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.headers)
    writer.writerows([_csv_value(safe_cell(value)) for value in row] for row in table.rows)
    return text.getvalue().encode("utf-8-sig")


def _csv_value(value: CellValue) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # what Excel reads back as booleans
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value
