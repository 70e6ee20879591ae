"""The change log: /history pages, newest first."""

from __future__ import annotations

import pytest

from cjm.services import changes
from tests.factories import TEAM_CHAT_ID, make_full_map


@pytest.fixture
def journey(uow):
    return make_full_map(uow)  # Europe/Berlin; the clock says Thursday 2026-11-26 10:00 local


class TestHistory:
    def test_pages_of_ten_newest_first(self, uow, journey):
        """The full map has more than ten changes; page 2 continues where page 1 ends."""
        first = changes.history_page(uow(), chat_id=TEAM_CHAT_ID)
        second = changes.history_page(uow(), chat_id=TEAM_CHAT_ID, page=1)
        assert len(first.items) == 10
        assert first.pages >= 2
        assert first.items[-1].id > second.items[0].id
        assert first.items[0].action == "fix.due_set"
        assert changes.history_page(uow(), chat_id=TEAM_CHAT_ID, page=99).page == first.pages - 1
