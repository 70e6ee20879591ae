"""The /map summary reads well on a phone and always fits Telegram's messages."""

from bot.limits import MAX_TEXT
from bot.messages import pack
from cjm.models import Severity
from cjm.render.summary import summary_blocks
from cjm.render.texts import Texts
from cjm.services import pains
from tests.double import parse_html
from tests.factories import ALICE, TEAM_CHAT_ID, make_big_map, make_full_map, make_pain, read_map


class TestSummary:
    def test_a_small_map_is_one_message_with_every_part(self, uow):
        """Stages in order, touchpoints with their emotion, open pains and fixes with owners."""
        journey = make_full_map(uow)
        (text,) = pack(summary_blocks(Texts(), journey, language="en"))
        assert text.index("1. Discover") < text.index("2. Buy")
        assert "Search ad" in text
        assert "🙂 +1.0" in text
        assert "Ads promise a discount" in text
        assert "@bob" in text

    def test_open_pains_are_listed_most_severe_first(self, uow):
        """A high pain is listed before a medium one of the same stage."""
        journey = make_full_map(uow)
        buy = journey.stages[1]
        journey = make_pain(uow, buy.id, "Card declined silently")
        card_declined = journey.pains[-1]
        pains.edit_pain(
            uow(),
            chat_id=TEAM_CHAT_ID,
            pain_id=card_declined.id,
            severity=Severity.HIGH,
            actor=ALICE,
        )
        journey = read_map(uow, journey.id)
        (text,) = pack(summary_blocks(Texts(), journey, language="en"))
        assert text.index("Card declined") < text.index("Checkout asks")

    def test_a_big_map_splits_on_stage_boundaries(self, uow):
        """12×8 with long texts: several messages, each within 4,096 characters, stages whole."""
        journey = make_big_map(uow)
        messages = pack(summary_blocks(Texts(), journey, language="en"))
        assert len(messages) > 1
        for text in messages:
            plain = parse_html(text).text
            assert len(plain) <= MAX_TEXT
        for stage in journey.stages:
            holders = [m for m in messages if f"<b>{stage.position}. {stage.name}</b>" in m]
            assert len(holders) == 1
            assert all(tp.name in holders[0] for tp in stage.touchpoints)

    def test_user_text_is_escaped(self, uow):
        """A pain typed with HTML arrives as text; Telegram's parser accepts the message."""
        journey = make_big_map(uow, stages_count=1, per_stage=1)
        (text,) = pack(summary_blocks(Texts(), journey, language="en"))
        assert "&lt;b&gt;badly&lt;/b&gt;" in text
        assert "<b>badly</b>" in parse_html(text).text

    def test_russian_summary(self, uow):
        """The summary speaks the chat's language."""
        journey = make_full_map(uow, language="ru")
        (text,) = pack(summary_blocks(Texts(), journey, language="ru"))
        assert "голос" in text
