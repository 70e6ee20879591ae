"""The survey card: status, questions about the survey, posting to a group, sending."""

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler

from bot.callbacks import (
    SurveyAsk,
    SurveyBroadcast,
    SurveyCard,
    SurveyPostMenu,
    SurveyPostTo,
    SurveySetStatus,
    SurveyShowResults,
)
from bot.context import BotContext, Labels
from bot.handlers import replies
from bot.handlers.surveys.common import edit, message_id, plain, short
from bot.keyboards import button
from cjm.models import PromptKind, SurveyStatus
from cjm.services import prompts, responses, surveys
from cjm.views import Answered, Redraw, SurveyView


def link(context: BotContext, survey: SurveyView) -> str:
    """The deep link customers open to answer."""
    return f"https://t.me/{context.bot.username}?start={survey.token}"


def _card_keyboard(survey: SurveyView, labels: Labels) -> InlineKeyboardMarkup:
    status = survey.status
    first = []
    if status is SurveyStatus.OPEN:
        first.append(button(labels.survey_pause(), _status(survey, SurveyStatus.PAUSED)))
    elif status is SurveyStatus.PAUSED:
        first.append(button(labels.survey_resume(), _status(survey, SurveyStatus.OPEN)))
    if status is SurveyStatus.CLOSED:
        first.append(button(labels.survey_reopen(), _status(survey, SurveyStatus.OPEN)))
    else:
        first.append(button(labels.survey_close(), _status(survey, SurveyStatus.CLOSED)))
    keyboard = [
        first,
        [
            button(labels.survey_question(), SurveyAsk(survey.id, PromptKind.SURVEY_QUESTION)),
            button(labels.survey_end(), SurveyAsk(survey.id, PromptKind.SURVEY_END)),
            button(labels.survey_cap(), SurveyAsk(survey.id, PromptKind.SURVEY_CAP)),
        ],
        [
            button(labels.survey_post(), SurveyPostMenu(survey.id)),
            button(labels.survey_results(), SurveyShowResults(survey.id)),
        ],
    ]
    if survey.may_ask_again > 0 and status is SurveyStatus.OPEN:
        keyboard.append(
            [button(labels.survey_send(survey.may_ask_again), SurveyBroadcast(survey.id))]
        )
    return InlineKeyboardMarkup(keyboard)


def _status(survey: SurveyView, status: SurveyStatus) -> SurveySetStatus:
    return SurveySetStatus(survey.id, status)


def _card_text(update: Update, context: BotContext, survey: SurveyView) -> str:
    return context.render(
        update, "chat/surveys/card.html", survey=survey, link=link(context, survey)
    )


async def show_card(
    update: Update,
    context: BotContext,
    survey: SurveyView,
    message_id: int,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Draw the card on a message: its own buttons unless given others."""
    text = _card_text(update, context, survey)
    keyboard = keyboard or _card_keyboard(survey, context.labels(update))
    await edit(context, context.chat(update).id, message_id, text, keyboard)


async def survey_status_button(update: Update, context: BotContext) -> None:
    """Pause, resume, close or reopen."""
    payload = SurveySetStatus.parse(context.payload(update))
    survey = surveys.set_status(
        context.uow(),
        chat_id=context.chat(update).id,
        survey_id=payload.survey_id,
        status=payload.status,
        actor=context.actor(update),
    )
    await show_card(update, context, survey, message_id(update))
    await context.answer(update)


async def survey_card_button(update: Update, context: BotContext) -> None:
    """Redraw the card with its own buttons (back from the list of groups)."""
    payload = SurveyCard.parse(context.payload(update))
    survey = surveys.get_survey(
        context.uow(), chat_id=context.chat(update).id, survey_id=payload.survey_id
    )
    await show_card(update, context, survey, message_id(update))
    await context.answer(update)


async def survey_ask_button(update: Update, context: BotContext) -> None:
    """Own question, end date or cap: post a question members answer by replying."""
    payload = SurveyAsk.parse(context.payload(update))
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=payload.what,
        target_id=payload.survey_id,
        card_message_id=message_id(update),
    )
    await context.ask(update, asked)
    await context.answer(update)


@replies.redraws(Redraw.SURVEY_CARD)
async def redraw_survey_card(update: Update, context: BotContext, answered: Answered) -> None:
    """After an answer about a survey: its card, with the survey as the answer left it."""
    assert isinstance(answered.outcome, SurveyView)  # noqa: S101  (the table's survey rows)
    if answered.card_message_id is not None:
        await show_card(update, context, answered.outcome, answered.card_message_id)


# ---------------------------------------------------------------- posting and sending


async def survey_post_menu_button(update: Update, context: BotContext) -> None:
    """List the other groups the bot is in, on the card, with a Back button."""
    payload = SurveyPostMenu.parse(context.payload(update))
    choices = surveys.post_choices(
        context.uow(), chat_id=context.chat(update).id, survey_id=payload.survey_id
    )
    if not choices.groups:
        await context.answer(update, plain(update, context, "no_other_chats"))
        return
    survey, labels = choices.survey, context.labels(update)
    keyboard = InlineKeyboardMarkup(
        [
            *(
                [
                    button(
                        labels.survey_post_to(short(g.title or str(g.id), 40)),
                        SurveyPostTo(survey.id, g.id),
                    )
                ]
                for g in choices.groups
            ),
            [button(labels.back(), SurveyCard(survey.id))],
        ]
    )
    await show_card(update, context, survey, message_id(update), keyboard)
    await context.answer(update)


async def survey_post_button(update: Update, context: BotContext) -> None:
    """Post the survey into another group (the customers' side draws that message)."""
    payload = SurveyPostTo.parse(context.payload(update))
    posting = surveys.post_to_group(
        context.uow(),
        chat_id=context.chat(update).id,
        survey_id=payload.survey_id,
        to_chat_id=payload.chat_id,
        default_language=context.deps.settings.bot_default_language,
    )
    # Imported when pressed: the customers' side is built apart and may import this module.
    from bot.handlers.customers import question_message

    posted = posting.question
    text, keyboard = question_message(
        context.deps.texts, posted.language, posted.question, responses_so_far=posted.responses
    )
    message = await context.bot.send_message(
        payload.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    responses.record_post(  # the message id exists only now: the second, tiny transaction
        context.uow(),
        survey_id=posting.survey.id,
        chat_id=payload.chat_id,
        message_id=message.message_id,
    )
    await show_card(update, context, posting.survey, message_id(update))
    await context.answer(update, plain(update, context, "posted"))


async def survey_broadcast_button(update: Update, context: BotContext) -> None:
    """Send the survey to every customer who agreed to be asked again."""
    payload = SurveyBroadcast.parse(context.payload(update))
    from bot.broadcast import start_broadcast  # when pressed, as above

    await start_broadcast(  # refuses another chat's survey itself (ItemGone)
        context,
        survey_id=payload.survey_id,
        chat_id=context.chat(update).id,
        actor=context.actor(update),
    )
    await context.answer(update, plain(update, context, "sending"))


HANDLERS = [
    CallbackQueryHandler(survey_status_button, pattern=SurveySetStatus.pattern()),
    CallbackQueryHandler(survey_card_button, pattern=SurveyCard.pattern()),
    CallbackQueryHandler(survey_ask_button, pattern=SurveyAsk.pattern()),
    CallbackQueryHandler(survey_post_menu_button, pattern=SurveyPostMenu.pattern()),
    CallbackQueryHandler(survey_post_button, pattern=SurveyPostTo.pattern()),
    CallbackQueryHandler(survey_broadcast_button, pattern=SurveyBroadcast.pattern()),
]
