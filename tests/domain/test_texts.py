"""Every chat text, as people read it: each item on its own line, in every language.

The walk renders every template and every macro under templates/chat (what is there, not a
hand list) with sample values, and reads the lines: no two items run together.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import nodes

from bot.context import _focus_context
from bot.errors import errors_template
from bot.handlers.chat import COMMANDS, CUSTOMER_COMMANDS
from cjm.db import UnitOfWork
from cjm.models import Cadence, PendingKind, PersonaField, Step
from cjm.render.texts import TEMPLATES_DIR, Texts
from cjm.services import reviews
from cjm.services.chats import LANGUAGES
from cjm.views import Cancelled, CardView, Kept, MapView, Skipped, TouchpointScore, Unconfirmed
from cjm.views.reminders import FixReminder
from tests.double import parse_html
from tests.factories import ALICE, TEAM_CHAT_ID, make_full_map, utc

CHAT = TEMPLATES_DIR / "chat"
TEXTS = Texts()

# Values for macro arguments, by name; SAMPLE_ARGS overrides them per macro.
ARG_VALUES: dict[str, list[Any]] = {
    "user_id": [1001],
    "shown": ["Search ad"],
    "command": ["newmap", "timezone"],
    "step": [s.value for s in Step],
    "field": ["name", "persona.role", "comment", "title"],
    "category": ["financial", None],
    "severity": ["high", "low"],
    "status": ["idea", "done", "open"],
    "mode": ["online", "offline"],
    "channel": ["website", "Telegram"],
    "kind": ["stage", "touchpoint", "nps", "csat", "ces"],
    "name": ["Поиск", "Checkout"],
    "title": ["Onboarding"],
    "number": [3],
    "done": [True, False],
    "value": ["website", 7],
    "chosen": [True, False],
    "code": ["ru"],
    "fmt": ["html"],
    "ask": [True],
    "comment": ["Too slow"],
    "n": [1, 3],
    "agreed": [True, False],
    "marked": [True, False],
    "cadence": ["weekly", "weekdays"],
    "day": [0, 6],
    "time": ["09:00"],
    "count": [1, 2, 5, 21],
    "limit": [12],
    "length": [130],
    "text": ["25:99"],
    "date": ["2026-12-01"],
    "language": ["xx"],
    "available": ["en, ru"],
    "reason": ["too_big", "closed"],
    "where": [None, "stages"],
    "limit_mb": [None, 5],
    "suggestions": ["", "Etc/GMT-3, Europe/Moscow"],
    "map_deleted": [False, True],
    "current": [None, "Marina"],
    "pain": [None, "Slow page"],
    "touchpoint": ["Checkout"],
    "verb": ["added", "voted"],
    "action": ["stage.added", "fix.due_set"],
    "icon": ["🧑"],
    "template": ["b2c"],
    "brand": [None, "Acme"],
    "held_kind": ["map.title", "fix.owner"],
}


def _kpi(**changes: Any) -> SimpleNamespace:
    kpi = SimpleNamespace(
        name="Conversion",
        unit="%",
        latest=SimpleNamespace(value=3.5),
        target=5.0,
        on_target=False,
        trend=1,
        improving=True,
    )
    for key, value in changes.items():
        setattr(kpi, key, value)
    return kpi


def replace_ns(ns: SimpleNamespace, **changes: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**vars(ns), **changes})


def _survey(**changes: Any) -> SimpleNamespace:
    survey = SimpleNamespace(
        kind="nps",
        touchpoint_name="Checkout",
        question=None,
        status="open",
        ask_why=True,
        ends_on=date(2026, 12, 20),
        max_responses=100,
        responses=1,
        may_ask_again=1,
    )
    for key, value in changes.items():
        setattr(survey, key, value)
    return survey


def _summary(kind: str, n: int) -> SimpleNamespace:
    interval = SimpleNamespace(low=-10.0, high=40.0)
    breakdown = (
        {"promoters": 3, "passives": 1, "detractors": 1} if kind == "nps" else {"1": 2, "5": 3}
    )
    return SimpleNamespace(
        kind=kind, score=12.0, interval=interval, n=n, breakdown=breakdown, easy_share=60.0
    )


def _digest(journey: MapView) -> SimpleNamespace:
    return SimpleNamespace(
        map_title=journey.title,
        tz="Asia/Shanghai",
        since=utc(2026, 11, 30, 1),
        changes=[
            SimpleNamespace(
                actor_name="Alice", action="stage.added", count=3, examples=["Поиск", "Buy"]
            ),
            SimpleNamespace(actor_name="Bob", action="emotion.voted", count=1, examples=[]),
        ],
        changes_more=2,
        open_fixes=[
            SimpleNamespace(
                text="Validate promo codes",
                owner_name="@bob_ops",
                status=SimpleNamespace(value="planned"),
                due_on=date(2026, 12, 1),
                overdue=True,
            ),
            SimpleNamespace(
                text="Remember the address",
                owner_name=None,
                status=SimpleNamespace(value="idea"),
                due_on=None,
                overdue=False,
            ),
        ],
        overdue_count=1,
        fixes_more=1,
        surveys=[
            SimpleNamespace(
                touchpoint_name="Checkout", kind="nps", score=20.0, change=5.0, new_answers=1
            ),
            SimpleNamespace(
                touchpoint_name=None, kind="csat", score=80.0, change=None, new_answers=4
            ),
        ],
        unmeasured=["Search ad", "Friend's tip"],
        unmeasured_more=2,
        empty_steps=["emotions", "fixes"],
        stages_without_touchpoints=["Buy"],
        kpis=[
            SimpleNamespace(
                stage="Buy",
                name="Conversion",
                value=3.5,
                unit="%",
                target=5.0,
                change=0.5,
                better=True,
            ),
            SimpleNamespace(
                stage="Buy",
                name="Refunds",
                value=2.0,
                unit="",
                target=None,
                change=None,
                better=False,
            ),
        ],
        hotspots=["Checkout", "Search ad"],
    )


def _review_cards(uow: Callable[[], UnitOfWork], journey: MapView) -> list[Any]:
    weekly = reviews.set_cadence(
        uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, cadence=Cadence.WEEKLY, actor=ALICE
    )
    return [
        replace(weekly, exists=False, cadence=None, next_at=None),
        weekly,
        replace(weekly, tz="Asia/Shanghai", passed_today=True),
        replace(weekly, cadence=Cadence.WEEKDAYS, weekdays=0b0011111),
        replace(weekly, cadence=Cadence.MONTHLY, anchor_day=31),
        replace(weekly, paused=True, pause_reason="chat_unreachable"),
    ]


def page_samples(uow: Callable[[], UnitOfWork]) -> dict[str, list[dict[str, Any]]]:
    """Context samples for every template rendered whole."""
    journey = make_full_map(uow)
    kpi_line = {"name": "Conversion", "kpi": _kpi()}
    cards = [CardView(journey, step) for step in Step]
    reminder = FixReminder(
        TEAM_CHAT_ID,
        journey.id,
        "en",
        1,
        "Validate promo codes",
        "@bob_ops",
        date(2026, 12, 8),
        False,
    )
    hotspot = SimpleNamespace(
        touchpoint=journey.touchpoints[0],
        stage=journey.stages[0],
        score=1.25,
        reasons=[
            SimpleNamespace(kind="emotion", value=-1.5),
            SimpleNamespace(kind="nps", value=-20.0),
        ],
        open_pain=journey.pains[0],
    )
    return {
        "chat/answered.html": [
            {
                "kind": "hotspot.fix",
                "outcome": SimpleNamespace(added_fix=True, fix_text="A", pain_text="B"),
            },
            {
                "kind": "hotspot.fix",
                "outcome": SimpleNamespace(added_fix=False, pain_text="B", touchpoint_name="C"),
            },
            {"kind": "kpi.add", "outcome": SimpleNamespace(**kpi_line)},
            {
                "kind": "kpi.value",
                "outcome": SimpleNamespace(
                    replaced=True, measured_on=date(2026, 12, 7), kpi=_kpi()
                ),
            },
        ],
        "chat/cancelled.html": [
            {"cancelled": Cancelled(questions=q, held=h)} for q, h in ((0, 0), (1, 0), (2, 1))
        ],
        "chat/held/ask.html": [
            {
                "held": Unconfirmed(
                    1, PendingKind.MAP_TITLE, "onboarding", "title_taken", ("Onboarding",)
                )
            },
            {"held": Unconfirmed(1, PendingKind.FIX_OWNER, "@x_bot", "owner_bot", ("@x_bot",))},
            {"held": Unconfirmed(1, PendingKind.FIX_OWNER, "@x", "owner_unknown", ("@x", "@y"))},
            {
                "held": Unconfirmed(
                    1, PendingKind.FIX_DUE, "2999-01-01", "due_far", (), date(2999, 1, 1)
                )
            },
        ],
        "chat/held/kept.html": [
            {"kept": Kept(PendingKind.MAP_TITLE, "onboarding", map=journey), "who": "Olga"},
            {"kept": Kept(PendingKind.FIX_OWNER, "@x_bot"), "who": "Olga"},
            {
                "kept": Kept(PendingKind.FIX_DUE, "2999-01-01", due_on=date(2999, 1, 1)),
                "who": "Olga",
            },
        ],
        "chat/held/dropped.html": [{"value": "@x_bot"}],
        "chat/skipped.html": [
            {"skipped": Skipped(kind, names)}
            for kind in ("stage", "touchpoint")
            for names in (("Поиск",), ("Поиск", "Buy"))
        ],
        "chat/confirm_delete.html": [{"kind": "stage", "name": "Поиск"}],
        "chat/customers/privacy.html": [{}],
        "chat/customers/progress.html": [
            {"p": SimpleNamespace(finished=f, total=t, sent=t, failed=0, blocked=0, left=0)}
            for f in (True, False)
            for t in (1, 2, 5)
        ],
        "chat/customers/question.html": [
            {
                "q": SimpleNamespace(
                    touchpoint_name="Checkout",
                    question=question,
                    kind=kind,
                    current_score=score,
                    brand=brand,
                ),
                "group": group,
                "responses": 1,
            }
            for question, kind, score, group, brand in (
                (None, "nps", None, True, None),
                (None, "nps", 7, False, "Acme"),
                (None, "csat", 4, False, None),
                (None, "ces", None, False, "Acme"),
                ("How was it?", "ces", None, False, "Acme"),
            )
        ],
        "chat/customers/welcome.html": [{}],
        "chat/brand.html": [
            {"brand": brand, "changed": changed}
            for brand, changed in ((None, False), ("Acme", False), ("Acme", True))
        ],
        "chat/customers/thanks.html": [{}],
        "chat/customers/why.html": [{}],
        "chat/help.html": [{"command_names": COMMANDS}],
        "chat/insights/hotspots.html": [
            {"report": SimpleNamespace(map=journey, hotspots=[hotspot, hotspot])},
            {"report": SimpleNamespace(map=journey, hotspots=[])},
        ],
        "chat/insights/kpis.html": [
            {
                "board": SimpleNamespace(
                    title=journey.title,
                    stages=[
                        SimpleNamespace(stage=journey.stages[0], kpis=[_kpi(), _kpi(latest=None)]),
                        SimpleNamespace(stage=journey.stages[1], kpis=[]),
                    ],
                ),
                "picking": picking,
            }
            for picking in (True, False)
        ],
        "chat/language.html": [{}],
        "chat/language_set.html": [{}],
        "chat/maps/confirm_delete.html": [{"map": journey}],
        "chat/maps/created.html": [{"map": journey}],
        "chat/maps/deleted.html": [{"title": journey.title, "who": "Alice"}],
        "chat/maps/export.html": [{}],
        "chat/maps/imported.html": [{"map": journey}],
        "chat/maps/kept.html": [{"map": journey}],
        "chat/maps/list.html": [
            {
                "summaries": [
                    SimpleNamespace(is_current=True, title="A", stage_count=1, touchpoint_count=1),
                    SimpleNamespace(
                        is_current=False, title="B", stage_count=2, touchpoint_count=5
                    ),
                ]
            },
            {"summaries": []},
        ],
        "chat/maps/switched.html": [{"map": journey}],
        "chat/reviews/card.html": [{"card": card} for card in _review_cards(uow, journey)],
        "chat/reviews/history.html": [
            {
                "page": SimpleNamespace(
                    map_title=journey.title,
                    page=0,
                    pages=2,
                    tz="Asia/Shanghai",
                    items=[
                        SimpleNamespace(
                            at=utc(2026, 12, 7, 12, 13),
                            actor_name="Alice",
                            action="stage.added",
                            summary="Поиск",
                        ),
                        SimpleNamespace(
                            at=utc(2026, 12, 7, 12, 14),
                            actor_name="Bob",
                            action="fix.due_set",
                            summary=None,
                        ),
                    ],
                )
            }
        ],
        "chat/reviews/reminder.html": [
            {"reminder": reminder},
            {"reminder": replace(reminder, overdue=True, owner_name=None)},
        ],
        "chat/reviews/timezone.html": [
            {"changed": changed, "tz": "Asia/Shanghai", "now": utc(2026, 12, 7, 12, 13)}
            for changed in (True, False)
        ],
        "chat/steps/emotions.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.EMOTIONS
        ],
        "chat/steps/fixes.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.FIXES
        ],
        "chat/steps/pains.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.PAINS
        ],
        "chat/steps/persona.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.PERSONA
        ],
        "chat/steps/stages.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.STAGES
        ],
        "chat/steps/touchpoints.html": [
            {"card": c, **_focus_context(c)} for c in cards if c.step is Step.TOUCHPOINTS
        ],
        "chat/surveys/card.html": [{"survey": _survey(), "link": "https://t.me/x?start=s1"}],
        "chat/surveys/qr.html": [{"touchpoint": "Checkout"}],
        "chat/surveys/setup.html": [
            {"step": "touchpoint", "stage": journey.stages[0], "touchpoint": None, "kind": None},
            {"step": "kind", "stage": None, "touchpoint": journey.touchpoints[0], "kind": None},
            {"step": "why", "stage": None, "touchpoint": journey.touchpoints[0], "kind": "nps"},
        ],
        "chat/welcome.html": [{}],
    }


def macro_samples(uow: Callable[[], UnitOfWork]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Argument samples for macros whose arguments are objects, not names."""
    journey = make_full_map(uow, title="Samples")
    score = TouchpointScore("nps", 12.0, 1, 1)
    result = SimpleNamespace(
        survey=_survey(),
        summary=_summary("nps", 5),
        weeks=[SimpleNamespace(week_start=date(2026, 11, 30), score=10.0, n=1)] * 2,
        comments=[SimpleNamespace(is_low=True, score=2, comment="Slow")] * 2,
    )
    return {
        ("chat/common.html", "emotion_line"): [{"tp": tp} for tp in journey.touchpoints],
        ("chat/common.html", "score_line"): [
            {"score": score},
            {"score": TouchpointScore("csat", 80.0, 21, -1)},
            {"score": TouchpointScore("ces", 5.2, 2, 0)},
        ],
        ("chat/customers/notes.html", "answered"): [{"score": 7}],
        ("chat/insights/common.html", "number"): [{"value": -1.5}],
        ("chat/insights/common.html", "amount"): [
            {"value": 3.5, "unit": "%"},
            {"value": 2, "unit": "h"},
        ],
        ("chat/insights/common.html", "trend"): [{"kpi": _kpi()}],
        ("chat/insights/common.html", "kpi_line"): [
            {"kpi": _kpi()},
            {"kpi": _kpi(latest=None, target=None)},
        ],
        ("chat/insights/common.html", "reason"): [
            {"r": SimpleNamespace(kind=kind, value=value, severity=severity)}
            for kind, value, severity in (
                ("emotion", -1.0, None),
                ("pains", 1, "high"),
                ("pains", 2, "medium"),
                ("pains", 5, "low"),
                ("moment", 1, None),
            )
        ],
        ("chat/insights/hotspots.html", "why"): [
            {"h": SimpleNamespace(reasons=[SimpleNamespace(kind="csat", value=40.0)])}
        ],
        ("chat/labels.html", "score"): [{"kind": "nps", "value": 7, "chosen": True}],
        ("chat/labels.html", "survey_send"): [{"n": n} for n in (1, 2, 5)],
        ("chat/labels.html", "hotspot_fix"): [{"number": 1, "name": "Checkout"}],
        ("chat/labels.html", "kpi_stage"): [{"number": 1, "name": "Buy"}],
        ("chat/labels.html", "survey_add_pain"): [{"comment": "Too slow"}],
        ("chat/maps/summary.html", "header"): [{"map": journey}],
        ("chat/maps/summary.html", "stage"): [
            {
                "map": journey,
                "stage": stage,
                "number": n,
                "scores": {journey.touchpoints[0].id: score},
            }
            for n, stage in enumerate(journey.stages, start=1)
        ],
        ("chat/maps/summary.html", "footer"): [{"map": journey}],
        ("chat/questions.html", "survey_question"): [{"survey": _survey()}],
        ("chat/questions.html", "survey_end"): [{"survey": _survey()}],
        ("chat/questions.html", "survey_cap"): [{"survey": _survey()}],
        ("chat/questions.html", "kpi_add"): [{"stage": journey.stages[0].name}],
        ("chat/questions.html", "persona_field"): [
            {"field": "name", "current": None},
            {"field": "role", "current": "Student"},
        ],
        ("chat/reviews/answers.html", "snoozed"): [
            {"until": utc(2026, 12, 7, 12, 13), "tz": "Asia/Shanghai"}
        ],
        ("chat/reviews/common.html", "score"): [
            {"kind": "nps", "value": 12.0},
            {"kind": "ces", "value": None},
        ],
        ("chat/steps/_header.html", "header"): [
            {"card": CardView(journey, Step.STAGES), "number": 2, "icon": "🧭"}
        ],
        ("chat/surveys/chart.html", "title"): [{"survey": _survey()}],
        ("chat/surveys/common.html", "question"): [{"survey": _survey()}],
        ("chat/surveys/common.html", "touchpoint"): [{"survey": _survey(touchpoint_name=None)}],
        ("chat/surveys/common.html", "nps"): [{"value": -12.0}],
        ("chat/surveys/common.html", "pct"): [{"value": 80.0}],
        ("chat/surveys/common.html", "mean"): [{"value": 5.2}],
        ("chat/surveys/common.html", "score"): [
            {"summary": _summary(kind, n)} for kind in ("nps", "csat", "ces") for n in (1, 5)
        ],
        ("chat/surveys/common.html", "week_score"): [{"kind": "nps", "value": 12.0}],
        ("chat/surveys/results.html", "survey_block"): [
            {"result": result},
            {
                "result": replace_ns(
                    result, survey=_survey(kind="csat"), summary=_summary("csat", 5)
                )
            },
        ],
        **{
            ("chat/reviews/digest.html", name): [{"d": _digest(journey)}]
            for name in (
                "header",
                "changes",
                "fixes",
                "surveys",
                "unmeasured",
                "empty",
                "kpis",
                "hotspots",
            )
        },
    }


def chat_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES_DIR)) for p in CHAT.rglob("*.html"))


def macros_of(template: str) -> list[nodes.Macro]:
    env = TEXTS.environment("en")
    source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
    return list(env.parse(source).find_all(nodes.Macro))


def is_page(template: str) -> bool:
    """A template rendered whole (it shows text outside its macros), not only a macro library."""
    env = TEXTS.environment("en")
    source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
    body = [
        n
        for n in env.parse(source).body
        if not isinstance(n, (nodes.Macro, nodes.Import, nodes.FromImport))
    ]
    return any(
        not isinstance(n, nodes.Output)
        or any(not isinstance(c, nodes.TemplateData) or c.data.strip() for c in n.nodes)
        for n in body
    )


def arg_samples(
    template: str, macro: nodes.Macro, explicit: dict[tuple[str, str], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    if (template, macro.name) in explicit:
        return explicit[(template, macro.name)]
    names = [arg.name for arg in macro.args]
    if not names:
        return [{}]
    longest = max(len(ARG_VALUES[name]) for name in names)
    return [
        {name: ARG_VALUES[name][i % len(ARG_VALUES[name])] for name in names}
        for i in range(longest)
    ]


# --- reading lines -----------------------------------------------------------------------

_GLUED_SPACES = re.compile(r"\S {2,}\S")
_ENDS = ".!?:;)»”"


def glued(text: str) -> list[str]:
    """The lines of a message (as Telegram shows it) where two items run together."""
    shown = parse_html(text).text
    problems = ["two blank lines in a row"] if "\n\n\n" in shown.strip() else []
    for line in shown.split("\n"):
        if _GLUED_SPACES.search(line.strip()):
            problems.append(line)
            continue
        for before, after in itertools.pairwise(line):
            if before in _ENDS and (after.isupper() or unicodedata.category(after) == "So"):
                problems.append(line)
                break
    return problems


def rendered(uow: Callable[[], UnitOfWork]) -> Iterator[tuple[str, str, str]]:
    """(where, language, text) for every template and macro with every sample."""
    pages = page_samples(uow)
    explicit = macro_samples(uow)
    for template in chat_templates():
        for language in LANGUAGES:
            env = TEXTS.environment(language)
            if is_page(template):
                for context in pages[template]:
                    yield template, language, env.get_template(template).render(**context)
            module = env.get_template(template).make_module(pages.get(template, [{}])[0])
            for macro in macros_of(template):
                for params in arg_samples(template, macro, explicit):
                    text = str(getattr(module, macro.name)(**params))
                    yield f"{template}:{macro.name}", language, text


def test_every_template_and_macro_has_samples(uow: Callable[[], UnitOfWork]) -> None:
    """The walk covers what is there: a new template or macro argument needs a sample."""
    pages = page_samples(uow)
    explicit = macro_samples(uow)
    for template in chat_templates():
        if is_page(template):
            assert template in pages, f"{template}: add a context sample to page_samples"
        for macro in macros_of(template):
            if (template, macro.name) not in explicit:
                missing = [a.name for a in macro.args if a.name not in ARG_VALUES]
                assert not missing, f"{template}:{macro.name}: no sample for {missing}"


def test_no_two_items_share_a_line(uow: Callable[[], UnitOfWork]) -> None:
    """Every item starts its own line in every text of every language."""
    problems = [
        f"{where} [{language}]: {line!r}"
        for where, language, text in rendered(uow)
        for line in glued(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Review weekly at 09:00 (Asia/Shanghai).On: Mon", True),
        ("Reviews and reminders follow it.⏰ Local time now", True),
        ("Due tomorrow (@bob_ops):Validate promo codes", True),
        ("📍 Blog post 🙂 +0.7 (3 votes)  📍 LinkedIn ad", True),
        ("Review weekly at 09:00 (Asia/Shanghai).\nOn: Mon", False),
        ("  📍 Blog post 🙂 +0.7 (3 votes) · e.g. /timezone Europe/Berlin, 8:13", False),
    ],
)
def test_the_reader_sees_glued_items(text: str, bad: bool) -> None:
    """The line reader itself: it catches each way items ran together, and nothing else."""
    assert bool(glued(text)) is bad


# --- plurals, names and dates in the chat's language -------------------------------------


def _macro(language: str, template: str, name: str, **params: Any) -> str:
    return parse_html(TEXTS.macro(language, template, name, **params)).text


def _page(language: str, template: str, **context: Any) -> str:
    return parse_html(TEXTS.render(language, template, **context)).text


@pytest.mark.parametrize(
    ("language", "total", "line"),
    [
        ("en", 1, "📣 Survey sent to 1 customer."),
        ("en", 2, "📣 Survey sent to 2 customers."),
        ("ru", 1, "📣 Опрос разослан 1 клиенту."),
        ("ru", 3, "📣 Опрос разослан 3 клиентам."),
        ("ru", 21, "📣 Опрос разослан 21 клиенту."),
    ],
)
def test_a_broadcast_counts_its_customers(language: str, total: int, line: str) -> None:
    """ "sent to 1 customers" is gone: the catalog's plural form of the count."""
    p = SimpleNamespace(finished=True, total=total, sent=total, failed=0, blocked=0, left=0)
    assert _page(language, "chat/customers/progress.html", p=p).split("\n")[0] == line


@pytest.mark.parametrize(
    ("language", "counts", "expected"),
    [
        ("en", (1, 1), "1 stage, 1 touchpoint"),
        ("en", (2, 5), "2 stages, 5 touchpoints"),
        ("ru", (1, 1), "1 этап, 1 точка контакта"),
        ("ru", (2, 3), "2 этапа, 3 точки контакта"),
        ("ru", (5, 11), "5 этапов, 11 точек контакта"),
    ],
)
def test_the_map_list_counts_stages_and_touchpoints(
    language: str, counts: tuple[int, int], expected: str
) -> None:
    """/maps: each count takes its own plural form."""
    summary = SimpleNamespace(
        is_current=True, title="A", stage_count=counts[0], touchpoint_count=counts[1]
    )
    lines = _page(language, "chat/maps/list.html", summaries=[summary]).split("\n")
    assert lines[2] == f"▶ A — {expected}"


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "+1 answer"),
        ("en", 4, "+4 answers"),
        ("ru", 1, "+1 ответ"),
        ("ru", 2, "+2 ответа"),
        ("ru", 5, "+5 ответов"),
    ],
)
def test_the_digest_counts_new_answers(language: str, n: int, expected: str) -> None:
    """The digest's survey line: "(1 answers)" is gone."""
    d = SimpleNamespace(
        surveys=[
            SimpleNamespace(
                touchpoint_name="Checkout", kind="ces", score=5.0, change=None, new_answers=n
            )
        ]
    )
    lines = _macro(language, "chat/reviews/digest.html", "surveys", d=d).split("\n")
    assert lines[1] == f"📊 Checkout: CES 5.0 · {expected}"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 1, "(1 answer)"),
        ("en", 2, "(2 answers)"),
        ("ru", 1, "(1 ответ)"),
        ("ru", 3, "(3 ответа)"),
        ("ru", 12, "(12 ответов)"),
    ],
)
def test_forgetting_counts_the_answers(language: str, count: int, expected: str) -> None:
    """/forgetme says how many answers went, in the right form."""
    assert expected in _macro(language, "chat/customers/notes.html", "forgotten", count=count)


def _fields_in_code() -> list[str]:
    """Every field name the core refuses text for (`clean_text(…, field="…")`)."""
    root = TEMPLATES_DIR.parent / "cjm"
    found = {
        name
        for path in root.rglob("*.py")
        for name in re.findall(r'field="([a-z_]+)"', path.read_text())
    }
    return sorted(found | {f"persona.{f.value}" for f in PersonaField})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("field", _fields_in_code())
def test_every_field_has_a_name_in_the_chats_language(field: str, language: str) -> None:
    """ "Поле «comment»" is gone: each field the core names has its own label."""
    label = _macro(language, "chat/errors.html", "field_label", field=field)
    fallback = _macro(language, "chat/errors.html", "field_label", field="no such field")
    assert label != fallback
    assert language == "en" or label != field


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "✋ The comment can be at most 1000 characters; yours has 1204. Nothing was saved: "
            "reply again with a shorter text.",
        ),
        (
            "ru",
            "✋ Поле «комментарий» может содержать не более 1000 символов, а у вас — 1204. "
            "Ничего не сохранено: ответьте ещё раз текстом покороче.",
        ),
    ],
)
def test_a_too_long_comment_is_named_in_the_chats_language(language: str, expected: str) -> None:
    text = _macro(
        language, "chat/errors.html", "text_too_long", field="comment", limit=1000, length=1204
    )
    assert text == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "⏰ Local time now: Dec 7, 2026, 8:13\u202fPM"),
        ("ru", "⏰ Местное время сейчас: 7 дек. 2026\u202fг., 20:13"),
    ],
)
def test_times_are_on_the_chats_clock_in_its_language(language: str, expected: str) -> None:
    """A Shanghai team at 12:13 UTC sees 20:13, written out, never the US "12/7/26"."""
    text = _page(
        language,
        "chat/reviews/timezone.html",
        changed=False,
        tz="Asia/Shanghai",
        now=utc(2026, 12, 7, 12, 13),
    )
    assert text.split("\n")[-1] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "📅 Dec 1, 2026 has already passed. Reply with a date from today on."),
        ("ru", "📅 Дата 1 дек. 2026\u202fг. уже прошла. Ответьте датой не раньше сегодняшней."),
    ],
)
def test_a_date_in_an_error_is_written_in_the_chats_language(language: str, expected: str) -> None:
    """The core names the day in ISO; the text writes it as the language does."""
    assert _macro(language, "chat/errors.html", "date_in_past", date="2026-12-01") == expected


# --- a private chat's errors name no team command ------------------------------------------

_COMMAND_IN_TEXT = re.compile(r"(?<![\w/])/([a-z_]+)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_error_a_private_chat_reads_names_a_team_command(
    uow: Callable[[], UnitOfWork], language: str
) -> None:
    """Each error code, as a private chat gets it (bot/errors.py), names customer commands only.

    A new error whose team wording names a team command needs its customer wording in
    templates/chat/customers/errors.html.
    """
    explicit = macro_samples(uow)
    named: dict[str, set[str]] = {}
    for macro in macros_of("chat/errors.html"):
        if macro.name == "field_label":
            continue
        template = errors_template(TEXTS, language, macro.name, private=True)
        for params in arg_samples("chat/errors.html", macro, explicit):
            text = TEXTS.macro(language, template, macro.name, **params)
            found = set(_COMMAND_IN_TEXT.findall(text)) - set(CUSTOMER_COMMANDS)
            if found:
                named.setdefault(macro.name, set()).update(found)
    assert named == {}
    assert errors_template(TEXTS, language, "stale_button", private=False) == "chat/errors.html"
