"""Touchpoint surveys: the customer's side (deep link, score buttons, why?, consent, groups).

A customer follows t.me/<bot>?start=<token>, reads a one-line privacy note and presses a score;
pressing again changes it. If the survey asks why, the next text in the private chat is the
comment. In a community group the same buttons sit under a post whose count the bot keeps
live, and nobody ever sees who answered what.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.buttons import on_press
from bot.callbacks import AllowAskAgain, AnswerSurvey, SkipWhy
from bot.context import BotContext, Deps, Labels
from bot.keyboards import Row, button
from bot.messages import edit_text, send_text
from cjm.analytics import SCALE
from cjm.errors import ItemGone, SurveyUnavailable
from cjm.models import SurveyKind
from cjm.render.texts import Texts
from cjm.services import responses
from cjm.views import CommentState, CommentVerdict, PostedQuestion, QuestionView

App = Application[Any, Any, Any, Any, Any, Any]

NOTES = "chat/customers/notes.html"
FINISH_JOB = "customers:comment"
FINISH_SLACK = timedelta(seconds=1)  # the job wakes a moment after the window, not before
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


def add_to_group_keyboard(bot_username: str, labels: Labels) -> InlineKeyboardMarkup:
    """One url button that opens "add to a group" for this bot (a deep link, startgroup)."""
    # Deep linking (core.telegram.org/api/links#bot-links): t.me/<bot>?startgroup=<param>
    # lets the user pick a group and adds the bot there.
    url = f"https://t.me/{bot_username}?startgroup=1"
    return InlineKeyboardMarkup([[InlineKeyboardButton(labels.add_to_group(), url=url)]])


async def welcome_command(update: Update, context: BotContext) -> None:
    """/start without a link, or /help, in private: what the bot is, for a customer.

    Team members who open the bot here get one button to add it to their group.
    """
    await context.reply(
        update,
        "chat/customers/welcome.html",
        reply_markup=add_to_group_keyboard(context.bot.username, context.labels(update)),
    )


async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel in private: skip the comment asked for, if any (as the Skip button does)."""
    verdict = responses.skip_comment(context.uow(), user_id=context.actor(update).user_id)
    if verdict.state is CommentState.STORED:
        await tell_verdict(context.application, verdict)
    else:
        await context.send(update, _note(context, update, "nothing_to_cancel"))


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
        message_id=None if group else context.pressed_message_id(update),
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


def _thank_keyboard(labels: Labels) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(labels.consent(True), AllowAskAgain(True)),
                button(labels.consent(False), AllowAskAgain(False)),
            ]
        ]
    )


async def _thank(update: Update, context: BotContext) -> None:
    await context.reply(
        update, "chat/customers/thanks.html", reply_markup=_thank_keyboard(context.labels(update))
    )


async def comment_message(update: Update, context: BotContext) -> None:
    """A customer's text in private: (a part of) the "why?" of their latest answer.

    A client sends a text over 4,096 characters as several messages; they are one comment,
    told about once (responses.add_comment_part).
    """
    message = update.effective_message
    assert message is not None  # noqa: S101  (a message update)
    verdicts = responses.add_comment_part(
        context.uow(), user_id=context.actor(update).user_id, text=message.text or ""
    )
    for verdict in verdicts:
        await tell_verdict(context.application, verdict)


async def tell_verdict(application: App, verdict: CommentVerdict) -> None:
    """Tell a customer what became of their comment; a stored one redraws the question."""
    deps: Deps = application.bot_data["deps"]
    texts, language, chat_id = deps.texts, verdict.language, verdict.user_id
    state = verdict.state
    if state is CommentState.GOING_ON:
        _finish_later(application, verdict)
        return
    if state is CommentState.TOO_LONG:
        text = texts.macro(
            language, NOTES, "comment_too_long", length=verdict.length, limit=verdict.limit
        )
        await send_text(application.bot, chat_id, text)
        return
    if state is not CommentState.STORED:
        name = "comment_empty" if state is CommentState.EMPTY else "nothing_asked"
        await send_text(application.bot, chat_id, texts.macro(language, NOTES, name))
        return
    _drop_skip(application, verdict)
    text = texts.render(language, "chat/customers/thanks.html")
    await send_text(
        application.bot, chat_id, text, _thank_keyboard(Labels(texts.labels(language)))
    )


def _drop_skip(application: App, verdict: CommentVerdict) -> None:
    """Redraw the question without its Skip button: nothing waits for a comment any more.

    Through the CardEditor, so an earlier redraw of the same message (with Skip) still
    waiting for its turn is replaced by this one.
    """
    message_id, survey_id = verdict.asking_message_id, verdict.survey_id
    if message_id is None or survey_id is None:
        return
    deps: Deps = application.bot_data["deps"]
    chat_id = verdict.user_id

    async def edit() -> None:
        try:
            posted = responses.get_question(deps.new_uow(), survey_id=survey_id, user_id=chat_id)
        except (ItemGone, SurveyUnavailable):
            return  # the survey or its touchpoint was deleted meanwhile: nothing to redraw
        text, keyboard = question_message(deps.texts, verdict.language, posted.question)
        await edit_text(application.bot, chat_id, message_id, text, keyboard)

    deps.card_editor.request((chat_id, message_id), edit, application.create_task)


def _finish_later(application: App, verdict: CommentVerdict) -> None:
    """Judge the comment once its window passed, unless another part comes first."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    deps: Deps = application.bot_data["deps"]
    assert verdict.finish_at is not None  # noqa: S101  (GOING_ON carries it)
    # A delay, not the moment: APScheduler reads the system clock, "now" is the injected one.
    delay = max(verdict.finish_at - deps.clock.now(), timedelta(0)) + FINISH_SLACK
    queue.run_once(_finish_job, when=delay, name=f"{FINISH_JOB}:{verdict.user_id}")


async def _finish_job(context: BotContext) -> None:
    await finish_comments(context.application)


async def finish_comments(application: App) -> int:
    """Tell every customer whose comment's last part is older than the window; how many."""
    deps: Deps = application.bot_data["deps"]
    verdicts = await asyncio.to_thread(responses.finish_comments, deps.new_uow())
    for verdict in verdicts:
        await tell_verdict(application, verdict)
    return len(verdicts)


async def skip_button(update: Update, context: BotContext, _press: SkipWhy) -> None:
    """Skip: no comment this time; the question loses its Skip button."""
    verdict = responses.skip_comment(context.uow(), user_id=context.actor(update).user_id)
    skipped = verdict.state is CommentState.STORED
    await context.answer(
        update, None if skipped else _plain_note(context, update, "nothing_to_skip")
    )
    if skipped:
        await tell_verdict(context.application, verdict)


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

HANDLERS = [  # registered before chat.py's /start, /help and /cancel (the team's)
    CommandHandler("start", survey_link_command, has_args=True, filters=PRIVATE),
    CommandHandler(("start", "help"), welcome_command, filters=PRIVATE),
    CommandHandler("cancel", cancel_command, filters=PRIVATE),
    CommandHandler("forgetme", forgetme_command, filters=PRIVATE),
    CommandHandler("stop", stop_command, filters=PRIVATE),
    on_press(AnswerSurvey, answer_button),
    on_press(SkipWhy, skip_button),
    on_press(AllowAskAgain, ask_again_button),
    MessageHandler(
        PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, comment_message
    ),
]
