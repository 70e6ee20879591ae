"""The map page: a standalone, escaped, offline HTML file with the whole map on it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from cjm.models import (
    FixStatus,
    MapStatus,
    Mode,
    PainCategory,
    PainSource,
    PersonaField,
    Severity,
)
from cjm.render.html import (
    PRINT_COLUMNS_PER_PAGE,
    Column,
    emotion_curve,
    render_map_html,
)
from cjm.render.texts import Texts
from cjm.views import (
    FixView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
    VoteView,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

_ids = itertools.count(1)
TEAM = ("Alice", "Bob", "Carol", "Dmitri")


# --- a small factory of views (the page only reads views, so no database is needed) ---


def touchpoint(
    name: str,
    channel: str | None = None,
    mode: Mode | None = Mode.ONLINE,
    scores: Sequence[int] = (),
    notes: dict[int, str] | None = None,
) -> TouchpointView:
    """A touchpoint; `scores` are the team's votes in order, `notes` by vote index."""
    votes = tuple(
        VoteView(user_id=i + 1, user_name=TEAM[i % len(TEAM)], score=s, note=(notes or {}).get(i))
        for i, s in enumerate(scores)
    )
    return TouchpointView(
        id=next(_ids), stage_id=0, position=0, name=name, channel=channel, mode=mode, votes=votes
    )


def stage(name: str, goal: str | None, touchpoints: Iterable[TouchpointView]) -> StageView:
    """A stage owning its touchpoints (their stage_id and position are set here)."""
    stage_id = next(_ids)
    owned = tuple(
        TouchpointView(
            id=tp.id,
            stage_id=stage_id,
            position=position,
            name=tp.name,
            channel=tp.channel,
            mode=tp.mode,
            votes=tp.votes,
        )
        for position, tp in enumerate(touchpoints, start=1)
    )
    return StageView(id=stage_id, position=0, name=name, customer_goal=goal, touchpoints=owned)


def fix(
    text: str,
    status: FixStatus = FixStatus.PLANNED,
    owner: str | None = None,
    due_on: date | None = None,
) -> FixView:
    """A fix; its pain_point_id is set by pain()."""
    return FixView(
        id=next(_ids), pain_point_id=0, text=text, owner_name=owner, status=status, due_on=due_on
    )


def pain(
    where: StageView | TouchpointView,
    text: str,
    severity: Severity = Severity.MEDIUM,
    category: PainCategory | None = PainCategory.PROCESS,
    source: PainSource = PainSource.TEAM,
    fixes: Sequence[FixView] = (),
) -> PainView:
    """A pain point on a whole stage or on one touchpoint."""
    pain_id = next(_ids)
    on_touchpoint = isinstance(where, TouchpointView)
    return PainView(
        id=pain_id,
        stage_id=where.stage_id if isinstance(where, TouchpointView) else where.id,
        touchpoint_id=where.id if on_touchpoint else None,
        text=text,
        category=category,
        severity=severity,
        source=source,
        fixes=tuple(
            FixView(f.id, pain_id, f.text, f.owner_name, f.status, f.due_on) for f in fixes
        ),
    )


def map_view(
    title: str = "Map",
    stages: Sequence[StageView] = (),
    pains: Sequence[PainView] = (),
    persona: dict[PersonaField, str] | None = None,
    segment: str | None = None,
) -> MapView:
    """A map view as services hand it out."""
    return MapView(
        id=next(_ids),
        chat_id=-100,
        title=title,
        segment=segment,
        status=MapStatus.ACTIVE,
        owner_name="Alice",
        created_at=NOW,
        updated_at=NOW,
        persona={field: (persona or {}).get(field) for field in PersonaField},
        stages=tuple(stages),
        pains=tuple(pains),
        tz="Europe/Berlin",
    )


def realistic_map() -> MapView:
    """Five stages of an online grocery's first order: votes, gaps, pains, fixes, notes."""
    ad = touchpoint("Instagram ad", "social", scores=[1, 0, 1, 2])
    friend = touchpoint("Friend’s recommendation", "word of mouth", Mode.OFFLINE, [2, 2, 1])
    search = touchpoint("Search results", "website", scores=[0, 1, -1, 0])
    landing = touchpoint("Landing page", "website", scores=[1, 1, 0, 1])
    slots = touchpoint(
        "Delivery-slot checker",
        "website",
        scores=[-2, -1, -2, 0],
        notes={0: "No evening slots for two weeks", 2: "Postcode check forgets my address"},
    )
    reviews = touchpoint("App store reviews", "app", scores=[0, -1, 1])
    signup = touchpoint("Sign-up", "app", scores=[1, 0, 1, 1])
    basket = touchpoint("Basket and substitutions", "app", scores=[-1, -2, 0, -1])
    checkout = touchpoint(
        "Checkout and payment", "app", scores=[-2, 2, -1, 1], notes={1: "Apple Pay is quick"}
    )
    promo = touchpoint("Promo code field", "app")
    courier = touchpoint("Courier call", "phone", Mode.OFFLINE, [0, 1, 0])
    door = touchpoint("Handover at the door", "courier", Mode.OFFLINE, [2, 1, 2, 2])
    refund = touchpoint("Missing-item refund", "help desk", scores=[-2, -2, -1, -2])
    reminder = touchpoint("Weekly reminder e-mail", "email", scores=[0, 1])
    loyalty = touchpoint("Loyalty points", "app")
    awareness = stage("Awareness", "Find a grocery that delivers reliably", [ad, friend, search])
    consider = stage(
        "Consideration",
        "Make sure delivery fits the family’s evenings",
        [landing, slots, reviews],
    )
    purchase = stage(
        "First order",
        "Get a full basket without surprises",
        [
            signup,
            basket,
            checkout,
            promo,
        ],
    )
    delivery = stage("Delivery", "Receive fresh food on time", [courier, door, refund])
    retention = stage("Retention", None, [reminder, loyalty])
    pains = [
        pain(
            slots,
            "Evening slots are sold out for two weeks ahead",
            Severity.HIGH,
            PainCategory.PRODUCTIVITY,
            PainSource.SURVEY,
            [
                fix(
                    "Open 19–22 h slots in three districts",
                    FixStatus.IN_PROGRESS,
                    "Bob",
                    date(2026, 12, 15),
                ),
                fix("Show the next free evening slot on the landing page", FixStatus.IDEA),
            ],
        ),
        pain(
            basket,
            "Substitutions are chosen without asking; a lactose-free milk became regular milk",
            Severity.HIGH,
            PainCategory.SUPPORT,
            fixes=[
                fix(
                    "Ask before substituting, with a default per item",
                    FixStatus.PLANNED,
                    "Carol",
                    date(2026, 11, 20),
                ),
            ],
        ),
        pain(
            checkout,
            "The card form resets after a 3-D Secure failure",
            Severity.MEDIUM,
            PainCategory.PROCESS,
            fixes=[
                fix(
                    "Keep the form state across the 3-DS redirect",
                    FixStatus.DONE,
                    "Dmitri",
                    date(2026, 11, 10),
                ),
            ],
        ),
        pain(
            promo,
            "Promo code from the ad is rejected as expired",
            Severity.LOW,
            PainCategory.FINANCIAL,
        ),
        pain(
            refund,
            "Refunds for missing items take 5–7 days and need a chat with support",
            Severity.HIGH,
            PainCategory.FINANCIAL,
            fixes=[
                fix(
                    "Instant refund to the wallet for items under €10",
                    FixStatus.PLANNED,
                    "Alice",
                    date(2027, 1, 31),
                ),
            ],
        ),
        pain(
            search,
            "Our brand is below two competitors for “grocery delivery”",
            Severity.LOW,
            PainCategory.PROCESS,
        ),
        pain(
            consider,
            "Prices look higher than in the shop; the delivery fee shows only at checkout",
            Severity.MEDIUM,
            PainCategory.FINANCIAL,
            fixes=[
                fix("Show the delivery fee next to the basket total", FixStatus.IDEA, "Bob"),
            ],
        ),
        pain(
            delivery,
            "No way to tell the courier where to leave the bags",
            Severity.MEDIUM,
            PainCategory.SUPPORT,
            PainSource.SURVEY,
        ),
    ]
    return map_view(
        "Online grocery: the first order",
        [awareness, consider, purchase, delivery, retention],
        pains,
        persona={
            PersonaField.NAME: "Olga Petrova",
            PersonaField.ROLE: "Product manager, mother of two",
            PersonaField.AGE_GROUP: "30–40",
            PersonaField.LOCATION: "Berlin, Prenzlauer Berg",
            PersonaField.FAMILY: "Married, two kids (4 and 9)",
            PersonaField.GOALS_SHORT: "Weekly groceries in under 15 minutes",
            PersonaField.GOALS_LONG: "More evenings with the family, fewer trips to the shop",
            PersonaField.PROBLEMS: "Works late; the shop closes at 20:00",
            PersonaField.INFO_SOURCES: "Instagram, parents’ chat, friends",
        },
        segment="Working parents in big cities who order weekly",
    )


REALISTIC_SCORES = {
    # touchpoint positions in realistic_map().touchpoints → a survey score
    1: TouchpointScore("NPS", 32, 41, 1),
    4: TouchpointScore("CSAT", 3.4, 27, -1),
    12: TouchpointScore("CES", 5.1, 18, 0),
}


def realistic_scores(view: MapView) -> dict[int, TouchpointScore]:
    """Survey scores for three of the realistic map's touchpoints, keyed by touchpoint id."""
    touchpoints = view.touchpoints
    return {touchpoints[index].id: score for index, score in REALISTIC_SCORES.items()}


def big_map(stage_count: int = 12, per_stage: int = 8) -> MapView:
    """The largest map the limits allow: 12 stages × 8 touchpoints, most voted, many pains."""
    stages, pains = [], []
    for s in range(stage_count):
        tps = [
            touchpoint(
                f"Touchpoint {s + 1}.{t + 1} with a longer name to wrap",
                "website",
                scores=[] if (s + t) % 7 == 3 else [((s * 3 + t) % 5) - 2, ((s + t) % 5) - 2],
            )
            for t in range(per_stage)
        ]
        built = stage(f"Stage {s + 1}", f"Customer goal of stage {s + 1}", tps)
        stages.append(built)
        pains.append(pain(built, f"Stage-wide pain of stage {s + 1}", Severity.LOW))
        for t, tp in enumerate(built.touchpoints):
            if t % 2 == 0:
                pains.append(
                    pain(
                        tp,
                        f"Pain at {tp.name}",
                        Severity.HIGH,
                        fixes=[
                            fix(f"Fix for {tp.name}", FixStatus.PLANNED, "Bob", date(2026, 12, 1)),
                        ],
                    )
                )
    return map_view("Twelve by eight", stages, pains, {PersonaField.NAME: "Max"})


def hostile_map() -> MapView:
    """User text that tries to break out of the HTML, in every place a member can type."""
    evil = touchpoint(SCRIPT, IMG, scores=[1, -1], notes={0: SCRIPT})
    plain = touchpoint("Plain", scores=[0])
    built = stage(SCRIPT, IMG, [evil, plain])
    return map_view(
        SCRIPT,
        [built],
        [pain(evil, IMG, fixes=[fix(SCRIPT, owner=IMG)]), pain(built, SCRIPT)],
        persona={PersonaField.NAME: SCRIPT, PersonaField.PROBLEMS: IMG},
        segment=IMG,
    )


def multilingual_map() -> MapView:
    """Cyrillic, Chinese and right-to-left text side by side."""
    tps = [
        touchpoint("Оформление заказа", "сайт", scores=[1, 2]),
        touchpoint("微信小程序下单", "微信", scores=[-1]),
        touchpoint("דף התשלום", scores=[0, 1]),
        touchpoint("صفحة الدفع", scores=[2]),
    ]
    built = stage("Покупка · 购买 · רכישה", "Быстро оплатить", tps)
    return map_view(
        "Карта клиента 客户旅程",
        [built],
        [pain(tps[3], "الدفع يستغرق وقتا طويلا", Severity.HIGH)],
        persona={PersonaField.NAME: "Ольга", PersonaField.ROLE: "店主"},
    )


# --- helpers ---


class Tags(HTMLParser):
    """The tags and attributes a browser would see (text, escaped or not, is not a tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    @classmethod
    def of(cls, html: str) -> Tags:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


def render(
    texts: Texts,
    view: MapView,
    language: str = "en",
    scores: dict[int, TouchpointScore] | None = None,
) -> str:
    return render_map_html(texts, view, language=language, scores=scores, generated_at=NOW)


def screen_svg(html: str) -> str:
    """The emotion curve of the on-screen table (print pages repeat it per page)."""
    match = re.search(r'<svg class="curve".*?</svg></div>', html, re.S)
    assert match, "no emotion curve"
    return match.group(0)


# --- tests ---


def test_an_empty_map_renders_a_page_without_a_table(texts: Texts) -> None:
    """A map without stages or persona still renders a valid page that says what is missing."""
    html = render(texts, map_view("Just started"))
    assert html.startswith("<!DOCTYPE html>")
    assert "Just started" in html
    assert "This map has no stages yet." in html
    assert "The persona is not filled in yet." in html
    assert "<table" not in html
    assert html.rstrip().endswith("</html>")


def test_the_page_is_standalone_html5_for_screen_and_a4_landscape(texts: Texts) -> None:
    """Charset, language, viewport and an A4 landscape print rule are all in the file."""
    html = render(texts, realistic_map())
    head = html[: html.index("<body>")]
    assert '<meta charset="utf-8">' in head
    assert '<html lang="en" dir="ltr">' in html
    assert 'name="viewport"' in head
    assert "@page { size: A4 landscape; margin: 10mm; }" in head
    assert "@media print" in head


def test_the_realistic_map_shows_every_lane_stage_and_touchpoint(texts: Texts) -> None:
    """Stages span their touchpoints; every lane, touchpoint, pain and fix is on the page."""
    view = realistic_map()
    html = render(texts, view, scores=realistic_scores(view))
    for lane in (
        "Customer goal",
        "Touchpoints",
        "Emotions",
        "Pain points",
        "Fixes",
        "Survey scores",
        "Legend",
    ):
        assert lane in html
    screen = html[: html.index("</table>")]
    for built in view.stages:
        span = max(1, len(built.touchpoints))
        assert re.search(
            rf'colspan="{span}" id="stage-\d+">\s*<div class="stage-top">'
            rf'<span class="stage-no">\d+</span><span class="stage-name" '
            rf'dir="auto">{re.escape(built.name)}<',
            screen,
        )
    for tp in view.touchpoints:
        assert f'<div class="tp-name" dir="auto">{tp.name}</div>' in screen
    for p in view.pains:
        assert p.text in screen
    for f in view.fixes:
        assert f.text in screen
    assert screen.count('<col class="c-tp">') == len(view.touchpoints)


def test_the_persona_card_shows_filled_fields_only(texts: Texts) -> None:
    """Filled persona fields appear with their labels; empty ones leave no label behind."""
    html = render(texts, realistic_map())
    assert "Olga Petrova" in html
    assert "Short-term goals" in html
    assert "Weekly groceries in under 15 minutes" in html
    assert "Income" not in html
    assert "Wished improvements" not in html


def test_survey_scores_lane_is_reserved_until_scores_arrive(texts: Texts) -> None:
    """Without scores the lane says 'no survey yet'; with them, kind, value, n and trend show."""
    view = realistic_map()
    without = render(texts, view)
    assert "no survey yet" in without
    assert '<span class="reserved">—</span>' in without
    with_scores = render(texts, view, scores=realistic_scores(view))
    assert "no survey yet" not in with_scores
    assert re.search(
        r'<span class="kind">NPS</span><span class="value">\+32</span>'
        r'<span class="n">· n=41</span><span class="trend up"',
        with_scores,
    )
    assert '<span class="kind">CSAT</span><span class="value">3.4</span>' in with_scores
    assert 'class="trend flat"' in with_scores


def test_user_text_is_escaped_everywhere(texts: Texts) -> None:
    """Tags typed by members arrive as text: in cells, the persona, the title and SVG tooltips."""
    html = render(texts, hostile_map())
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    tooltip = re.search(r"<title>([^<]*)</title>", screen_svg(html))
    assert tooltip
    assert tooltip.group(1).startswith("&lt;script&gt;alert(1)&lt;/script&gt; · ")


@pytest.mark.parametrize(
    "view",
    [map_view(), realistic_map(), big_map(), hostile_map(), multilingual_map()],
    ids=["empty", "realistic", "12x8", "hostile", "multilingual"],
)
def test_the_page_makes_no_external_requests(texts: Texts, view: MapView) -> None:
    """No URLs, imports or resource links: the file opens offline and leaks nothing."""
    html = render(texts, view)
    assert "http://" not in html
    assert "https://" not in html
    assert "@import" not in html
    assert "url(" not in html
    assert not re.search(r"""["'(=]\s*//""", html), "protocol-relative reference"
    tags = Tags.of(html)
    assert not {"script", "link", "img", "iframe", "object", "embed", "base"} & tags.names
    links = [value for name, value in tags.attributes if name in {"href", "src", "srcset"}]
    assert all(link.startswith("#") for link in links), links
    assert "default-src 'none'" in html


def test_cyrillic_chinese_and_rtl_text_is_kept_and_marked_for_direction(texts: Texts) -> None:
    """Every script arrives as typed, and user text carries dir="auto" for RTL names."""
    html = render(texts, multilingual_map())
    for text in (
        "Карта клиента 客户旅程",
        "Оформление заказа",
        "微信小程序下单",
        "דף התשלום",
        "صفحة الدفع",
        "الدفع يستغرق وقتا طويلا",
        "Ольга",
        "店主",
    ):
        assert text in html
    assert '<div class="tp-name" dir="auto">דף התשלום</div>' in html
    assert '<p class="user" dir="auto">الدفع يستغرق وقتا طويلا</p>' in html


def test_the_page_renders_in_russian_with_local_numbers(texts: Texts) -> None:
    """The language sets lang, the catalog's words and the decimal comma."""
    html = render(texts, realistic_map(), language="ru")
    assert '<html lang="ru" dir="ltr">' in html
    assert "Эмоции" in html  # "Emotions", already in the Russian catalog
    assert re.search(r'class="emo-value tone-p1">\+1,0<', html)


def test_the_page_renders_in_chinese_with_chinese_fonts(texts: Texts) -> None:
    """A Chinese page says lang="zh", uses the catalog's words and asks for CJK fonts first."""
    html = render(texts, realistic_map(), language="zh")
    assert '<html lang="zh" dir="ltr">' in html
    assert "情绪" in html  # "Emotions"
    assert "痛点" in html  # "Pain points"
    assert re.search(r'class="emo-value tone-p1">\+1\.0<', html)
    stack = re.search(r"html \{\s*font-family:([^;]+);", html)
    assert stack is not None
    fonts = [f.strip().strip('"') for f in stack[1].split(",")]
    for cjk in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"):
        assert cjk in fonts
    assert fonts[-1] == "sans-serif"


def test_an_unknown_language_falls_back_to_english(texts: Texts) -> None:
    """Texts falls back to English, and so do lang and number formats."""
    html = render(texts, realistic_map(), language="xx")
    assert '<html lang="en" dir="ltr">' in html


def test_the_curve_has_one_marker_per_voted_touchpoint_and_gaps_for_unvoted(
    texts: Texts,
) -> None:
    """Each voted touchpoint gets a circle with a tooltip; an unvoted one breaks the line."""
    view = realistic_map()
    svg = screen_svg(render(texts, view))
    voted = [tp for tp in view.touchpoints if tp.scores]
    assert svg.count('<g class="marker') == len(voted)
    assert svg.count('<circle class="dot"') == len(voted)
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert [t.split(" · ")[0] for t in titles] == [tp.name for tp in voted]
    for tp in view.touchpoints:
        if not tp.scores:
            assert f"<title>{tp.name} ·" not in svg
    # Promo code field (10th) and Loyalty points (15th, the last) are unvoted: two pieces.
    path = re.search(r'<path class="line" d="([^"]*)"', svg)
    assert path
    assert path.group(1).count("M") == 2
    assert '<rect class="band"' in svg


def test_every_voted_touchpoint_shows_its_average_under_the_curve(texts: Texts) -> None:
    """The values row repeats each average in words, with the vote count and disagreement."""
    html = render(texts, realistic_map())
    assert re.search(
        r'class="emo-value tone-p1">\+1\.0</div>\s*<div class="emo-votes">4 votes', html
    )
    assert "±1.6" in html  # Checkout and payment: −2, +2, −1, +1 split the team
    assert "No evening slots for two weeks" in html


def test_the_curve_mirrors_for_right_to_left_pages() -> None:
    """In RTL the first column is on the right, so markers and dividers mirror."""
    tp = touchpoint("a", scores=[1])
    columns = [
        Column(tp, True, "+1.0", "p1", None, (), (), None),
        Column(None, True, None, "none", None, (), (), None),
    ]
    assert 'cx="25.0%"' in str(emotion_curve(columns))
    assert 'cx="75.0%"' in str(emotion_curve(columns, rtl=True))
    assert 'x1="50.0%"' in str(emotion_curve(columns, rtl=True))


def test_twelve_stages_of_eight_touchpoints_scroll_on_screen_and_page_in_print(
    texts: Texts,
) -> None:
    """The biggest map is one scrolling table on screen and pages of ≤10 columns in print."""
    view = big_map()
    html = render(texts, view)
    screen, *pages = html.split('<table class="map"')[1:]
    assert screen.count('<col class="c-tp">') == 96
    assert "--cols: 96" in screen
    assert len(pages) == 12  # eight columns per stage: one stage per printed page
    assert all(page.count('<col class="c-tp">') <= PRINT_COLUMNS_PER_PAGE for page in pages)
    assert sum(page.count('<col class="c-tp">') for page in pages) == 96
    voted = sum(1 for tp in view.touchpoints if tp.scores)
    assert screen_svg(html).count('<g class="marker') == voted
    assert "map-scroll screen-only" in html
    assert 'id="stage-12"' in html
    assert html.count('id="stage-1"') == 1  # anchors only on screen, never repeated in print
    assert "Stage 12 of 12" in html


def test_a_map_that_fits_one_page_prints_its_screen_table(texts: Texts) -> None:
    """Up to ten columns there are no separate print pages: the one table prints as it is."""
    view = map_view("Small", [stage("Only", None, [touchpoint("a", scores=[1])])])
    html = render(texts, view)
    assert html.count('<table class="map"') == 1
    assert 'class="map-scroll" role="region"' in html  # not hidden in print
    assert 'class="print-part' not in html


def test_a_wider_map_prints_runs_of_whole_stages_per_page(texts: Texts) -> None:
    """The realistic map's 15 columns print as stages 1–3 (10 columns) and stages 4–5."""
    html = render(texts, realistic_map())
    assert html.count('<table class="map"') == 3
    assert "Stages 1–3 of 5" in html
    assert "Stages 4–5 of 5" in html


def test_overdue_fixes_are_flagged_against_the_generation_date(texts: Texts) -> None:
    """A fix past its due date and not done reads 'overdue'; a done one never does."""
    html = render(texts, realistic_map())
    screen = html[: html.index("</table>")]
    assert re.search(r'class="overdue">overdue since [^<]*2026', screen)  # Carol's, due Nov 20
    assert screen.count('class="overdue"') == 1  # Dmitri's is done; Bob's and Alice's are later
