"""The survey card: status, questions about the survey, posting to a group, sending."""

from telegram import InlineKeyboardMarkup, Update

from bot.buttons import on_press
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
from bot.keyboards import button, short
from bot.permissions import administered_groups, administers
from cjm.errors import StaleButton
from cjm.models import PromptKind, SurveyStatus
from cjm.services import prompts, surveys
from cjm.views import Answered, Redraw, SurveyView

ANSWERS = "chat/surveys/answers.html"  # what a press answers


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
    await context.redraw(update, message_id, text, keyboard)


async def survey_status_button(
    update: Update, context: BotContext, payload: SurveySetStatus
) -> None:
    """Pause, resume, close or reopen."""
    survey = surveys.set_status(
        context.uow(),
        chat_id=context.chat(update).id,
        survey_id=payload.survey_id,
        status=payload.status,
        actor=context.actor(update),
    )
    await show_card(update, context, survey, context.pressed_message_id(update))
    await context.answer(update)


async def survey_card_button(update: Update, context: BotContext, payload: SurveyCard) -> None:
    """Redraw the card with its own buttons (back from the list of groups)."""
    survey = surveys.get_survey(
        context.uow(), chat_id=context.chat(update).id, survey_id=payload.survey_id
    )
    await show_card(update, context, survey, context.pressed_message_id(update))
    await context.answer(update)


async def survey_ask_button(update: Update, context: BotContext, payload: SurveyAsk) -> None:
    """Own question, end date or cap: post a question members answer by replying."""
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=payload.what,
        target_id=payload.survey_id,
        card_message_id=context.pressed_message_id(update),
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


async def survey_post_menu_button(
    update: Update, context: BotContext, payload: SurveyPostMenu
) -> None:
    """List the other groups the member administers right now (and the bot is in), on the card.

    Each candidate group is checked with getChatMember first, so a member sees no group, not
    even its title, that they could not post to themselves.
    """
    chat_id, user = context.chat(update).id, context.actor(update)
    candidates = surveys.post_candidates(
        context.uow(), chat_id=chat_id, survey_id=payload.survey_id
    )
    administered = await administered_groups(context, user.user_id, candidates)
    choices = surveys.post_choices(
        context.uow(), chat_id=chat_id, survey_id=payload.survey_id, administered=administered
    )
    if not choices.groups:
        await context.answer(update, context.plain_macro(update, ANSWERS, "no_other_chats"))
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
    await show_card(update, context, survey, context.pressed_message_id(update), keyboard)
    await context.answer(update)


async def survey_post_button(update: Update, context: BotContext, payload: SurveyPostTo) -> None:
    """Post the survey into another group (the customers' side draws that message)."""
    posting = surveys.post_to_group(
        context.uow(),
        chat_id=context.chat(update).id,
        survey_id=payload.survey_id,
        to_chat_id=payload.chat_id,
        default_language=context.deps.settings.bot_default_language,
    )
    # Checked again when pressed: the member may have lost the rights since the list was drawn.
    if not await administers(context, payload.chat_id, context.actor(update).user_id):
        raise StaleButton
    # Imported when pressed: the customers' side is built apart and may import this module.
    from bot.handlers.customers import post_question

    await post_question(
        context, chat_id=payload.chat_id, survey_id=posting.survey.id, posted=posting.question
    )
    await show_card(update, context, posting.survey, context.pressed_message_id(update))
    await context.answer(update, context.plain_macro(update, ANSWERS, "posted"))


async def survey_broadcast_button(
    update: Update, context: BotContext, payload: SurveyBroadcast
) -> None:
    """Send the survey to every customer who agreed to be asked again."""
    from bot.broadcast import start_broadcast  # when pressed, as above

    await start_broadcast(  # refuses another chat's survey itself (ItemGone)
        context,
        survey_id=payload.survey_id,
        chat_id=context.chat(update).id,
        actor=context.actor(update),
    )
    await context.answer(update, context.plain_macro(update, ANSWERS, "sending"))


HANDLERS = [
    on_press(SurveySetStatus, survey_status_button),
    on_press(SurveyCard, survey_card_button),
    on_press(SurveyAsk, survey_ask_button),
    on_press(SurveyPostMenu, survey_post_menu_button),
    on_press(SurveyPostTo, survey_post_button),
    on_press(SurveyBroadcast, survey_broadcast_button),
]
