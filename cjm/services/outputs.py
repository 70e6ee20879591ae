"""Outputs of a map: the picture and the files a team shares (slow work: run in a thread)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from cjm import exports
from cjm.db import UnitOfWork
from cjm.models import FixStatus, Mode, PersonaField, Severity
from cjm.render.html import render_map_html
from cjm.render.texts import Texts
from cjm.services import changes, maps, results
from cjm.views import OutputFile, OutputPicture

if TYPE_CHECKING:
    from cjm.render.png import PictureLabels


class ExportFormat(StrEnum):
    """The files /export offers."""

    HTML = "html"
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"
    MERMAID = "mmd"


def picture_labels(texts: Texts, language: str) -> PictureLabels:
    """The picture's words in a language, from templates/map/picture_labels.html."""
    from cjm.render.png import PictureLabels

    def label(name: str) -> str:
        return texts.plain_macro(language, "map/picture_labels.html", name)

    def common(macro: str, value: str) -> str:
        return texts.plain_macro(language, "chat/common.html", macro, **{_ARG[macro]: value})

    return PictureLabels(
        customer_goal=label("customer_goal"),
        touchpoints=label("touchpoints"),
        emotions=label("emotions"),
        pains=label("pains"),
        fixes=label("fixes"),
        scores=label("scores"),
        kpis=label("kpis"),
        no_scores=label("no_scores"),
        no_votes=label("no_votes"),
        no_stages=label("no_stages"),
        more=label("more"),
        language=language,
        persona={f: common("field_name", f.value) for f in PersonaField},
        severity={s: common("severity_name", s.value) for s in Severity},
        status={s: common("status_name", s.value) for s in FixStatus},
        mode={m: common("mode_name", m.value) for m in Mode},
    )


_ARG = {
    "field_name": "field",
    "severity_name": "severity",
    "status_name": "status",
    "mode_name": "mode",
}


def picture(uow: UnitOfWork, texts: Texts, *, chat_id: int) -> OutputPicture:
    """The current map as a PNG picture."""
    from cjm.render import png

    view = maps.get_current_map(uow, chat_id=chat_id)
    scores = results.touchpoint_scores(uow, chat_id=chat_id, map_id=view.id, tz=view.tz)
    picture = png.render_map_png(view, picture_labels(texts, view.language), scores=scores)
    width, height = png.png_size(picture)
    return OutputPicture(exports.export_filename(view, "png"), picture, width, height)


def export(uow: UnitOfWork, texts: Texts, *, chat_id: int, fmt: ExportFormat) -> OutputFile:
    """The current map as a file in one of the export formats (survey scores included)."""
    view = maps.get_current_map(uow, chat_id=chat_id)
    log = changes.list_changes(uow, chat_id=chat_id, map_id=view.id)
    scores = results.touchpoint_scores(uow, chat_id=chat_id, map_id=view.id, tz=view.tz)
    match fmt:
        case ExportFormat.HTML:
            data = render_map_html(
                texts,
                view,
                language=view.language,
                scores=scores,
                generated_at=uow.clock.now(),
            ).encode()
        case ExportFormat.XLSX:
            data = exports.map_to_xlsx(view, log, scores)
        case ExportFormat.CSV:
            data = exports.map_to_csv_zip(view, log, scores)
        case ExportFormat.JSON:
            data = exports.map_to_json(view)
        case ExportFormat.MERMAID:
            data = exports.map_to_mermaid(view).encode()
    extension = "zip" if fmt is ExportFormat.CSV else fmt.value
    return OutputFile(exports.export_filename(view, extension), data)
