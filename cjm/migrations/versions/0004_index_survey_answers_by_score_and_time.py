"""index survey answers by survey, score and time

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 04:41:39.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Survey results count answers per survey, score and local week by searching this index.
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.create_index(
            "ix_surveyresponse_survey_id_score_answered_at",
            ["survey_id", "score", "answered_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.drop_index("ix_surveyresponse_survey_id_score_answered_at")
