"""The map as a versioned JSON document, and such a document read back with every check."""

import json
from typing import Any

from pydantic import ValidationError

from cjm.errors import ImportRefused
from cjm.exports.schema import SCHEMA_NAME, SCHEMA_VERSION, MapDocument
from cjm.models import PersonaField
from cjm.views import KpiView, MapView, PainView, StageView, TouchpointView

MAX_IMPORT_BYTES = 2 * 1024 * 1024

JsonObject = dict[str, Any]


# --- JSON out -------------------------------------------------------------------------------


def map_to_json(view: MapView) -> bytes:
    """The map as a versioned JSON document; exporting its re-import gives the same bytes."""
    document = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "map": _map_json(view)}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def _map_json(view: MapView) -> JsonObject:
    # No ids, timestamps or owner: they belong to one database, and would differ after import.
    return {
        "title": view.title,
        "segment": view.segment,
        "status": view.status.value,
        "persona": {field.value: view.persona.get(field) for field in PersonaField},
        "stages": [_stage_json(view, stage) for stage in view.stages],
        "pains": [_pain_json(view, pain) for pain in view.pains],
    }


def _stage_json(view: MapView, stage: StageView) -> JsonObject:
    return {
        "name": stage.name,
        "customer_goal": stage.customer_goal,
        "touchpoints": [_touchpoint_json(tp) for tp in stage.touchpoints],
        "kpis": [_kpi_json(kpi) for kpi in view.kpis_at(stage.id)],
    }


def _touchpoint_json(tp: TouchpointView) -> JsonObject:
    return {
        "name": tp.name,
        "channel": tp.channel,
        "mode": tp.mode.value if tp.mode else None,
        "is_moment_of_truth": tp.is_moment_of_truth,
        "votes": [
            {"user_id": v.user_id, "user_name": v.user_name, "score": v.score, "note": v.note}
            for v in tp.votes
        ],
    }


def _kpi_json(kpi: KpiView) -> JsonObject:
    return {
        "name": kpi.name,
        "unit": kpi.unit or None,
        "target": kpi.target,
        "direction": kpi.direction.value,
        "values": [
            {"measured_on": point.measured_on.isoformat(), "value": point.value}
            for point in kpi.values
        ],
    }


def _pain_json(view: MapView, pain: PainView) -> JsonObject:
    stage_index, touchpoint_index = _pain_place(view, pain)
    return {
        "stage": stage_index,
        "touchpoint": touchpoint_index,
        "text": pain.text,
        "category": pain.category.value if pain.category else None,
        "severity": pain.severity.value,
        "source": pain.source.value,
        "fixes": [
            {
                "text": fix.text,
                "owner_name": fix.owner_name,
                "status": fix.status.value,
                "due_on": fix.due_on.isoformat() if fix.due_on else None,
            }
            for fix in pain.fixes
        ],
    }


def _pain_place(view: MapView, pain: PainView) -> tuple[int, int | None]:
    """Where a pain point sits as indexes into the file's lists, since ids do not travel."""
    for stage_index, stage in enumerate(view.stages):
        if stage.id == pain.stage_id:
            ids = [tp.id for tp in stage.touchpoints]
            return stage_index, ids.index(
                pain.touchpoint_id
            ) if pain.touchpoint_id in ids else None
    raise ValueError(f"pain point {pain.id} is on no stage of map {view.id}")


# --- JSON in --------------------------------------------------------------------------------


def parse_map_json(data: bytes) -> MapDocument:
    """Read a JSON export back, checking everything; anything else raises ImportRefused."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(reason="too_large", limit_mb=MAX_IMPORT_BYTES // 2**20)
    envelope = _load_json(data)
    if not isinstance(envelope, dict) or envelope.get("schema") != SCHEMA_NAME:
        raise ImportRefused(reason="not_a_map")
    version = envelope.get("version")
    if type(version) is not int or version < 1:  # `type`, since True is an int too
        raise ImportRefused(reason="not_a_map")
    if version > SCHEMA_VERSION:
        raise ImportRefused(reason="newer_version")
    extra = sorted(set(envelope) - {"schema", "version", "map"})
    if extra:
        raise ImportRefused(reason="invalid", where=extra[0])
    try:
        document = MapDocument.model_validate(envelope.get("map"))
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "too_long":  # a list past its limit: name the limit
            limit = (first.get("ctx") or {}).get("max_length")
            raise ImportRefused(reason="too_many", where=_where(error), limit=limit) from error
        raise ImportRefused(reason="invalid", where=_where(error)) from error
    if version == 1:
        _refuse_version_2_keys(document)
    return document


def _refuse_version_2_keys(document: MapDocument) -> None:
    """A version 1 file has no ⭐ or KPIs: such a key in it is as unknown as a typo."""
    for stage_index, stage in enumerate(document.stages):
        if "kpis" in stage.model_fields_set:
            raise ImportRefused(reason="invalid", where=f"map.stages.{stage_index}.kpis")
        for tp_index, tp in enumerate(stage.touchpoints):
            if "is_moment_of_truth" in tp.model_fields_set:
                where = f"map.stages.{stage_index}.touchpoints.{tp_index}.is_moment_of_truth"
                raise ImportRefused(reason="invalid", where=where)


def _load_json(data: bytes) -> object:
    def refuse_constant(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    try:
        # utf-8-sig: Windows editors save a byte-order mark, which json.loads refuses.
        return json.loads(data.decode("utf-8-sig"), parse_constant=refuse_constant)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, huge numbers, deep nesting
        raise ImportRefused(reason="not_json") from None


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    parts = ["map", *(str(part) for part in first["loc"])]
    context = first.get("ctx") or {}
    if "where" in context:
        parts.append(str(context["where"]))
    return ".".join(parts)
