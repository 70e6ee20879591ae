"""Touchpoint surveys: the customer's side (deep link, score buttons, why?, consent, groups).

A customer follows t.me/<bot>?start=<token>, reads a one-line privacy note and presses a score;
pressing again changes it. If the survey asks why, the next text in the private chat is the
comment. In a community group the same buttons sit under a post whose count the bot keeps
live, and nobody ever sees who answered what.
"""

from __future__ import annotations

from collections import OrderedDict

from aiolimiter import AsyncLimiter
from telegram import ForceReply, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.buttons import on_press
from bot.callbacks import AllowAskAgain, AnswerSurvey, SkipWhy
from bot.context import BotContext, Labels
from bot.keyboards import Row, button
from bot.messages import send_text
from cjm.analytics import SCALE
from cjm.models import SurveyKind
from cjm.render.texts import Texts
from cjm.services import responses
from cjm.views import PostedQuestion, QuestionView

NOTES = "chat/customers/notes.html"
# A question is redrawn at most this often; presses in between coalesce into the next edit.
EDIT_EVERY_S = {"private": 1.0, "group": 3.0}
MAX_PACED_MESSAGES = 10_000  # forget the oldest message's pace beyond this many
# Score buttons per row: NPS 0–5 / 6–10, CSAT 1–5, CES 1–4 / 5–7 (its end labels are words).
ROW_SIZES = {SurveyKind.NPS: (6, 5), SurveyKind.CSAT: (5,), SurveyKind.CES: (4, 3)}


def question_keyboard(
    question: QuestionView, labels: Labels, *, group: bool = False, skip: bool = False
) -> InlineKeyboardMarkup:
    """Score buttons (the customer's own answer ticked, never in a group), then Skip."""
    low, high = SCALE[question.kind]
    chosen = None if group else question.current_score
    buttons = [
        button(
            labels.score(question.kind.value, value, value == chosen),
            AnswerSurvey(question.survey_id, value),
        )
        for value in range(low, high + 1)
    ]
    keyboard: list[Row] = []
    for size in ROW_SIZES[question.kind]:
        keyboard.append(buttons[:size])
        buttons = buttons[size:]
    if skip:
        keyboard.append([button(labels.skip_why(), SkipWhy(question.survey_id))])
    return InlineKeyboardMarkup(keyboard)


def question_message(
    texts: Texts,
    language: str,
    question: QuestionView,
    *,
    responses_so_far: int | None = None,
    skip: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """The question's text and buttons; with `responses_so_far`, as a group post."""
    group = responses_so_far is not None
    text = texts.render(
        language,
        "chat/customers/question.html",
        q=question,
        group=group,
        responses=responses_so_far or 0,
    )
    labels = Labels(texts.labels(language))
    return text, question_keyboard(question, labels, group=group, skip=skip)


class EditPace:
    """One aiolimiter bucket per message, so a burst of presses costs an edit a second.

    The CardEditor keeps at most one edit in flight per message and runs only the newest;
    waiting for the bucket inside the edit is what lets the presses in between pile up.
    """

    def __init__(self) -> None:
        self._limiters: OrderedDict[tuple[int, int], AsyncLimiter] = OrderedDict()

    def of(self, key: tuple[int, int], every_s: float) -> AsyncLimiter:
        """The bucket of one message."""
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = AsyncLimiter(1, every_s)
            if len(self._limiters) > MAX_PACED_MESSAGES:
                self._limiters.popitem(last=False)
        return limiter


def _pace(context: BotContext) -> EditPace:
    # Kept with the application (one per event loop, as aiolimiter requires).
    pace: EditPace = context.application.bot_data.setdefault("customers.edit_pace", EditPace())
    return pace


def _note(context: BotContext, update: Update, name: str, **params: object) -> str:
    return context.macro(update, NOTES, name, **params)


def _plain_note(context: BotContext, update: Update, name: str, **params: object) -> str:
    return context.plain_macro(update, NOTES, name, **params)


async def survey_link_command(update: Update, context: BotContext) -> None:
    """/start <token> in private: the privacy note, then the question with score buttons."""
    actor = context.actor(update)
    user = update.effective_user
    question = responses.open_survey(
        context.uow(),
        token=(context.args or [""])[0],
        user_id=actor.user_id,
        language_code=user.language_code if user else None,
    )
    await context.reply(update, "chat/customers/privacy.html")
    text, keyboard = question_message(context.deps.texts, context.language(update), question)
    await context.send(update, text, reply_markup=keyboard)


async def answer_button(update: Update, context: BotContext, press: AnswerSurvey) -> None:
    """A score pressed: store it (a change replaces it), redraw the question, ask why once."""
    user = update.effective_user
    group = context.chat_ref(update).is_group
    answered = responses.answer_and_redraw(
        context.uow(),
        survey_id=press.survey_id,
        user_id=context.actor(update).user_id,
        language_code=user.language_code if user else None,
        score=press.score,
        via_group=group,
    )
    outcome = answered.outcome
    text = _plain_note(context, update, "answered", score=press.score) if group else None
    await context.answer(update, text)
    _redraw(
        update,
        context,
        answered.question,
        responses_so_far=outcome.responses,
        skip=outcome.ask_why,
    )
    if group or outcome.changed:
        return
    if outcome.ask_why:
        await context.reply(update, "chat/customers/why.html", reply_markup=ForceReply())
    else:
        await _thank(update, context)


def _redraw(
    update: Update,
    context: BotContext,
    question: QuestionView,
    *,
    responses_so_far: int | None,
    skip: bool,
) -> None:
    """Edit the pressed message in the background; a burst of presses costs a few edits.

    The newest request wins, so the question (and count) it carries are the latest stored.
    """
    query = update.callback_query
    assert query is not None  # noqa: S101  (a button press)
    assert query.message is not None  # noqa: S101  (presses come with their message)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    language, texts = context.language(update), context.deps.texts
    group = responses_so_far is not None
    limiter = _pace(context).of(
        (chat_id, message_id), EDIT_EVERY_S["group" if group else "private"]
    )

    async def edit() -> None:
        await limiter.acquire()
        text, keyboard = question_message(
            texts, language, question, responses_so_far=responses_so_far, skip=skip
        )
        # Pressing the same score again leaves nothing new to show: edit takes that as done.
        await context.edit(chat_id, message_id, text, keyboard)

    context.deps.card_editor.request(
        (chat_id, message_id),
        edit,
        lambda coroutine: context.application.create_task(coroutine, update=update),
    )


async def _thank(update: Update, context: BotContext) -> None:
    labels = context.labels(update)
    await context.reply(
        update,
        "chat/customers/thanks.html",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    button(labels.consent(True), AllowAskAgain(True)),
                    button(labels.consent(False), AllowAskAgain(False)),
                ]
            ]
        ),
    )


async def comment_message(update: Update, context: BotContext) -> None:
    """A customer's text in private: the "why?" of their latest answer."""
    message = update.effective_message
    assert message is not None  # noqa: S101  (a message update)
    stored = responses.add_comment(
        context.uow(), user_id=context.actor(update).user_id, text=message.text or ""
    )
    if stored:
        await _thank(update, context)
    else:
        await context.send(update, _note(context, update, "nothing_asked"))


async def skip_button(update: Update, context: BotContext, _press: SkipWhy) -> None:
    """Skip: no comment this time."""
    skipped = responses.skip_comment(context.uow(), user_id=context.actor(update).user_id)
    await context.answer(
        update, None if skipped else _plain_note(context, update, "nothing_to_skip")
    )
    if skipped:
        await _thank(update, context)


async def ask_again_button(update: Update, context: BotContext, press: AllowAskAgain) -> None:
    """Yes / No to "May we ask you again later?"."""
    agreed = press.agreed
    responses.set_may_ask_again(
        context.uow(), user_id=context.actor(update).user_id, agreed=agreed
    )
    await context.answer(update)
    await context.edit_pressed(update, _note(context, update, "consent_saved", agreed=agreed))


async def forgetme_command(update: Update, context: BotContext) -> None:
    """/forgetme: delete the customer and every answer they gave."""
    count = responses.forget_me(context.uow(), user_id=context.actor(update).user_id)
    await context.send(update, _note(context, update, "forgotten", count=count))


async def stop_command(update: Update, context: BotContext) -> None:
    """/stop: never ask this customer again."""
    responses.stop(context.uow(), user_id=context.actor(update).user_id)
    await context.send(update, _note(context, update, "stopped"))


async def post_question(
    context: BotContext, *, chat_id: int, survey_id: int, posted: PostedQuestion
) -> None:
    """Post a survey's question with score buttons into a group, and keep its live count."""
    text, keyboard = question_message(
        context.deps.texts, posted.language, posted.question, responses_so_far=posted.responses
    )
    message = await send_text(context.bot, chat_id, text, keyboard)
    responses.record_post(  # the message id exists only now: the second, tiny transaction
        context.uow(), survey_id=survey_id, chat_id=chat_id, message_id=message.message_id
    )


PRIVATE = filters.ChatType.PRIVATE

HANDLERS = [  # registered before chat.py's plain /start
    CommandHandler("start", survey_link_command, has_args=True, filters=PRIVATE),
    CommandHandler("forgetme", forgetme_command, filters=PRIVATE),
    CommandHandler("stop", stop_command, filters=PRIVATE),
    on_press(AnswerSurvey, answer_button),
    on_press(SkipWhy, skip_button),
    on_press(AllowAskAgain, ask_again_button),
    MessageHandler(
        PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, comment_message
    ),
]
