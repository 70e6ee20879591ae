"""Step 1: the persona the map is about."""

from __future__ import annotations

import pytest

from cjm.errors import ItemGone, TextEmpty, TextTooLong
from cjm.limits import TEXT_MAX_CHARS
from cjm.models import PersonaField, Step
from cjm.services import persona
from tests.factories import ALICE, BOB, TEAM_CHAT_ID, make_map, read_map


def set_field(uow, map_id, field, value, actor=ALICE):
    persona.set_persona_field(
        uow(), chat_id=TEAM_CHAT_ID, map_id=map_id, field=field, value=value, actor=actor
    )


class TestSetPersonaField:
    def test_fills_in_one_field(self, uow):
        """Setting a field stores it and leaves every other field empty."""
        journey = make_map(uow)

        set_field(uow, journey.id, PersonaField.ROLE, "Office manager")

        expected = dict.fromkeys(PersonaField) | {PersonaField.ROLE: "Office manager"}
        assert read_map(uow, journey.id).persona == expected

    def test_setting_again_replaces_the_value(self, uow):
        """Setting a field a second time replaces the earlier value."""
        journey = make_map(uow)
        set_field(uow, journey.id, PersonaField.NAME, "Anna")

        set_field(uow, journey.id, PersonaField.NAME, "Maria", actor=BOB)

        assert read_map(uow, journey.id).persona[PersonaField.NAME] == "Maria"

    def test_keeps_lines_and_strips_the_ends(self, uow):
        """Persona text keeps its inner lines; Windows line ends and outer blanks are dropped."""
        journey = make_map(uow)

        goals = "  Save time\r\nPay less  \n"

        set_field(uow, journey.id, PersonaField.GOALS_SHORT, goals)

        stored = read_map(uow, journey.id).persona[PersonaField.GOALS_SHORT]
        assert stored == "Save time\nPay less"

    @pytest.mark.parametrize(
        "value",
        ["<b>Anna</b> & <script>x()</script>", "Анна, 34 года 👩‍💼", "安娜", "آنا من القاهرة"],
    )
    def test_stores_text_verbatim(self, uow, value):
        """Markup, emoji and non-Latin (incl. right-to-left) persona text is kept as typed."""
        journey = make_map(uow)

        set_field(uow, journey.id, PersonaField.NAME, value)

        assert read_map(uow, journey.id).persona[PersonaField.NAME] == value

    def test_empty_value_is_refused(self, uow):
        """A blank value raises TextEmpty naming the persona field, and stores nothing."""
        journey = make_map(uow)

        with pytest.raises(TextEmpty) as raised:
            set_field(uow, journey.id, PersonaField.NAME, " \n ")

        assert raised.value.params == {"field": "persona.name"}
        assert read_map(uow, journey.id).persona[PersonaField.NAME] is None

    def test_too_long_value_is_refused(self, uow):
        """A value over TEXT_MAX_CHARS raises TextTooLong and stores nothing."""
        journey = make_map(uow)

        with pytest.raises(TextTooLong) as raised:
            set_field(uow, journey.id, PersonaField.WISHES, "w" * (TEXT_MAX_CHARS + 1))

        assert raised.value.params == {
            "field": "persona.wishes",
            "limit": TEXT_MAX_CHARS,
            "length": TEXT_MAX_CHARS + 1,
        }
        assert read_map(uow, journey.id).persona[PersonaField.WISHES] is None

    def test_no_field_fills_the_first_empty_one(self, uow, changes):
        """Without a field, the answer fills the first field nobody filled in yet."""
        journey = make_map(uow)
        set_field(uow, journey.id, PersonaField.NAME, "Anna")

        set_field(uow, journey.id, None, "Accountant")

        assert read_map(uow, journey.id).persona[PersonaField.ROLE] == "Accountant"
        assert changes(journey.id)[-1].summary == "role: Accountant"

    def test_no_field_on_a_full_persona_renames_it(self, uow):
        """Without a field, once every field is filled in, the answer replaces the name."""
        journey = make_map(uow)
        for field in PersonaField:
            set_field(uow, journey.id, field, f"old {field.value}")

        set_field(uow, journey.id, None, "Maria")

        stored = read_map(uow, journey.id)
        assert stored.persona[PersonaField.NAME] == "Maria"
        assert stored.persona[PersonaField.ROLE] == "old role"

    def test_no_field_too_long_names_the_field_it_would_fill(self, uow):
        """A too long answer without a field raises TextTooLong naming the field it would fill."""
        journey = make_map(uow)

        with pytest.raises(TextTooLong) as raised:
            set_field(uow, journey.id, None, "n" * (TEXT_MAX_CHARS + 1))

        assert raised.value.params["field"] == "persona.name"
        assert read_map(uow, journey.id).persona == dict.fromkeys(PersonaField)

    def test_missing_map_is_gone(self, uow):
        """Setting a persona field on a map that does not exist raises ItemGone."""
        with pytest.raises(ItemGone) as raised:
            set_field(uow, 404, PersonaField.NAME, "Anna")

        assert raised.value.params == {"kind": "journeymap"}

    def test_records_the_edit(self, uow, changes):
        """Each persona edit writes a persona.edited change naming field and value."""
        journey = make_map(uow)

        set_field(uow, journey.id, PersonaField.AGE_GROUP, "25-34", actor=BOB)

        change = changes(journey.id)[-1]
        assert (change.action, change.summary, change.actor_id) == (
            "persona.edited",
            "age_group: 25-34",
            BOB.user_id,
        )

    def test_the_step_is_done_once_the_persona_has_a_name(self, uow):
        """The persona step counts filled fields and is done once the name is filled in."""
        journey = make_map(uow)
        set_field(uow, journey.id, PersonaField.ROLE, "Buyer")
        assert not read_map(uow, journey.id).step_done(Step.PERSONA)

        set_field(uow, journey.id, PersonaField.NAME, "Anna")

        stored = read_map(uow, journey.id)
        assert stored.step_done(Step.PERSONA)
        assert stored.step_counts()[Step.PERSONA] == 2
