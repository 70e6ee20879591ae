"""Rules a user can break: each error has a code; its text is the macro `code` in errors.html."""

from typing import ClassVar


class JourneyError(Exception):
    """A rule the user broke; its text is the macro `code` in templates/chat/errors.html."""

    code: ClassVar[str]

    def __init__(self, **params: object) -> None:
        super().__init__(self.code, params)
        self.params = params


class TextEmpty(JourneyError):
    """An answer with no text where text is needed (params: field)."""

    code = "text_empty"


class TextBlank(JourneyError):
    """An answer of invisible characters or lone punctuation ("\u3164", "—") (params: field)."""

    code = "text_blank"


class TextTooLong(JourneyError):
    """An answer over a field's limit (params: field, limit, length)."""

    code = "text_too_long"


class NotText(JourneyError):
    """A sticker, photo or voice message where the bot asked for text."""

    code = "not_text"


class DuplicateName(JourneyError):
    """A second item with the same name in the same place (params: kind, name)."""

    code = "duplicate_name"


class TooManyItems(JourneyError):
    """Adding would pass a limit (params: kind, limit)."""

    code = "too_many_items"


class ItemGone(JourneyError):
    """The item a button or prompt points at was deleted meanwhile (params: kind)."""

    code = "item_gone"


class NoCurrentMap(JourneyError):
    """The chat has no map yet, or the current one was deleted."""

    code = "no_current_map"


class MapTitleMissing(JourneyError):
    """/newmap without a title."""

    code = "map_title_missing"


class PromptCancelled(JourneyError):
    """A reply to a question closed with /cancel: nothing is saved."""

    code = "prompt_cancelled"


class PromptUnknown(JourneyError):
    """A reply to a bot message that asks nothing (or asked for a map since deleted)."""

    code = "prompt_unknown"


class GroupOnly(JourneyError):
    """A team command sent in a private chat."""

    code = "group_only"


class AdminsOnly(JourneyError):
    """A destructive action by someone who is not a chat admin."""

    code = "admins_only"


class NamedMemberNeeded(JourneyError):
    """An anonymous admin (writing as the group) where a person is needed (params: action)."""

    code = "named_member_needed"


class InvalidDate(JourneyError):
    """A due date the bot could not read (params: text)."""

    code = "invalid_date"


class DateInPast(JourneyError):
    """A due date before today (params: date)."""

    code = "date_in_past"


class StaleButton(JourneyError):
    """A button whose payload no longer makes sense (an old card, or forged data)."""

    code = "stale_button"


class AlreadyHandled(JourneyError):
    """Telegram delivered the same message twice; the second delivery changes nothing."""

    code = "already_handled"


class AlreadyAPain(JourneyError):
    """A customer's comment that is a pain point already (params: text)."""

    code = "already_a_pain"


class BroadcastRunning(JourneyError):
    """The survey is being sent to customers already; a second send would ask them twice."""

    code = "broadcast_running"


class EditAddsNothing(JourneyError):
    """An edited reply that had added items: an edit cannot tell which to change."""

    code = "edit_adds_nothing"


class FocusMoved(JourneyError):
    """A reply to a step card that no longer shows what its author saw; nothing was stored.

    Params: shown, the name of what the card shows now ("" when it shows a list).
    """

    code = "focus_moved"


class UnknownLanguage(JourneyError):
    """A /language argument the bot has no texts for (params: language, available)."""

    code = "unknown_language"


class ImportRefused(JourneyError):
    """A file that is not a map this bot can import; nothing was stored.

    Params: reason ("too_large", "not_json", "not_a_map", "newer_version", "too_many" or
    "invalid"); where (the first bad place, e.g. "map.stages.3.name") with "invalid" and
    "too_many"; limit (the most that place may hold) with "too_many"; limit_mb with
    "too_large".
    """

    code = "import_refused"


class SurveyUnavailable(JourneyError):
    """A survey link or button that can't take an answer (params: reason).

    Reasons: unknown (never existed or tampered), closed, paused, ended, full, touchpoint_gone.
    """

    code = "survey_unavailable"


class NoTouchpoints(JourneyError):
    """A survey needs a touchpoint, and the map has none yet."""

    code = "no_touchpoints"


class InvalidNumber(JourneyError):
    """A number the bot could not read, or out of range (params: text)."""

    code = "invalid_number"


class UnknownTimezone(JourneyError):
    """A /timezone argument that is no IANA zone (params: text, suggestions, comma-separated)."""

    code = "unknown_timezone"


class InvalidTime(JourneyError):
    """A time of day the bot could not read, like "25:00" or "9" (params: text)."""

    code = "invalid_time"


class ReviewNeedsADay(JourneyError):
    """Unticking the last weekday of a review that runs on chosen weekdays."""

    code = "review_needs_a_day"


class KpiInvalid(JourneyError):
    """A KPI or KPI value the bot could not read; nothing was stored (params: reason, text).

    Reasons: "format" (not "name; unit; target; up|down"), "target" or "value" (not a
    number), "direction" (neither up nor down).
    """

    code = "kpi_invalid"
