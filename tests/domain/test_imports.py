"""Import: a JSON export comes back as a new map, identical byte for byte, or not at all."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cjm import exports
from cjm.errors import ImportRefused, TextBlank, TextEmpty, TooManyItems
from cjm.exports import MapDocument
from cjm.limits import (
    KPI_UNIT_MAX_CHARS,
    MAX_KPIS_PER_STAGE,
    MAX_MAPS_PER_CHAT,
    MAX_STAGES,
    MAX_VALUES_PER_KPI,
    MAX_VOTES_PER_TOUCHPOINT,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
    clean_text,
    normalise,
)
from cjm.models import (
    ChangeEvent,
    EmotionVote,
    Fix,
    FixStatus,
    JourneyMap,
    Kpi,
    KpiDirection,
    KpiValue,
    MapStatus,
    Mode,
    PainCategory,
    PainPoint,
    PainSource,
    Persona,
    PersonaField,
    Severity,
    Stage,
    Touchpoint,
)
from cjm.services import (
    emotions,
    imports,
    kpis,
    maps,
    pains,
    persona,
    stages,
    touchpoints,
)
from cjm.views import KpiPoint
from tests.factories import (
    BOB,
    CAROL,
    TEAM_CHAT_ID,
    chat_ref,
    make_fix,
    make_full_map,
    make_map,
    make_pain,
    read_map,
)

OTHER_CHAT_ID = -1007777
TABLES = (
    JourneyMap,
    Persona,
    Stage,
    Touchpoint,
    EmotionVote,
    PainPoint,
    Fix,
    Kpi,
    KpiValue,
    ChangeEvent,
)


def import_into(uow, document: MapDocument, chat_id: int = OTHER_CHAT_ID, actor=BOB):
    return imports.import_map(
        uow(),
        chat=chat_ref(chat_id),
        actor=actor,
        document=document,
        default_language="en",
        default_tz="UTC",
    )


def import_file(uow, data: bytes, chat_id: int = OTHER_CHAT_ID):
    return imports.import_map_file(
        uow(),
        chat=chat_ref(chat_id),
        actor=BOB,
        data=data,
        default_language="en",
        default_tz="UTC",
    )


def rich_map(uow, chat_id: int = TEAM_CHAT_ID):
    """make_full_map plus everything else a member can set, in several scripts."""
    journey = make_full_map(uow, chat_id=chat_id, title="Интернет-магазин: первая покупка 🛒")
    for field, value in [
        (PersonaField.NAME, "Ольга, 34"),
        (PersonaField.GOALS_SHORT, "Buy a gift\nfast"),
        (PersonaField.WISHES, "שלום · 你好"),
    ]:
        persona.set_persona_field(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, field=field, value=value, actor=BOB
        )
    discover, buy = journey.stages
    stages.set_customer_goal(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=buy.id, goal="Pay =1+1 safely", actor=BOB
    )
    tip = discover.touchpoints[1]
    touchpoints.set_mode(
        uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=tip.id, mode=Mode.OFFLINE, actor=BOB
    )
    emotions.set_note(
        uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=tip.id, note="Trust 👍🏽", voter=CAROL
    )
    first_pain = journey.pains[0]
    pains.edit_pain(
        uow(),
        chat_id=TEAM_CHAT_ID,
        pain_id=first_pain.id,
        category=PainCategory.FINANCIAL,
        severity=Severity.HIGH,
        actor=BOB,
    )
    make_pain(uow, discover.id, "Tip is lost", touchpoint_id=tip.id, source=PainSource.SURVEY)
    measure(uow, journey)
    return make_fix(uow, first_pain.id, "Second fix", status=FixStatus.DONE, due="2027-01-31")


def measure(uow, journey) -> None:
    """Mark the first stage's second touchpoint ⭐; a KPI with two values, and one without."""
    discover, buy = journey.stages
    tip = discover.touchpoints[1]
    touchpoints.set_moment_of_truth(
        uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=tip.id, value=True, actor=BOB
    )
    conversion = kpis.add_kpi(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=buy.id, text="Conversion; %; 3.5; up", actor=BOB
    )
    for text in ("3,4 on 2026-11-08", "3.1 on 2026-11-01"):
        kpis.record_kpi_value(
            uow(), chat_id=TEAM_CHAT_ID, kpi_id=conversion.id, text=text, actor=BOB
        )
    kpis.add_kpi(
        uow(), chat_id=TEAM_CHAT_ID, stage_id=discover.id, text="Tickets; ; ; down", actor=BOB
    )


class TestRoundTrip:
    def test_export_import_export_is_byte_identical(self, uow):
        """A map built by members, exported, imported elsewhere and exported again: same bytes."""
        original = rich_map(uow)
        data = exports.map_to_json(original)

        copied = import_file(uow, data)

        assert exports.map_to_json(copied) == data
        assert copied.id != original.id
        assert copied.chat_id == OTHER_CHAT_ID
        assert exports.map_to_json(read_map(uow, original.id)) == data

    def test_the_copy_is_a_new_current_map_owned_by_the_importer(self, uow, clock, changes):
        """Importing adds a map (the old ones stay), makes it current, and logs map.imported."""
        make_map(uow, title="Earlier map", chat_id=OTHER_CHAT_ID)
        data = exports.map_to_json(make_full_map(uow, title="Checkout"))

        copied = import_file(uow, data)

        assert copied.is_current
        assert copied.owner_name == "Bob"
        assert copied.created_at == copied.updated_at == clock.now()
        titles = [m.title for m in maps.list_maps(uow(), chat_id=OTHER_CHAT_ID)]
        assert titles == ["Checkout", "Earlier map"]
        [event] = changes(copied.id)
        assert (event.action, event.item_id, event.summary) == (
            "map.imported",
            copied.id,
            "Checkout",
        )
        assert (event.actor_id, event.actor_name) == (BOB.user_id, "Bob")

    def test_a_taken_title_gets_a_number(self, uow):
        """Importing into a chat that has the title (in any case) suffixes " (2)", " (3)"…"""
        data = exports.map_to_json(make_map(uow, title="Checkout"))
        make_map(uow, title="CHECKOUT", chat_id=OTHER_CHAT_ID)

        titles = [import_file(uow, data).title for _ in range(3)]

        assert titles == ["Checkout (2)", "Checkout (3)", "Checkout (4)"]

    def test_a_long_title_keeps_its_number_within_the_limit(self, uow):
        """The suffix replaces the end of a title that is already at the limit."""
        title = "x" * TITLE_MAX_CHARS
        data = exports.map_to_json(make_map(uow, title=title))

        copied = import_file(uow, data, chat_id=TEAM_CHAT_ID)

        assert copied.title == "x" * (TITLE_MAX_CHARS - 4) + " (2)"

    def test_pains_in_any_order_come_back_stage_by_stage(self, uow):
        """A hand-edited file may list pains in any order; the map lists them stage by stage."""
        data = json.loads(exports.map_to_json(make_full_map(uow)))
        data["map"]["pains"].reverse()

        copied = import_file(uow, json.dumps(data).encode())

        assert [p.text for p in copied.pains] == [
            "Ads promise a discount that is gone",
            "Checkout asks for the address twice",
        ]
        again = exports.map_to_json(copied)
        assert exports.map_to_json(import_file(uow, again, chat_id=-1)) == again

    def test_a_hand_written_minimal_file_imports(self, uow):
        """Only the title is required; everything else takes the defaults a new map has."""
        data = b'{"schema": "journey-map", "version": 1, "map": {"title": " Draft "}}'

        copied = import_file(uow, data)

        assert copied.title == "Draft"
        assert copied.status is MapStatus.DRAFT
        assert copied.persona == dict.fromkeys(PersonaField)
        assert copied.stages == copied.pains == ()

    def test_a_byte_order_mark_is_fine(self, uow):
        """Windows editors save UTF-8 with a BOM; the file still imports."""
        data = exports.map_to_json(make_full_map(uow))

        assert exports.map_to_json(import_file(uow, b"\xef\xbb\xbf" + data)) == data


# A version 1 file exactly as the bot exported maps before ⭐ and KPIs were in the file.
V1_EXPORT = b"""{
  "schema": "journey-map",
  "version": 1,
  "map": {
    "title": "Checkout",
    "segment": null,
    "status": "active",
    "persona": {
      "name": "Olga",
      "role": null,
      "age_group": null,
      "gender": null,
      "location": null,
      "area": null,
      "family": null,
      "income": null,
      "behaviour": null,
      "info_sources": null,
      "goals_short": null,
      "goals_long": null,
      "problems": null,
      "wishes": null
    },
    "stages": [
      {
        "name": "Buy",
        "customer_goal": "Pay fast",
        "touchpoints": [
          {
            "name": "Cart",
            "channel": "website",
            "mode": "online",
            "votes": [
              {
                "user_id": 1,
                "user_name": "Alice",
                "score": 1,
                "note": null
              },
              {
                "user_id": 2,
                "user_name": "Bob",
                "score": -2,
                "note": "Too slow"
              }
            ]
          },
          {
            "name": "Support call",
            "channel": null,
            "mode": "offline",
            "votes": []
          }
        ]
      }
    ],
    "pains": [
      {
        "stage": 0,
        "touchpoint": 0,
        "text": "Slow",
        "category": null,
        "severity": "high",
        "source": "team",
        "fixes": [
          {
            "text": "Cache",
            "owner_name": null,
            "status": "idea",
            "due_on": "2027-01-01"
          }
        ]
      }
    ]
  }
}
"""


class TestMomentsAndKpis:
    def test_a_version_2_export_brings_back_stars_and_kpis(self, uow):
        """⭐ marks and a KPI with its two values survive export → import, as stored."""
        original = make_full_map(uow)
        measure(uow, original)
        data = exports.map_to_json(read_map(uow, original.id))

        copied = read_map(uow, import_file(uow, data).id)

        stars = [[tp.is_moment_of_truth for tp in stage.touchpoints] for stage in copied.stages]
        assert stars == [[False, True], [False]]
        discover, buy = copied.stages
        [tickets] = copied.kpis_at(discover.id)
        assert (tickets.name, tickets.unit, tickets.target, tickets.direction) == (
            "Tickets",
            "",
            None,
            KpiDirection.DOWN,
        )
        assert tickets.values == ()
        [conversion] = copied.kpis_at(buy.id)
        assert (conversion.name, conversion.unit, conversion.target, conversion.direction) == (
            "Conversion",
            "%",
            3.5,
            KpiDirection.UP,
        )
        assert conversion.values == (
            KpiPoint(date(2026, 11, 1), 3.1),
            KpiPoint(date(2026, 11, 8), 3.4),
        )
        assert exports.map_to_json(copied) == data

    def test_a_version_1_file_imports_without_stars_or_kpis(self, uow):
        """Exports made before version 2 still import whole, with no ⭐ and no KPIs."""
        copied = read_map(uow, import_file(uow, V1_EXPORT).id)

        assert [tp.name for tp in copied.touchpoints] == ["Cart", "Support call"]
        assert not any(tp.is_moment_of_truth for tp in copied.touchpoints)
        assert copied.kpis == ()
        assert [(v.user_name, v.score, v.note) for v in copied.touchpoints[0].votes] == [
            ("Alice", 1, None),
            ("Bob", -2, "Too slow"),
        ]
        [pain] = copied.pains
        assert (pain.text, pain.touchpoint_id, pain.severity) == (
            "Slow",
            copied.touchpoints[0].id,
            Severity.HIGH,
        )
        assert [(f.text, f.due_on) for f in pain.fixes] == [("Cache", date(2027, 1, 1))]
        again = json.loads(exports.map_to_json(copied))
        assert again["version"] == exports.SCHEMA_VERSION == 2
        assert again["map"]["stages"][0]["kpis"] == []

    def test_kpi_values_in_any_order_come_back_oldest_first(self, uow):
        """A hand-edited file may list a KPI's values in any order; the map keeps date order."""
        data = valid_file()
        data["map"]["stages"][0]["kpis"][0]["values"].reverse()

        copied = read_map(uow, import_file(uow, json.dumps(data).encode()).id)

        [kpi] = copied.kpis
        assert [point.measured_on for point in kpi.values] == sorted(
            point.measured_on for point in kpi.values
        )
        again = exports.map_to_json(copied)
        assert exports.map_to_json(import_file(uow, again, chat_id=-1)) == again

    def test_a_hand_written_kpi_needs_only_a_name(self, uow):
        """A KPI without unit, target, direction or values gets /kpi's defaults."""
        data = valid_file()
        data["map"]["stages"][0]["kpis"] = [{"name": " Repeat  buyers ", "unit": "  "}]

        copied = read_map(uow, import_file(uow, json.dumps(data).encode()).id)

        [kpi] = copied.kpis
        assert (kpi.name, kpi.unit, kpi.target, kpi.direction, kpi.values) == (
            "Repeat buyers",
            "",
            None,
            KpiDirection.UP,
            (),
        )


class TestNothingHalfImported:
    def test_a_chat_at_its_map_limit_refuses_and_stores_nothing(self, uow, rows):
        """Over MAX_MAPS_PER_CHAT the import is refused like /newmap, and nothing is stored."""
        data = exports.map_to_json(make_full_map(uow))
        for number in range(MAX_MAPS_PER_CHAT):
            make_map(uow, title=f"Map {number}", chat_id=OTHER_CHAT_ID)
        before = {table: rows(table) for table in TABLES}

        with pytest.raises(TooManyItems) as refused:
            import_file(uow, data)

        assert refused.value.params == {"kind": "map", "limit": MAX_MAPS_PER_CHAT}
        assert {table: rows(table) for table in TABLES} == before

    def test_a_failure_on_the_last_write_rolls_back_everything(self, uow, rows, monkeypatch):
        """If anything fails after the rows are written, no map, stage or vote remains."""
        data = exports.map_to_json(rich_map(uow))
        before = {table: rows(table) for table in TABLES}
        chats_before = maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)

        def broken_load(*_args, **_kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(maps, "load", broken_load)
        with pytest.raises(RuntimeError):
            import_file(uow, data, chat_id=TEAM_CHAT_ID)
        monkeypatch.undo()

        assert {table: rows(table) for table in TABLES} == before
        assert maps.list_maps(uow(), chat_id=TEAM_CHAT_ID) == chats_before
        assert maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID).title.startswith("Интернет")


def valid_file() -> dict:
    """A small valid export, as parsed JSON, for the refusals to break one thing each."""
    return {
        "schema": "journey-map",
        "version": 2,
        "map": {
            "title": "Checkout",
            "segment": None,
            "status": "draft",
            "persona": {"name": "Olga"},
            "stages": [
                {
                    "name": "Buy",
                    "customer_goal": None,
                    "touchpoints": [
                        {
                            "name": "Cart",
                            "channel": "website",
                            "mode": "online",
                            "is_moment_of_truth": True,
                            "votes": [
                                {"user_id": 1, "user_name": "Alice", "score": 1, "note": None}
                            ],
                        }
                    ],
                    "kpis": [
                        {
                            "name": "Conversion",
                            "unit": "%",
                            "target": 3.5,
                            "direction": "up",
                            "values": [
                                {"measured_on": "2026-11-01", "value": 3.1},
                                {"measured_on": "2026-11-08", "value": 3.4},
                            ],
                        }
                    ],
                }
            ],
            "pains": [
                {
                    "stage": 0,
                    "touchpoint": 0,
                    "text": "Slow",
                    "category": None,
                    "severity": "high",
                    "source": "team",
                    "fixes": [
                        {
                            "text": "Cache",
                            "owner_name": None,
                            "status": "idea",
                            "due_on": "2027-01-01",
                        }
                    ],
                }
            ],
        },
    }


def broken(change) -> bytes:
    data = copy.deepcopy(valid_file())
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def broken_v1(change) -> bytes:
    data = json.loads(V1_EXPORT)
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def first_tp(data):
    return data["map"]["stages"][0]["touchpoints"][0]


def first_kpi(data):
    return data["map"]["stages"][0]["kpis"][0]


def first_value(data):
    return first_kpi(data)["values"][0]


KPI_AT = "map.stages.0.kpis.0"


REFUSALS = [
    ("not-json", b"this is not json {", "not_json", None),
    ("bad-utf8", b'{"schema": "journey-map", "t": "\xff"}', "not_json", None),
    ("nan", b'{"schema": "journey-map", "version": NaN}', "not_json", None),
    ("deep-nesting", b"[" * 100_000 + b"]" * 100_000, "not_json", None),
    ("json-list", b"[1, 2, 3]", "not_a_map", None),
    ("schema-missing", broken(lambda d: d.pop("schema")), "not_a_map", None),
    ("other-schema", broken(lambda d: d.update(schema="trello-board")), "not_a_map", None),
    ("version-text", broken(lambda d: d.update(version="1")), "not_a_map", None),
    ("version-true", broken(lambda d: d.update(version=True)), "not_a_map", None),
    ("version-0", broken(lambda d: d.update(version=0)), "not_a_map", None),
    ("version-99", broken(lambda d: d.update(version=99)), "newer_version", None),
    ("map-missing", broken(lambda d: d.pop("map")), "invalid", "map"),
    ("extra-top-key", broken(lambda d: d.update(exported_at="now")), "invalid", "exported_at"),
    (
        "score-7",
        broken(lambda d: first_tp(d)["votes"][0].update(score=7)),
        "invalid",
        "map.stages.0.touchpoints.0.votes.0.score",
    ),
    (
        "score-bool",
        broken(lambda d: first_tp(d)["votes"][0].update(score=True)),
        "invalid",
        "map.stages.0.touchpoints.0.votes.0.score",
    ),
    (
        "pain-stage-40",
        broken(lambda d: d["map"]["pains"][0].update(stage=40)),
        "invalid",
        "map.pains.0.stage",
    ),
    (
        "pain-touchpoint-3",
        broken(lambda d: d["map"]["pains"][0].update(touchpoint=3)),
        "invalid",
        "map.pains.0.touchpoint",
    ),
    (
        "name-5000-chars",
        broken(lambda d: first_tp(d).update(name="n" * 5000)),
        "invalid",
        "map.stages.0.touchpoints.0.name",
    ),
    ("empty-title", broken(lambda d: d["map"].update(title=" \n ")), "invalid", "map.title"),
    (
        "13-stages",
        broken(
            lambda d: d["map"].update(stages=[{"name": f"S{i}"} for i in range(MAX_STAGES + 1)])
        ),
        "too_many",
        "map.stages",
    ),
    (
        "same-stage-twice",
        broken(lambda d: d["map"]["stages"].append({"name": "BUY"})),
        "invalid",
        "map.stages.1.name",
    ),
    (
        "member-votes-twice",
        broken(
            lambda d: first_tp(d)["votes"].append({"user_id": 1, "user_name": "A", "score": 2})
        ),
        "invalid",
        "map.stages.0.touchpoints.0.votes.1.user_id",
    ),
    (
        "bad-mode",
        broken(lambda d: first_tp(d).update(mode="ONLINE")),
        "invalid",
        "map.stages.0.touchpoints.0.mode",
    ),
    (
        "unknown-persona-field",
        broken(lambda d: d["map"]["persona"].update(shoe_size="42")),
        "invalid",
        "map.persona.shoe_size.[key]",
    ),
    (
        "typo-key",
        broken(lambda d: first_tp(d).update(chanel="web")),
        "invalid",
        "map.stages.0.touchpoints.0.chanel",
    ),
    (
        "timestamp-due",
        broken(lambda d: d["map"]["pains"][0]["fixes"][0].update(due_on="2027-01-01T00:00")),
        "invalid",
        "map.pains.0.fixes.0.due_on",
    ),
    (
        "february-30",
        broken(lambda d: d["map"]["pains"][0]["fixes"][0].update(due_on="2027-02-30")),
        "invalid",
        "map.pains.0.fixes.0.due_on",
    ),
    (
        "huge-user-id",
        broken(lambda d: first_tp(d)["votes"][0].update(user_id=2**64)),
        "invalid",
        "map.stages.0.touchpoints.0.votes.0.user_id",
    ),
    (
        "lone-surrogate",
        b'{"schema": "journey-map", "version": 1, "map": {"title": "a\\ud800"}}',
        "invalid",
        "map.title",
    ),
    ("3-mb", b" " * 3_000_000 + json.dumps(valid_file()).encode(), "too_large", None),
    ("version-3", broken(lambda d: d.update(version=3)), "newer_version", None),
    (
        "moment-yes",
        broken(lambda d: first_tp(d).update(is_moment_of_truth="yes")),
        "invalid",
        "map.stages.0.touchpoints.0.is_moment_of_truth",
    ),
    (
        "moment-1",
        broken(lambda d: first_tp(d).update(is_moment_of_truth=1)),
        "invalid",
        "map.stages.0.touchpoints.0.is_moment_of_truth",
    ),
    (
        "kpi-direction-sideways",
        broken(lambda d: first_kpi(d).update(direction="sideways")),
        "invalid",
        f"{KPI_AT}.direction",
    ),
    (
        "kpi-date-dotted",
        broken(lambda d: first_value(d).update(measured_on="01.11.2026")),
        "invalid",
        f"{KPI_AT}.values.0.measured_on",
    ),
    (
        "kpi-date-february-30",
        broken(lambda d: first_value(d).update(measured_on="2027-02-30")),
        "invalid",
        f"{KPI_AT}.values.0.measured_on",
    ),
    (
        "kpi-date-missing",
        broken(lambda d: first_value(d).pop("measured_on")),
        "invalid",
        f"{KPI_AT}.values.0.measured_on",
    ),
    (
        "kpi-value-text",
        broken(lambda d: first_value(d).update(value="3.1")),
        "invalid",
        f"{KPI_AT}.values.0.value",
    ),
    (
        "kpi-value-bool",
        broken(lambda d: first_value(d).update(value=True)),
        "invalid",
        f"{KPI_AT}.values.0.value",
    ),
    (
        "kpi-value-null",
        broken(lambda d: first_value(d).update(value=None)),
        "invalid",
        f"{KPI_AT}.values.0.value",
    ),
    (
        "kpi-value-overflows",
        broken(lambda d: first_value(d).update(value="1e400")).replace(b'"1e400"', b"1e400"),
        "invalid",
        f"{KPI_AT}.values.0.value",
    ),
    (
        "kpi-target-text",
        broken(lambda d: first_kpi(d).update(target="3.5")),
        "invalid",
        f"{KPI_AT}.target",
    ),
    (
        "kpi-same-day-twice",
        broken(lambda d: first_kpi(d)["values"].append({"measured_on": "2026-11-01", "value": 9})),
        "invalid",
        f"{KPI_AT}.values.2.measured_on",
    ),
    (
        "kpi-name-101-chars",
        broken(lambda d: first_kpi(d).update(name="k" * (NAME_MAX_CHARS + 1))),
        "invalid",
        f"{KPI_AT}.name",
    ),
    (
        "kpi-name-blank",
        broken(lambda d: first_kpi(d).update(name=" ")),
        "invalid",
        f"{KPI_AT}.name",
    ),
    (
        "kpi-unit-21-chars",
        broken(lambda d: first_kpi(d).update(unit="u" * (KPI_UNIT_MAX_CHARS + 1))),
        "invalid",
        f"{KPI_AT}.unit",
    ),
    (
        "kpi-same-name-twice",
        broken(lambda d: d["map"]["stages"][0]["kpis"].append({"name": "CONVERSION"})),
        "invalid",
        "map.stages.0.kpis.1.name",
    ),
    (
        "6-kpis-on-a-stage",
        broken(
            lambda d: d["map"]["stages"][0].update(
                kpis=[{"name": f"K{i}"} for i in range(MAX_KPIS_PER_STAGE + 1)]
            )
        ),
        "too_many",
        "map.stages.0.kpis",
    ),
    (
        "501-votes-on-a-touchpoint",
        broken(
            lambda d: first_tp(d).update(
                votes=[
                    {"user_id": 10 + i, "user_name": f"M{i}", "score": 1}
                    for i in range(MAX_VOTES_PER_TOUCHPOINT + 1)
                ]
            )
        ),
        "too_many",
        "map.stages.0.touchpoints.0.votes",
    ),
    (
        "1001-values-of-a-kpi",
        broken(
            lambda d: first_kpi(d).update(
                values=[
                    {"measured_on": (date(2020, 1, 1) + timedelta(days=i)).isoformat(), "value": i}
                    for i in range(MAX_VALUES_PER_KPI + 1)
                ]
            )
        ),
        "too_many",
        "map.stages.0.kpis.0.values",
    ),
    ("kpi-typo-key", broken(lambda d: first_kpi(d).update(taget=1)), "invalid", f"{KPI_AT}.taget"),
    (
        "version-1-with-kpis",
        broken_v1(lambda d: d["map"]["stages"][0].update(kpis=[])),
        "invalid",
        "map.stages.0.kpis",
    ),
    (
        "version-1-with-moment",
        broken_v1(lambda d: first_tp(d).update(is_moment_of_truth=False)),
        "invalid",
        "map.stages.0.touchpoints.0.is_moment_of_truth",
    ),
]


class TestRefusals:
    @pytest.mark.parametrize(
        ("data", "reason", "where"),
        [refusal[1:] for refusal in REFUSALS],
        ids=[refusal[0] for refusal in REFUSALS],
    )
    def test_refused_with_a_reason_and_nothing_stored(self, uow, rows, data, reason, where):
        """A broken, foreign, newer or oversized file raises ImportRefused and stores nothing."""
        make_full_map(uow, chat_id=OTHER_CHAT_ID)
        maps_before = maps.list_maps(uow(), chat_id=OTHER_CHAT_ID)
        counts_before = {table: rows(table) for table in TABLES}

        with pytest.raises(ImportRefused) as refused:
            import_file(uow, data)

        assert refused.value.params["reason"] == reason
        assert refused.value.params.get("where") == where
        assert maps.list_maps(uow(), chat_id=OTHER_CHAT_ID) == maps_before
        assert {table: rows(table) for table in TABLES} == counts_before

    def test_the_valid_files_import(self, uow):
        """The refusals' base files are fine: each refusal above is about its one change."""
        copied = import_file(uow, json.dumps(valid_file()).encode())
        old = import_file(uow, V1_EXPORT)

        assert copied.touchpoints[0].votes[0].score == 1
        assert copied.touchpoints[0].is_moment_of_truth
        assert [point.value for point in copied.kpis[0].values] == [3.1, 3.4]
        assert old.touchpoints[0].votes[1].note == "Too slow"

    def test_too_large_names_the_limit(self):
        """The too_large refusal carries the limit in MB for the message."""
        with pytest.raises(ImportRefused) as refused:
            exports.parse_map_json(b"x" * (exports.MAX_IMPORT_BYTES + 1))

        assert refused.value.params == {"reason": "too_large", "limit_mb": 2}

    @pytest.mark.parametrize(
        ("count", "refused"),
        [(MAX_VOTES_PER_TOUCHPOINT, False), (MAX_VOTES_PER_TOUCHPOINT + 1, True)],
        ids=["at-the-limit", "one-over"],
    )
    def test_too_many_votes_names_the_place_and_the_limit(self, uow, count, refused):
        """Votes on a touchpoint: the limit itself imports; one more is refused, naming both."""
        votes = [{"user_id": 10 + i, "user_name": f"M{i}", "score": 1} for i in range(count)]
        data = broken(lambda d: first_tp(d).update(votes=votes))
        if not refused:
            assert len(import_file(uow, data).touchpoints[0].votes) == count
            return
        with pytest.raises(ImportRefused) as error:
            exports.parse_map_json(data)
        assert error.value.params == {
            "reason": "too_many",
            "where": "map.stages.0.touchpoints.0.votes",
            "limit": MAX_VOTES_PER_TOUCHPOINT,
        }

    def test_exactly_the_limit_is_read(self):
        """A file of exactly 2 MB is read (and here refused only for not being JSON)."""
        with pytest.raises(ImportRefused) as refused:
            exports.parse_map_json(b"x" * exports.MAX_IMPORT_BYTES)

        assert refused.value.params["reason"] == "not_json"


# --- Property: any map survives export → import → export -------------------------------------

# Text rich in what breaks naive handling: emoji, RTL, CJK, combining marks, spreadsheet and
# Mermaid syntax characters, controls and odd whitespace.
glyphs = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        [
            *"👍🏽🙂😡🇩🇪🛒中文字日本語한국어שלוםمرحباЯё",
            *"\u200f\u202e\u0301 é",
            *":;#=+-@,|%\"'\\\n\t\x00\x85",
        ]
    ),
)
telegram_glyphs = st.characters(codec="utf-8", exclude_categories=("Cc",))


def cleaned(limit: int, *, multiline: bool = False):
    """Text as the services would store it (strategies filter out what clean_text refuses)."""

    def clean(raw: str) -> str | None:
        try:
            return clean_text(raw, field="f", limit=limit, multiline=multiline)
        except (TextEmpty, TextBlank):
            return None

    return st.text(glyphs, min_size=1, max_size=min(limit, 60)).map(clean).filter(bool)


def optional(strategy):
    return st.none() | strategy


names = cleaned(NAME_MAX_CHARS)
texts = cleaned(TEXT_MAX_CHARS, multiline=True)
votes = st.fixed_dictionaries(
    {
        "user_id": st.integers(-(2**63), 2**63 - 1),
        "user_name": st.text(telegram_glyphs, max_size=30),
        "score": optional(st.integers(-2, 2)),
        "note": optional(cleaned(NOTE_MAX_CHARS, multiline=True)),
    }
)
touchpoint_dicts = st.fixed_dictionaries(
    {
        "name": names,
        "channel": optional(cleaned(40)),
        "mode": optional(st.sampled_from([m.value for m in Mode])),
        "is_moment_of_truth": st.booleans(),
        "votes": st.lists(votes, max_size=4, unique_by=lambda v: v["user_id"]),
    }
)
numbers = st.floats(allow_nan=False, allow_infinity=False)
kpi_values = st.lists(
    st.fixed_dictionaries({"measured_on": st.dates(), "value": numbers | st.integers(-99, 99)}),
    max_size=4,
    unique_by=lambda v: v["measured_on"],
).map(  # oldest first, as the bot lists them; a date as the file writes it
    lambda values: [
        {"measured_on": v["measured_on"].isoformat(), "value": v["value"]}
        for v in sorted(values, key=lambda v: v["measured_on"])
    ]
)
kpi_dicts = st.fixed_dictionaries(
    {
        "name": names,
        # Raw text: the document collapses its spaces and drops controls, as /kpi would.
        # As /kpi stores it: normalised (NFKC can lengthen "¼" to "1⁄4"), then within the limit.
        "unit": optional(
            st.text(glyphs, max_size=KPI_UNIT_MAX_CHARS)
            .map(normalise)
            .filter(lambda unit: len(unit) <= KPI_UNIT_MAX_CHARS)
        ),
        "target": optional(numbers),
        "direction": st.sampled_from([d.value for d in KpiDirection]),
        "values": kpi_values,
    }
)
stage_dicts = st.fixed_dictionaries(
    {
        "name": names,
        "customer_goal": optional(texts),
        "touchpoints": st.lists(
            touchpoint_dicts, max_size=8, unique_by=lambda t: t["name"].casefold()
        ),
        "kpis": st.lists(
            kpi_dicts, max_size=MAX_KPIS_PER_STAGE, unique_by=lambda k: k["name"].casefold()
        ),
    }
)
fix_dicts = st.fixed_dictionaries(
    {
        "text": texts,
        "owner_name": optional(st.text(telegram_glyphs, max_size=30)),
        "status": st.sampled_from([s.value for s in FixStatus]),
        "due_on": optional(st.dates().map(lambda d: d.isoformat())),
    }
)


@st.composite
def documents(draw) -> MapDocument:
    """A random valid map, pains listed stage by stage as the bot lists them."""
    stage_list = draw(
        st.lists(stage_dicts, max_size=MAX_STAGES, unique_by=lambda s: s["name"].casefold())
    )
    pain_list = []
    for _ in range(draw(st.integers(0, 6)) if stage_list else 0):
        stage = draw(st.integers(0, len(stage_list) - 1))
        count = len(stage_list[stage]["touchpoints"])
        pain_list.append(
            {
                "stage": stage,
                "touchpoint": draw(optional(st.integers(0, count - 1))) if count else None,
                "text": draw(texts),
                "category": draw(optional(st.sampled_from([c.value for c in PainCategory]))),
                "severity": draw(st.sampled_from([s.value for s in Severity])),
                "source": draw(st.sampled_from([s.value for s in PainSource])),
                "fixes": draw(st.lists(fix_dicts, max_size=3)),
            }
        )
    pain_list.sort(key=lambda pain: pain["stage"])
    return MapDocument.model_validate(
        {
            "title": draw(cleaned(TITLE_MAX_CHARS)),
            "segment": draw(optional(cleaned(200))),
            "status": draw(st.sampled_from([s.value for s in MapStatus])),
            "persona": {field.value: draw(optional(texts)) for field in PersonaField},
            "stages": stage_list,
            "pains": pain_list,
        }
    )


chat_ids = itertools.count(-2_000_000, -1)  # a new chat per example: no title clashes or limits


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents())
@example(
    document=MapDocument.model_validate(
        {
            "title": '=HYPERLINK("x") 🛒',
            "stages": [
                {
                    "name": "שלב",
                    "touchpoints": [
                        {
                            "name": "中",
                            "is_moment_of_truth": True,
                            "votes": [{"user_id": -1, "user_name": " ", "score": -2}],
                        }
                    ],
                    "kpis": [
                        {
                            "name": "=1+1",
                            "unit": " \x00% \n",
                            "target": -0.0,
                            "direction": "down",
                            "values": [
                                {"measured_on": "0001-01-01", "value": 1.7976931348623157e308},
                                {"measured_on": "2026-11-26", "value": 3},
                                {"measured_on": "9999-12-31", "value": -5e-324},
                            ],
                        }
                    ],
                }
            ],
            "pains": [
                {
                    "stage": 0,
                    "touchpoint": 0,
                    "text": "x",
                    "fixes": [{"text": "y", "due_on": "0001-01-01"}],
                }
            ],
        }
    )
)
def test_any_map_survives_export_import_export(uow, document):
    """Import any map, export, import that elsewhere, export again: same bytes, same map."""
    first = import_into(uow, document, chat_id=next(chat_ids))
    data = exports.map_to_json(first)

    parsed = exports.parse_map_json(data)
    second = import_into(uow, parsed, chat_id=next(chat_ids))

    assert parsed == document
    assert exports.map_to_json(second) == data


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents())
def test_every_format_exports_any_map(uow, document):
    """XLSX, CSV and Mermaid never fail; Mermaid has one line per stage and touchpoint."""
    view = import_into(uow, document, chat_id=next(chat_ids))

    assert exports.map_to_xlsx(view).startswith(b"PK")
    assert exports.map_to_csv_zip(view).startswith(b"PK")
    lines = exports.map_to_mermaid(view).splitlines()
    body = [line for line in lines[1:] if not line.startswith("    title ")]
    assert len(body) == len(view.stages) + len(view.touchpoints)
    for line in body:
        assert not set(line) & set(";#\r\n\t")
        if line.startswith("    section "):
            assert ":" not in line
        else:  # "      name: score" or "      name: score: voters"
            assert 1 <= line.count(":") <= 2
            assert line.split(": ")[1] in "12345"
    name = exports.export_filename(view, "xlsx")
    assert name.endswith(".xlsx")
    assert not any(char in name for char in '/\\:*?"<>| ')
