"""What services hand out: frozen snapshots, never live ORM objects, one module per feature."""

from cjm.views.broadcasts import BroadcastProgress, BroadcastView, Recipient
from cjm.views.cards import CardView
from cjm.views.changes import ChangeView, HistoryPage
from cjm.views.chats import Actor, ChatRef, ChatView
from cjm.views.digests import ChangeGroup, Digest, KpiChange, OpenFix, SurveyChange
from cjm.views.hotspots import FixTarget, Hotspot, HotspotFix, HotspotReport, Reason
from cjm.views.kpis import KpiBoard, KpiPoint, KpiRecorded, KpiView, StageKpis
from cjm.views.maps import (
    FixView,
    MapSummary,
    MapView,
    PainView,
    StageView,
    TouchpointView,
    VoteView,
)
from cjm.views.outputs import OutputFile, OutputPicture
from cjm.views.pending import Kept, Unconfirmed
from cjm.views.questions import (
    Answered,
    Cancelled,
    KpiAsked,
    Outcome,
    QuestionToAsk,
    Redraw,
    Skipped,
    question_macro,
)
from cjm.views.reminders import DueWork, FixReminder, JobSlot
from cjm.views.responses import (
    AnswerOutcome,
    AnswerRedraw,
    CommentState,
    CommentVerdict,
    PostedQuestion,
    QuestionView,
)
from cjm.views.results import (
    CommentView,
    Interval,
    ScoreSummary,
    SurveyResults,
    TouchpointScore,
    WeekPoint,
)
from cjm.views.reviews import ReviewCard
from cjm.views.surveys import PostChoices, Posting, SurveySetup, SurveyView

__all__ = [
    "Actor",
    "AnswerOutcome",
    "AnswerRedraw",
    "Answered",
    "BroadcastProgress",
    "BroadcastView",
    "Cancelled",
    "CardView",
    "ChangeGroup",
    "ChangeView",
    "ChatRef",
    "ChatView",
    "CommentState",
    "CommentVerdict",
    "CommentView",
    "Digest",
    "DueWork",
    "FixReminder",
    "FixTarget",
    "FixView",
    "HistoryPage",
    "Hotspot",
    "HotspotFix",
    "HotspotReport",
    "Interval",
    "JobSlot",
    "Kept",
    "KpiAsked",
    "KpiBoard",
    "KpiChange",
    "KpiPoint",
    "KpiRecorded",
    "KpiView",
    "MapSummary",
    "MapView",
    "OpenFix",
    "Outcome",
    "OutputFile",
    "OutputPicture",
    "PainView",
    "PostChoices",
    "PostedQuestion",
    "Posting",
    "QuestionToAsk",
    "QuestionView",
    "Reason",
    "Recipient",
    "Redraw",
    "ReviewCard",
    "ScoreSummary",
    "Skipped",
    "StageKpis",
    "StageView",
    "SurveyChange",
    "SurveyResults",
    "SurveySetup",
    "SurveyView",
    "TouchpointScore",
    "TouchpointView",
    "Unconfirmed",
    "VoteView",
    "WeekPoint",
    "question_macro",
]
