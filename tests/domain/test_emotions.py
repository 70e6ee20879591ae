"""Step 4: how the customer feels at each touchpoint, voted by the team (−2..+2)."""

from __future__ import annotations

import math

import pytest

from cjm.errors import ItemGone, StaleButton, TextEmpty, TextTooLong
from cjm.limits import NOTE_MAX_CHARS
from cjm.models import EmotionVote, Step
from cjm.services import emotions
from cjm.views import Actor, VoteView
from tests.factories import (
    ALICE,
    BOB,
    CAROL,
    TEAM_CHAT_ID,
    make_map,
    make_stages,
    make_touchpoints,
    read_map,
    vote,
)


@pytest.fixture
def journey(uow):
    journey = make_map(uow)
    journey = make_stages(uow, journey.id, ["Discover", "Buy"])
    make_touchpoints(uow, journey.stages[0].id, ["Ad", "Tip"])
    return make_touchpoints(uow, journey.stages[1].id, ["Checkout"])


@pytest.fixture
def ad(journey):
    return journey.touchpoints[0]


def stored(uow, journey, touchpoint_id):
    return read_map(uow, journey.id).touchpoint(touchpoint_id)


def note(uow, touchpoint_id, text, voter=ALICE):
    emotions.set_note(
        uow(), chat_id=TEAM_CHAT_ID, touchpoint_id=touchpoint_id, note=text, voter=voter
    )


class TestCastVote:
    def test_records_the_members_score(self, uow, journey, ad):
        """A vote stores the member's id, name and score on the touchpoint."""
        changed = vote(uow, ad.id, -1, voter=BOB)

        assert changed.touchpoint(ad.id).votes == (VoteView(BOB.user_id, "Bob", -1, None),)
        assert stored(uow, journey, ad.id).votes == (VoteView(BOB.user_id, "Bob", -1, None),)

    def test_voting_again_replaces_the_earlier_vote(self, uow, journey, ad, rows):
        """Voting again replaces the member's earlier vote: one vote per member per touchpoint."""
        vote(uow, ad.id, -2, voter=ALICE)

        changed = vote(uow, ad.id, 2, voter=ALICE)

        assert changed.touchpoint(ad.id).scores == (2,)
        assert stored(uow, journey, ad.id).scores == (2,)
        assert rows(EmotionVote) == 1

    def test_revote_takes_the_members_new_name(self, uow, journey, ad):
        """A member who renamed themselves shows under the new name after voting again."""
        vote(uow, ad.id, 1, voter=ALICE)

        vote(uow, ad.id, 1, voter=Actor(ALICE.user_id, "Alice B.", "alice"))

        assert [v.user_name for v in stored(uow, journey, ad.id).votes] == ["Alice B."]

    def test_each_member_has_their_own_vote(self, uow, journey, ad):
        """Members' votes sit side by side, in the order they were first cast."""
        for voter, score in ((ALICE, 1), (BOB, 2), (CAROL, 0)):
            vote(uow, ad.id, score, voter=voter)

        touchpoint = stored(uow, journey, ad.id)
        assert [(v.user_id, v.score) for v in touchpoint.votes] == [(1, 1), (2, 2), (3, 0)]

    def test_votes_are_per_touchpoint(self, uow, journey, ad):
        """A vote on one touchpoint leaves the others unvoted."""
        changed = vote(uow, ad.id, 1)

        assert [tp.scores for tp in changed.touchpoints] == [(1,), (), ()]

    @pytest.mark.parametrize("score", [-3, 3, 10])
    def test_score_outside_the_scale_is_refused(self, uow, journey, ad, score, rows):
        """A score outside −2..+2 raises StaleButton (forged button data) and stores nothing."""
        with pytest.raises(StaleButton):
            vote(uow, ad.id, score)

        assert rows(EmotionVote) == 0

    def test_missing_touchpoint_is_gone(self, uow, journey):
        """Voting on a touchpoint that does not exist raises ItemGone."""
        with pytest.raises(ItemGone) as raised:
            vote(uow, 999, 1)

        assert raised.value.params == {"kind": "touchpoint"}

    @pytest.mark.parametrize(("score", "summary"), [(2, "Ad: +2"), (0, "Ad: +0"), (-1, "Ad: -1")])
    def test_records_the_vote(self, uow, journey, ad, changes, score, summary):
        """A vote writes an emotion.voted change with the touchpoint and the signed score."""
        vote(uow, ad.id, score, voter=CAROL)

        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary, change.actor_id) == (
            "emotion.voted",
            ad.id,
            summary,
            CAROL.user_id,
        )


class TestSummary:
    def test_no_votes_no_emotion(self, journey, ad):
        """Before anyone votes a touchpoint has no emotion and no spread."""
        assert ad.emotion is None
        assert ad.spread == 0.0

    def test_one_vote_has_no_spread(self, uow, journey, ad):
        """With one vote the emotion is that score and the spread is zero."""
        touchpoint = vote(uow, ad.id, -2).touchpoint(ad.id)

        assert (touchpoint.emotion, touchpoint.spread) == (-2.0, 0.0)

    def test_average_and_spread(self, uow, journey, ad):
        """The emotion is the mean score; the spread is the population standard deviation."""
        for voter, score in ((ALICE, 1), (BOB, 2), (CAROL, 0)):
            vote(uow, ad.id, score, voter=voter)

        touchpoint = stored(uow, journey, ad.id)
        assert touchpoint.emotion == pytest.approx(1.0)
        assert touchpoint.spread == pytest.approx(math.sqrt(2 / 3))

    def test_full_disagreement(self, uow, journey, ad):
        """One member at −2 and one at +2 average 0 with spread 2."""
        vote(uow, ad.id, -2, voter=ALICE)
        vote(uow, ad.id, 2, voter=BOB)

        touchpoint = stored(uow, journey, ad.id)
        assert (touchpoint.emotion, touchpoint.spread) == (0.0, 2.0)

    def test_step_is_done_when_every_touchpoint_has_a_score(self, uow, journey):
        """The emotions step counts scored touchpoints and is done when all have a score."""
        for touchpoint in journey.touchpoints[:-1]:
            changed = vote(uow, touchpoint.id, 1)
        assert changed.step_counts()[Step.EMOTIONS] == 2
        assert not changed.step_done(Step.EMOTIONS)

        changed = vote(uow, journey.touchpoints[-1].id, 0)

        assert changed.step_done(Step.EMOTIONS)


class TestNotes:
    def test_note_is_kept_with_the_vote(self, uow, journey, ad):
        """A note joins the member's vote; voting again keeps the note."""
        vote(uow, ad.id, -1, voter=BOB)
        note(uow, ad.id, "Looks like a scam", voter=BOB)

        vote(uow, ad.id, -2, voter=BOB)

        touchpoint = stored(uow, journey, ad.id)
        assert touchpoint.votes == (VoteView(BOB.user_id, "Bob", -2, "Looks like a scam"),)
        assert touchpoint.notes == list(touchpoint.votes)

    def test_note_without_a_vote_does_not_count_as_a_score(self, uow, journey, ad):
        """A note from a member who has not voted is stored but does not move the emotion."""
        vote(uow, ad.id, 2, voter=ALICE)

        note(uow, ad.id, "Not sure", voter=CAROL)

        touchpoint = stored(uow, journey, ad.id)
        assert touchpoint.votes[1] == VoteView(CAROL.user_id, "Carol", None, "Not sure")
        assert (touchpoint.scores, touchpoint.emotion) == ((2,), 2.0)

    def test_a_new_note_replaces_the_old_one(self, uow, journey, ad, rows):
        """Writing a second note replaces the member's first note."""
        note(uow, ad.id, "First")

        note(uow, ad.id, "Second")

        assert [v.note for v in stored(uow, journey, ad.id).votes] == ["Second"]
        assert rows(EmotionVote) == 1

    def test_note_keeps_its_lines(self, uow, journey, ad):
        """A note keeps inner line breaks and drops outer blanks and control characters."""
        note(uow, ad.id, "  Slow\x00 page\r\nHidden fees \n")

        assert stored(uow, journey, ad.id).votes[0].note == "Slow page\nHidden fees"

    def test_too_long_note_is_refused(self, uow, journey, ad, rows):
        """A note over NOTE_MAX_CHARS raises TextTooLong and stores nothing."""
        with pytest.raises(TextTooLong) as raised:
            note(uow, ad.id, "n" * (NOTE_MAX_CHARS + 1))

        assert raised.value.params == {
            "field": "note",
            "limit": NOTE_MAX_CHARS,
            "length": NOTE_MAX_CHARS + 1,
        }
        assert rows(EmotionVote) == 0

    def test_empty_note_is_refused(self, uow, journey, ad):
        """A blank note raises TextEmpty."""
        with pytest.raises(TextEmpty):
            note(uow, ad.id, "   ")

    @pytest.mark.parametrize("text", ["<b>bad</b> & <script>", "Ужасно 😡", "太慢了", "بطيء جدا"])
    def test_note_is_stored_verbatim(self, uow, journey, ad, text):
        """Markup, emoji and non-Latin (incl. right-to-left) notes are kept as typed."""
        note(uow, ad.id, text)

        assert stored(uow, journey, ad.id).votes[0].note == text

    def test_records_the_note(self, uow, journey, ad, changes):
        """A note writes an emotion.noted change with the touchpoint and the note."""
        note(uow, ad.id, "Confusing", voter=BOB)

        change = changes(journey.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "emotion.noted",
            ad.id,
            "Ad: Confusing",
        )

    def test_missing_touchpoint_is_gone(self, uow, journey):
        """A note on a touchpoint that does not exist raises ItemGone."""
        with pytest.raises(ItemGone):
            note(uow, 999, "Hello")
