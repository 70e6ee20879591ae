"""The map as a picture: a PNG of any map, readable on a phone, that Telegram takes."""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from PIL import Image

from bot.limits import fits_telegram_photo
from cjm import views
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
from cjm.render.lettering import Lettering
from cjm.render.png import (
    PictureLabels,
    TouchpointScore,
    build_map_figure,
    png_size,
    render_map_png,
    smallest_font_px,
)
from cjm.views import (
    FixView,
    KpiPoint,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointView,
    VoteView,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WHEN = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Ids:
    """Fresh ids for one map."""

    def __init__(self):
        self._next = itertools.count(1)

    def __call__(self):
        return next(self._next)


def votes(*scores):
    return tuple(
        VoteView(user_id=i, user_name=f"Member {i}", score=s, note=None)
        for i, s in enumerate(scores, start=1)
    )


def touchpoint(ids, stage_id, position, name, channel=None, mode=None, scores=()):
    return TouchpointView(
        id=ids(),
        stage_id=stage_id,
        position=position,
        name=name,
        channel=channel,
        mode=mode,
        votes=votes(*scores),
    )


def stage(ids, position, name, goal=None, touchpoints=()):
    """A stage; touchpoints are (name, channel, mode, scores) tuples."""
    stage_id = ids()
    tps = tuple(touchpoint(ids, stage_id, i, *spec) for i, spec in enumerate(touchpoints, start=1))
    return StageView(
        id=stage_id, position=position, name=name, customer_goal=goal, touchpoints=tps
    )


def pain(ids, at, text, severity=Severity.MEDIUM, fixes=()):
    """A pain at a stage or touchpoint; fixes are (text, owner, status, due) tuples."""
    pain_id = ids()
    stage_id = at.stage_id if isinstance(at, TouchpointView) else at.id
    tp_id = at.id if isinstance(at, TouchpointView) else None
    return PainView(
        id=pain_id,
        stage_id=stage_id,
        touchpoint_id=tp_id,
        text=text,
        category=PainCategory.PROCESS,
        severity=severity,
        source=PainSource.TEAM,
        fixes=tuple(
            FixView(id=ids(), pain_point_id=pain_id, text=t, owner_name=o, status=s, due_on=d)
            for t, o, s, d in fixes
        ),
    )


def journey(title="Online shop: first purchase", stages=(), pains=(), persona=None, **extra):
    return MapView(
        id=1,
        chat_id=-100,
        title=title,
        segment=extra.pop("segment", None),
        status=MapStatus.ACTIVE,
        owner_name="Alice",
        created_at=WHEN,
        updated_at=WHEN,
        persona=dict.fromkeys(PersonaField) | (persona or {}),
        stages=tuple(stages),
        pains=tuple(pains),
        **extra,
    )


def shop_map():
    """The realistic one: an online shop's first purchase, five stages, votes, pains, fixes."""
    ids = Ids()
    online, offline = Mode.ONLINE, Mode.OFFLINE
    stages = [
        stage(
            ids,
            1,
            "Awareness",
            "Find a gift for a friend without spending the whole evening",
            [
                ("Instagram ad", "Instagram", online, (1, 2, 1)),
                ("Friend's recommendation", "word of mouth", offline, (2, 2)),
                ("Search results", "Google", online, (0, 1, -1)),
            ],
        ),
        stage(
            ids,
            2,
            "Consideration",
            "Compare prices and delivery times, trust the shop",
            [
                ("Product page", "website", online, (1, 0, 1)),
                ("Reviews", "website", online, (-1, 0)),
                ("Size chart", "website", online, ()),
                ("Chat with support", "chat", online, (-2, -1, -1)),
            ],
        ),
        stage(
            ids,
            3,
            "Purchase",
            "Pay quickly with a familiar method",
            [
                ("Cart", "website", online, (0, 1)),
                ("Checkout", "website", online, (-2, -1, -2)),
                ("Payment confirmation email", "email", online, (1, 1)),
            ],
        ),
        stage(
            ids,
            4,
            "Retention",
            "Get the parcel on time and know where it is",
            [
                ("Delivery tracking", "SMS", online, (-1, 0, -1)),
                ("Pick-up point", "courier", offline, (1, 2)),
            ],
        ),
        stage(
            ids,
            5,
            "Advocacy",
            "Share a good experience",
            [
                ("Review request", "email", online, (0, 0)),
                ("Referral bonus", "app", online, (1, 2, 2)),
            ],
        ),
    ]
    checkout = stages[2].touchpoints[1]
    pains = [
        pain(
            ids,
            checkout,
            "Shipping cost appears only at the last step of checkout",
            Severity.HIGH,
            [
                (
                    "Show delivery price on the product page",
                    "Maria",
                    FixStatus.IN_PROGRESS,
                    date(2026, 12, 15),
                ),
                ("Free shipping banner above 50 €", "Ivan", FixStatus.IDEA, None),
            ],
        ),
        pain(ids, stages[1].touchpoints[3], "Support answers after 2 hours", Severity.MEDIUM),
        pain(ids, stages[3], "No SMS when the parcel reaches the pick-up point", Severity.LOW),
    ]
    persona = {
        PersonaField.NAME: "Olga Petrova",
        PersonaField.ROLE: "Marketing manager",
        PersonaField.AGE_GROUP: "25–34",
        PersonaField.LOCATION: "Berlin",
        PersonaField.GOALS_SHORT: "Buy a present before Friday without leaving the office",
        PersonaField.PROBLEMS: "Little time; distrusts unknown shops; hates hidden fees",
        PersonaField.INFO_SOURCES: "Instagram, friends, review sites",
    }
    return journey(stages=stages, pains=pains, persona=persona, segment="New customers, 25–40")


LONG = "Extraordinarily long touchpoint name that keeps going and going past any column"


def stress_map(stage_count=12, per_stage=8, *, long=True):
    """Many stages and touchpoints with long texts, a pain everywhere and fixes on many."""
    ids = Ids()
    stages = [
        stage(
            ids,
            s + 1,
            f"Stage {s + 1} " + ("with a rather long name " * 4 if long else ""),
            ("Goal " + "that never ends " * 30) if long else f"Goal {s + 1}",
            [
                (
                    (LONG if long else f"Touchpoint {t + 1}"),
                    ("channel " * 8 if long else "web"),
                    (Mode.ONLINE, Mode.OFFLINE, None)[t % 3],
                    () if t % 4 == 3 else ((t + s) % 5 - 2, (t * s) % 5 - 2),
                )
                for t in range(per_stage)
            ],
        )
        for s in range(stage_count)
    ]
    tps = [tp for s in stages for tp in s.touchpoints]
    statuses = list(FixStatus)
    pains = [
        pain(
            ids,
            tps[(i * 7) % len(tps)] if i % 5 else stages[i % len(stages)],
            "Pain " + "that hurts a lot " * 25,
            list(Severity)[i % 3],
            [
                (
                    "Fix " + "with a plan " * 20,
                    "Owner " * 10,
                    statuses[(i + j) % 4],
                    date(2026, 12, 1 + j),
                )
                for j in range(i % 3)
            ],
        )
        for i in range(100)
    ]
    persona = {f: f"{f.value} " * 40 for f in PersonaField}
    return journey(
        title="Stress " * 30, stages=stages, pains=pains, persona=persona, segment="segment " * 40
    )


def decode(png):
    """The PNG's image, after checking its signature and decoding every pixel."""
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


def is_photo(png):
    """Whether the bot would send this picture as a Telegram photo."""
    return fits_telegram_photo(len(png), *png_size(png))


def texts(figure):
    """Every text block the figure draws, its lines joined by newlines."""
    return [t for lettering in figure.findobj(Lettering) for t in lettering.texts() if t]


class TestRender:
    def test_renders_an_empty_map(self):
        """A map without stages or persona renders its title and a 'no stages yet' note."""
        view = journey(title="Blank")
        image = decode(render_map_png(view))
        assert image.width >= 1080
        assert 100 < image.height < image.width
        assert {"Blank", "No stages yet"} <= set(texts(build_map_figure(view)))

    def test_renders_one_stage(self):
        """One stage with one touchpoint and one vote renders at the size its header says."""
        ids = Ids()
        view = journey(stages=[stage(ids, 1, "Buy", None, [("Checkout", None, None, (1,))])])
        png = render_map_png(view)
        assert decode(png).size == png_size(png)
        assert "+1.0" in texts(build_map_figure(view))

    def test_renders_the_realistic_map_as_a_photo(self):
        """Five stages with votes, pains and fixes make a photo Telegram takes, ≥ 1080 px wide."""
        png = render_map_png(shop_map())
        image = decode(png)
        assert image.width >= 1080
        assert is_photo(png)

    def test_draws_what_the_map_holds(self):
        """Stage names, touchpoints, averages, pains, fixes and their owners are on the picture."""
        drawn = " ".join(texts(build_map_figure(shop_map()))).replace("\n", " ")
        for expected in [
            "3. Purchase",
            "Checkout",
            "−1.7",
            "Olga Petrova",
            "Maria",
            "Dec 15, 2026",
            "Support answers after 2 hours",
        ]:
            assert expected in drawn

    def test_leaves_unvoted_touchpoints_out_of_the_line(self):
        """A touchpoint nobody voted on is a gap in the emotion line, not a zero."""
        figure = build_map_figure(shop_map())
        line = next(a for a in figure.findobj(Line2D) if len(a.get_ydata()) == 7)
        assert sum(math.isnan(v) for v in line.get_ydata()) == 1
        assert "no votes" in texts(figure)

    def test_renders_twelve_stages_of_eight_long_touchpoints(self):
        """The biggest map renders, wrapped into rows; too tall for a photo, it is a document."""
        png = render_map_png(stress_map())
        image = decode(png)
        assert image.width >= 1080
        assert image.height > image.width
        assert not is_photo(png)

    def test_shortens_long_texts_with_an_ellipsis(self):
        """A name too long for its card is wrapped to three lines, the last ending in '…'."""
        drawn = texts(build_map_figure(stress_map(2, 8)))
        names = [t for t in drawn if t.startswith("Extraordinar")]
        assert len(names) == 16
        assert all(t.endswith("…") and t.count("\n") == 2 for t in names)

    def test_counts_the_cards_a_crowded_cell_leaves_out(self):
        """A touchpoint with six pains shows four and says how many more there are."""
        ids = Ids()
        buy = stage(ids, 1, "Buy", None, [("Checkout", None, None, ())])
        crowded = [pain(ids, buy.touchpoints[0], f"Hurt {i}") for i in range(6)]
        view = journey(stages=[buy], pains=crowded)
        drawn = texts(build_map_figure(view, PictureLabels(more="ещё {n}")))
        assert "ещё 2" in drawn
        assert sum(t.startswith("Hurt ") for t in drawn) == 4

    def test_numbers_stages_in_map_order(self):
        """Stage headers are numbered 1, 2, … in map order, whatever their stored positions."""
        ids = Ids()
        view = journey(stages=[stage(ids, 10, "Find"), stage(ids, 20, "Buy")])
        assert {"1. Find", "2. Buy"} <= set(texts(build_map_figure(view)))

    def test_renders_the_same_in_worker_threads(self):
        """Renders running at once in threads (as under asyncio.to_thread) match one alone."""
        view = shop_map()
        alone = render_map_png(view)
        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(render_map_png, [view, view])) == [alone, alone]

    def test_is_deterministic(self):
        """The same map gives the same bytes, with no version string in the file."""
        png = render_map_png(shop_map())
        assert png == render_map_png(shop_map())
        assert b"Matplotlib" not in png

    @pytest.mark.parametrize(
        "name",
        [
            "Оформление заказа и оплата картой",
            "购买流程与付款",
            "Checkout 🛒🎉 with emoji 👩‍👩‍👧",
            "<script>alert('x')</script> & $5 < $10",
            "🚀",
            "tab\tand\nnewline\x00null",
        ],
        ids=["cyrillic", "chinese", "emoji", "markup-and-dollars", "only-emoji", "controls"],
    )
    def test_renders_any_text_without_warnings(self, name):
        """Any script, emoji or markup renders; a missing glyph warns nothing (warnings fail)."""
        ids = Ids()
        sales = stage(ids, 1, name, name, [(name, name, Mode.ONLINE, (1, -1))])
        view = journey(
            title=name,
            stages=[sales],
            persona={PersonaField.NAME: name, PersonaField.ROLE: name},
            pains=[
                pain(
                    ids,
                    sales.touchpoints[0],
                    name,
                    Severity.HIGH,
                    [(name, name, FixStatus.DONE, None)],
                )
            ],
            segment=name,
        )
        score = TouchpointScore(name, 1.0, 3, 0)
        decode(render_map_png(view, scores={sales.touchpoints[0].id: score}))

    def test_keeps_cyrillic_and_markup_as_typed(self):
        """Cyrillic is drawn as is (DejaVu Sans has it) and markup is just text."""
        ids = Ids()
        view = journey(
            title="<b>Карта</b> & co",
            stages=[stage(ids, 1, "Покупка", None, [("Оплата", None, None, ())])],
        )
        drawn = texts(build_map_figure(view))
        assert "<b>Карта</b> & co" in drawn
        assert "1. Покупка" in drawn

    def test_drops_emoji_no_font_has(self):
        """An emoji no installed font draws is left out rather than drawn as a box."""
        ids = Ids()
        view = journey(stages=[stage(ids, 1, "Buy 🛒", None, [("Cart", None, None, ())])])
        assert "1. Buy" in texts(build_map_figure(view))

    def test_takes_translated_labels(self):
        """Lane titles and notes are the labels the bot passes, e.g. Russian ones."""
        labels = PictureLabels(emotions="Эмоции", pains="Боли", no_scores="Опросов ещё не было")
        drawn = texts(build_map_figure(shop_map(), labels))
        assert {"Эмоции", "Боли", "Опросов ещё не было"} <= set(drawn)
        assert "Emotions" not in drawn


class TestReadability:
    @pytest.mark.parametrize("stage_count", [1, 5, 12])
    @pytest.mark.parametrize("per_stage", range(1, 9))
    def test_no_text_under_12_px_on_a_1080_px_screen(self, stage_count, per_stage):
        """Shown 1080 px wide, the smallest text of any map size is at least 12 px."""
        figure = build_map_figure(stress_map(stage_count, per_stage, long=False))
        assert smallest_font_px(figure, display_width=1080) >= 12

    def test_smallest_font_px_scales_with_the_display(self):
        """The helper reports px at the given display width: half the width, half the px."""
        figure = build_map_figure(shop_map())
        assert smallest_font_px(figure, 540) == pytest.approx(smallest_font_px(figure) / 2)

    @pytest.mark.parametrize("view", [shop_map(), stress_map()], ids=["shop", "stress"])
    def test_texts_stay_apart_and_inside_the_picture(self, view):
        """No two drawn texts overlap, and none leaves the picture."""
        figure = build_map_figure(view)
        renderer = FigureCanvasAgg(figure).get_renderer()
        width, height = figure.canvas.get_width_height()
        letterings = figure.findobj(Lettering)
        boxes = sorted(
            (box for lettering in letterings for box in lettering.extents(renderer)),
            key=lambda box: box.y0,
        )
        assert len(boxes) == len(texts(figure))
        for i, a in enumerate(boxes):
            assert a.x0 >= 0
            assert a.y0 >= 0
            assert a.x1 <= width
            assert a.y1 <= height
            for b in boxes[i + 1 :]:
                if b.y0 >= a.y1 - 1:
                    break
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                assert overlap_x <= 1 or overlap_y <= 1, (a, b)


class TestScores:
    def test_shows_no_survey_yet_without_scores(self):
        """The reserved survey lane says there is no survey yet, once per row."""
        drawn = texts(build_map_figure(shop_map()))
        assert drawn.count("No survey yet") == 2

    def test_shows_a_touchpoints_score_in_its_column(self):
        """A touchpoint's NPS shows with its sample size and trend arrow; others show a dash."""
        view = shop_map()
        checkout = view.stages[2].touchpoints[1]
        scores = {checkout.id: TouchpointScore("nps", 32.4, 41, 1)}
        drawn = [t.replace("\n", " ") for t in texts(build_map_figure(view, scores=scores))]
        assert "NPS +32 (n=41)" in drawn
        assert "↑" in drawn
        assert "—" in drawn
        assert "No survey yet" not in drawn
        decode(render_map_png(view, scores={checkout.id: TouchpointScore("csat", 84, 12, -1)}))

    @pytest.mark.parametrize(
        ("score", "shown"),
        [
            (TouchpointScore("nps", -4.6, 12, -1), ("NPS −5 (n=12)", "↓")),
            (TouchpointScore("csat", 83.6, 30, 0), ("CSAT 84% (n=30)", "→")),
            (TouchpointScore("ces", 5.14, 18, 1), ("CES 5.1 (n=18)", "↑")),
        ],
        ids=["nps", "csat", "ces"],
    )
    def test_formats_each_kind_as_the_chat_does(self, score, shown):
        """NPS is signed, CSAT a percentage, CES one decimal, each with n and a trend arrow."""
        view = shop_map()
        drawn = texts(build_map_figure(view, scores={view.touchpoints[0].id: score}))
        assert shown[0] in [t.replace("\n", " ") for t in drawn]
        assert shown[1] in drawn

    def test_takes_the_views_score_type(self):
        """The picture takes the same TouchpointScore the services hand out."""
        assert TouchpointScore is views.TouchpointScore


class TestPngSize:
    def test_reads_the_size_from_the_header(self):
        """The size read from a PNG's header is the size Pillow decodes."""
        buffer = io.BytesIO()
        Image.new("RGB", (30, 700)).save(buffer, format="PNG")
        assert png_size(buffer.getvalue()) == (30, 700)

    def test_png_size_refuses_what_is_not_a_png(self):
        """Reading the size of something that is not a PNG is an error, not a guess."""
        with pytest.raises(ValueError, match="not a PNG"):
            png_size(b"GIF89a" + bytes(30))


def big_map():
    """Twelve stages of eight touchpoints with ordinary names, votes, 24 pains and 12 fixes."""
    ids = Ids()
    channels = ["website", "mobile app", "email", "call centre", "store", "SMS", "chat", "courier"]
    stages = [
        stage(
            ids,
            s + 1,
            f"Stage {s + 1}: {['Discover', 'Compare', 'Decide', 'Order'][s % 4]}",
            "Understand the offer and decide quickly without surprises",
            [
                (
                    f"Touchpoint {t + 1} {['landing page', 'push note', 'store visit'][t % 3]}",
                    channels[t],
                    (Mode.ONLINE, Mode.OFFLINE)[t % 2],
                    () if (s + t) % 7 == 0 else ((s + t) % 5 - 2, (s * t) % 5 - 2, 1),
                )
                for t in range(8)
            ],
        )
        for s in range(12)
    ]
    tps = [tp for s in stages for tp in s.touchpoints]
    pains = [
        pain(
            ids,
            tps[(i * 5) % len(tps)] if i % 4 else stages[i % 12],
            "Customers cannot find the delivery price before checkout",
            list(Severity)[i % 3],
            [
                (
                    "Show the price on the product page",
                    "Maria",
                    list(FixStatus)[i % 4],
                    date(2026, 12, 15),
                )
            ]
            if i % 2
            else [],
        )
        for i in range(24)
    ]
    return journey(stages=stages, pains=pains, persona=shop_map().persona)


class TestKpisAndMoments:
    def test_kpis_get_a_lane_and_moments_of_truth_a_star(self):
        """A stage's KPI shows latest vs target with its trend; a moment of truth is starred."""
        view = shop_map()
        first = view.stages[0]
        kpi = KpiView(
            id=1,
            stage_id=first.id,
            name="Conversion",
            unit="%",
            target=3.5,
            direction=KpiDirection.UP,
            values=(KpiPoint(date(2026, 11, 20), 3.0), KpiPoint(date(2026, 11, 26), 3.4)),
        )
        moment = dataclasses.replace(first.touchpoints[0], is_moment_of_truth=True)
        starred = dataclasses.replace(first, touchpoints=(moment, *first.touchpoints[1:]))
        view = dataclasses.replace(view, kpis=(kpi,), stages=(starred, *view.stages[1:]))
        drawn = " ".join(texts(build_map_figure(view))).replace("\n", " ")
        assert "KPIs" in drawn
        assert "Conversion: 3.4% / 3.5% ▲" in drawn
        assert f"★ {moment.name}"[:8] in drawn

    def test_no_kpi_lane_without_kpis(self):
        """A map without KPIs keeps its lanes as they were."""
        assert "KPIs" not in texts(build_map_figure(shop_map()))
