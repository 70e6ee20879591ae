"""The journey map as stored: SQLModel tables and the enums they use."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from cjm.columns import UTCDateTime
from cjm.limits import BRAND_MAX_CHARS, COMMENT_MAX_CHARS


class MapStatus(StrEnum):
    """Where a map is in its life."""

    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Step(StrEnum):
    """The six mapping steps, in the order the wizard walks them."""

    PERSONA = "persona"
    STAGES = "stages"
    TOUCHPOINTS = "touchpoints"
    EMOTIONS = "emotions"
    PAINS = "pains"
    FIXES = "fixes"


class PersonaField(StrEnum):
    """The persona's fields, in the order the card shows them."""

    NAME = "name"
    ROLE = "role"
    AGE_GROUP = "age_group"
    GENDER = "gender"
    LOCATION = "location"
    AREA = "area"
    FAMILY = "family"
    INCOME = "income"
    BEHAVIOUR = "behaviour"
    INFO_SOURCES = "info_sources"
    GOALS_SHORT = "goals_short"
    GOALS_LONG = "goals_long"
    PROBLEMS = "problems"
    WISHES = "wishes"


class Mode(StrEnum):
    """Whether a touchpoint happens online or offline."""

    ONLINE = "online"
    OFFLINE = "offline"


class PainCategory(StrEnum):
    """The four kinds of customer pain."""

    FINANCIAL = "financial"
    PRODUCTIVITY = "productivity"
    PROCESS = "process"
    SUPPORT = "support"


class Severity(StrEnum):
    """How much a pain point hurts, declared most severe first: the order every list sorts by."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for high, 1 for medium, 2 for low: sorts the most severe first."""
        return list(Severity).index(self)


class PainSource(StrEnum):
    """Who found a pain point: the team, or a customer survey."""

    TEAM = "team"
    SURVEY = "survey"


class FixStatus(StrEnum):
    """Where a fix is in its life."""

    IDEA = "idea"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class SurveyKind(StrEnum):
    """The question a survey asks, stored by its short name."""

    NPS = "nps"  # "How likely are you to recommend us?" 0–10
    CSAT = "csat"  # "How satisfied are you?" 1–5
    CES = "ces"  # "How easy was it?" 1–7


class SurveyStatus(StrEnum):
    """Whether a survey takes answers."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class DeliveryState(StrEnum):
    """Where one broadcast message to one customer is.

    SENDING is written before the send: after a crash such a row is not sent again, because
    the customer may already have it (at most once beats twice).
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


class FocusKind(StrEnum):
    """What a step card's stored focus (Prompt.target_id) names."""

    STAGE = "stage"
    TOUCHPOINT = "touchpoint"
    PAIN = "pain"
    FIX = "fix"


class PromptKind(StrEnum):
    """What a prompt asks for; card kinds are the step cards themselves."""

    CARD_PERSONA = "card.persona"
    CARD_STAGES = "card.stages"
    CARD_TOUCHPOINTS = "card.touchpoints"
    CARD_EMOTIONS = "card.emotions"
    CARD_PAINS = "card.pains"
    CARD_FIXES = "card.fixes"
    PERSONA_FIELD = "persona.field"
    STAGE_ADD = "stage.add"
    STAGE_RENAME = "stage.rename"
    STAGE_GOAL = "stage.goal"
    TOUCHPOINT_ADD = "touchpoint.add"
    TOUCHPOINT_RENAME = "touchpoint.rename"
    TOUCHPOINT_CHANNEL = "touchpoint.channel"
    EMOTION_NOTE = "emotion.note"
    PAIN_ADD = "pain.add"
    PAIN_TEXT = "pain.text"
    FIX_ADD = "fix.add"
    FIX_TEXT = "fix.text"
    FIX_OWNER = "fix.owner"
    FIX_DUE = "fix.due"
    MAP_IMPORT = "map.import"
    SURVEY_QUESTION = "survey.question"
    SURVEY_END = "survey.end"
    SURVEY_CAP = "survey.cap"
    HOTSPOT_FIX = "hotspot.fix"
    KPI_ADD = "kpi.add"
    KPI_VALUE = "kpi.value"
    REVIEW_TIME = "review.time"


def _text_enum(enum: type[StrEnum]) -> Enum:
    # Stored as the value in a plain VARCHAR without a CHECK, so a later value needs no migration.
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


def _chat_fk() -> Column[int]:
    return Column(
        BigInteger, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False, index=True
    )


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class Chat(SQLModel, table=True):
    """A Telegram group (or private chat) the bot works in."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    title: str = Field(default="", max_length=255)
    language: str = Field(max_length=8)
    tz: str = Field(max_length=64)
    current_map_id: int | None = Field(default=None)
    reachable: bool = Field(default=True)
    created_at: datetime = Field(sa_column=_utc())
    # The brand or product a team's surveys ask about ("recommend Acme"); /brand sets it.
    brand: str | None = Field(default=None, max_length=BRAND_MAX_CHARS)


class JourneyMap(SQLModel, table=True):
    """One customer journey map; a chat may keep several, one of them current."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=_chat_fk())
    title: str = Field(max_length=100)
    segment: str | None = Field(default=None, max_length=200)
    status: MapStatus = Field(default=MapStatus.DRAFT, sa_type=_text_enum(MapStatus))
    owner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    owner_name: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class Persona(SQLModel, table=True):
    """The customer the map is about: one per map."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("journeymap.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    name: str | None = Field(default=None, max_length=500)
    role: str | None = Field(default=None, max_length=500)
    age_group: str | None = Field(default=None, max_length=500)
    gender: str | None = Field(default=None, max_length=500)
    location: str | None = Field(default=None, max_length=500)
    area: str | None = Field(default=None, max_length=500)
    family: str | None = Field(default=None, max_length=500)
    income: str | None = Field(default=None, max_length=500)
    behaviour: str | None = Field(default=None, max_length=500)
    info_sources: str | None = Field(default=None, max_length=500)
    goals_short: str | None = Field(default=None, max_length=500)
    goals_long: str | None = Field(default=None, max_length=500)
    problems: str | None = Field(default=None, max_length=500)
    wishes: str | None = Field(default=None, max_length=500)


class Stage(SQLModel, table=True):
    """A phase of the journey; stages are ordered by position."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(sa_column=_fk("journeymap.id"))
    position: int
    name: str = Field(max_length=100)
    customer_goal: str | None = Field(default=None, max_length=500)


class Touchpoint(SQLModel, table=True):
    """Where the customer meets the company within a stage."""

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(sa_column=_fk("stage.id"))
    position: int
    name: str = Field(max_length=100)
    channel: str | None = Field(default=None, max_length=40)
    mode: Mode | None = Field(default=None, sa_type=_text_enum(Mode))
    is_moment_of_truth: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class EmotionVote(SQLModel, table=True):
    """One member's feeling about a touchpoint, −2..+2; a member has one vote per touchpoint."""

    __table_args__ = (UniqueConstraint("touchpoint_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    touchpoint_id: int = Field(sa_column=_fk("touchpoint.id"))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_name: str = Field(max_length=128)
    score: int | None = Field(default=None)
    note: str | None = Field(default=None, max_length=300)
    updated_at: datetime = Field(sa_column=_utc())


class PainPoint(SQLModel, table=True):
    """Something that hurts the customer at a stage, optionally at one touchpoint."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(sa_column=_fk("journeymap.id"))
    stage_id: int = Field(sa_column=_fk("stage.id"))
    touchpoint_id: int | None = Field(
        default=None, sa_column=_fk("touchpoint.id", nullable=True, ondelete="SET NULL")
    )
    text: str = Field(max_length=500)
    category: PainCategory | None = Field(default=None, sa_type=_text_enum(PainCategory))
    severity: Severity = Field(default=Severity.MEDIUM, sa_type=_text_enum(Severity))
    source: PainSource = Field(default=PainSource.TEAM, sa_type=_text_enum(PainSource))
    created_at: datetime = Field(sa_column=_utc())


class Fix(SQLModel, table=True):
    """What the team will do about a pain point."""

    id: int | None = Field(default=None, primary_key=True)
    pain_point_id: int = Field(sa_column=_fk("painpoint.id"))
    text: str = Field(max_length=500)
    owner_name: str | None = Field(default=None, max_length=128)
    owner_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    status: FixStatus = Field(default=FixStatus.IDEA, sa_type=_text_enum(FixStatus))
    due_on: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=_utc())
    # Due-date reminders are sent once each; the due date they were sent for, so a new date
    # re-arms them.
    reminded_before_for: date | None = Field(default=None)
    reminded_overdue_for: date | None = Field(default=None)


class ChangeEvent(SQLModel, table=True):
    """Who did what to which item, and when: the map's change log."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(sa_column=_fk("journeymap.id"))
    actor_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor_name: str = Field(max_length=128)
    action: str = Field(max_length=40)
    item_id: int | None = Field(default=None)
    summary: str = Field(default="", max_length=200)
    at: datetime = Field(sa_column=_utc())


class Prompt(SQLModel, table=True):
    """A bot message that asks something: a reply to it is routed by (chat_id, message_id)."""

    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int
    kind: str = Field(max_length=32)
    map_id: int | None = Field(
        default=None, sa_column=_fk("journeymap.id", nullable=True, ondelete="SET NULL")
    )
    # What the prompt is about: target_id names an item (of the kind the question table says,
    # or of `focus` on a step card); a persona question names its field instead.
    target_id: int | None = Field(default=None)
    focus: FocusKind | None = Field(default=None, sa_type=_text_enum(FocusKind))
    persona_field: PersonaField | None = Field(default=None, sa_type=_text_enum(PersonaField))
    card_message_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=_utc())
    # A question is open until answered; /cancel closes the open ones, which then take no reply.
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class ChatMember(SQLModel, table=True):
    """Someone seen in a chat, so a fix's @owner can be checked (the Bot API finds no username)."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # Lower case: Telegram usernames are case-insensitive ASCII (a-z, 0-9, _), 5 to 32 long.
    username: str | None = Field(default=None, sa_column=Column(String(32), index=True))
    is_bot: bool = Field(default=False)
    last_seen_at: datetime = Field(sa_column=_utc())


class PendingKind(StrEnum):
    """An answer that waits for a member's yes: what it would set."""

    MAP_TITLE = "map.title"  # a new map whose title another map has (up to case)
    FIX_OWNER = "fix.owner"  # an owner who is a bot or nobody seen in the chat
    FIX_DUE = "fix.due"  # a due date years ahead


class Pending(SQLModel, table=True):
    """An answer held until a member confirms it with a button; /cancel drops it."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=_chat_fk())
    kind: PendingKind = Field(sa_type=_text_enum(PendingKind))
    target_id: int | None = Field(default=None)  # the fix; None for a new map
    value: str = Field(max_length=128)  # the title, the owner, the due date (ISO)
    card_message_id: int | None = Field(default=None)  # the step card to redraw once kept
    created_at: datetime = Field(sa_column=_utc())


class HandledMessage(SQLModel, table=True):
    """A member's message already acted on, so a redelivered update changes nothing."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    message_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    # Forgotten once past its retention (cjm.services.handled_messages); indexed for that DELETE.
    handled_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    # A reply to a step card: the item it went to as the card showed it (an edit goes there too).
    focus: FocusKind | None = Field(default=None, sa_type=_text_enum(FocusKind))
    target_id: int | None = Field(default=None)


class HandledPress(SQLModel, table=True):
    """A button press already acted on (by its callback query id): a redelivery changes nothing."""

    # Bot API, CallbackQuery.id: a String; in practice a decimal of at most 20 digits.
    query_id: str = Field(sa_column=Column(String(64), primary_key=True, autoincrement=False))
    handled_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Survey(SQLModel, table=True):
    """A question about one touchpoint that customers answer in Telegram."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(sa_column=_fk("journeymap.id"))
    touchpoint_id: int | None = Field(
        default=None, sa_column=_fk("touchpoint.id", nullable=True, ondelete="SET NULL")
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: SurveyKind = Field(sa_type=_text_enum(SurveyKind))
    question: str | None = Field(default=None, max_length=300)
    ask_why: bool = Field(default=True)
    token: str = Field(max_length=64, unique=True, index=True)
    status: SurveyStatus = Field(default=SurveyStatus.OPEN, sa_type=_text_enum(SurveyStatus))
    ends_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    max_responses: int | None = Field(default=None)
    created_by_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(sa_column=_utc())


class Respondent(SQLModel, table=True):
    """A customer who opened a survey link; the team never sees who it is."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    language: str = Field(default="en", max_length=8)
    may_ask_again: bool = Field(default=False)
    reachable: bool = Field(default=True)
    stopped: bool = Field(default=False)
    awaiting_comment_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=_utc())
    # A long "why?" arrives in parts (clients split texts over 4,096 characters); the parts
    # so far, their length in all (the text is dropped once past the limit), the last one's time.
    comment_draft: str | None = Field(default=None, max_length=COMMENT_MAX_CHARS)
    comment_length: int = Field(default=0)
    comment_part_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # The private message whose Skip button waits for the comment (redrawn without it after).
    asking_message_id: int | None = Field(default=None)


class SurveyResponse(SQLModel, table=True):
    """One customer's answer to one survey: answering again changes it."""

    __table_args__ = (
        UniqueConstraint("survey_id", "respondent_id"),
        # Results count answers per survey, score and week straight from this index.
        Index(
            "ix_surveyresponse_survey_id_score_answered_at", "survey_id", "score", "answered_at"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(sa_column=_fk("survey.id"))
    respondent_id: int = Field(sa_column=_fk("respondent.id"))
    score: int
    comment: str | None = Field(default=None, max_length=COMMENT_MAX_CHARS)
    answered_at: datetime = Field(sa_column=_utc())


class SurveyPost(SQLModel, table=True):
    """A survey posted into a group, whose live count the bot keeps up to date."""

    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(sa_column=_fk("survey.id"))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int


class Broadcast(SQLModel, table=True):
    """Sending a survey to the customers who agreed to be asked again."""

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(sa_column=_fk("survey.id"))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    progress_message_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=_utc())
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Delivery(SQLModel, table=True):
    """One broadcast message to one customer, with its state (resumable after a crash)."""

    __table_args__ = (UniqueConstraint("broadcast_id", "respondent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(sa_column=_fk("broadcast.id"))
    respondent_id: int = Field(sa_column=_fk("respondent.id"))
    state: DeliveryState = Field(
        default=DeliveryState.PENDING, sa_type=_text_enum(DeliveryState), index=True
    )
    updated_at: datetime = Field(sa_column=_utc())


class Cadence(StrEnum):
    """How often a map is reviewed."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    WEEKDAYS = "weekdays"  # on chosen weekdays, every week


class KpiDirection(StrEnum):
    """Whether a KPI is better higher or lower."""

    UP = "up"
    DOWN = "down"


class ReviewSchedule(SQLModel, table=True):
    """When a map is reviewed: a cadence at a local time of day; next_at is the next run (UTC)."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("journeymap.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    cadence: Cadence = Field(default=Cadence.WEEKLY, sa_type=_text_enum(Cadence))
    weekdays: int = Field(default=0)  # bit 0 = Monday … bit 6 = Sunday, for Cadence.WEEKDAYS
    anchor_weekday: int = Field(default=0)  # 0 = Monday: the weekday of weekly/biweekly runs
    anchor_day: int = Field(default=1)  # day of month for monthly runs (clamped to month end)
    local_time: str = Field(default="09:00", max_length=5)  # HH:MM in the chat's time zone
    paused: bool = Field(default=False)
    pause_reason: str | None = Field(default=None, max_length=64)
    next_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_digest_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    snoozed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Review(SQLModel, table=True):
    """A member pressed "Reviewed ✅" on a digest."""

    id: int | None = Field(default=None, primary_key=True)
    map_id: int = Field(sa_column=_fk("journeymap.id"))
    digest_message_id: int | None = Field(default=None)
    reviewer_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    reviewer_name: str = Field(max_length=128)
    reviewed_at: datetime = Field(sa_column=_utc())


class Kpi(SQLModel, table=True):
    """A metric the team tracks for a stage, with a target and a better direction."""

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(sa_column=_fk("stage.id"))
    name: str = Field(max_length=100)
    unit: str = Field(default="", max_length=20)
    target: float | None = Field(default=None)
    direction: KpiDirection = Field(default=KpiDirection.UP, sa_type=_text_enum(KpiDirection))


class KpiValue(SQLModel, table=True):
    """One recorded value of a KPI on a local date."""

    __table_args__ = (UniqueConstraint("kpi_id", "measured_on"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(sa_column=_fk("kpi.id"))
    value: float
    measured_on: date
    recorded_at: datetime = Field(sa_column=_utc())
