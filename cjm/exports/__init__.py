"""Maps out of the bot (JSON, XLSX, CSV, Mermaid) and back in (JSON): pure, no database.

One module per concern: schema (the JSON document's models and checks), json_document (JSON
out and in), tables (the rows XLSX and CSV share, and the formula-injection guard), xlsx,
csv_zip, mermaid, filenames. Callers import the names below from cjm.exports.
"""

from cjm.exports.csv_zip import map_to_csv_zip
from cjm.exports.filenames import export_filename
from cjm.exports.json_document import MAX_IMPORT_BYTES, map_to_json, parse_map_json
from cjm.exports.mermaid import map_to_mermaid, mermaid_score
from cjm.exports.schema import SCHEMA_VERSION, SCORE_MAX, SCORE_MIN, MapDocument, StageDocument
from cjm.exports.tables import ChangeRow, safe_cell
from cjm.exports.xlsx import map_to_xlsx

__all__ = [
    "MAX_IMPORT_BYTES",
    "SCHEMA_VERSION",
    "SCORE_MAX",
    "SCORE_MIN",
    "ChangeRow",
    "MapDocument",
    "StageDocument",
    "export_filename",
    "map_to_csv_zip",
    "map_to_json",
    "map_to_mermaid",
    "map_to_xlsx",
    "mermaid_score",
    "parse_map_json",
    "safe_cell",
]
