"""a chat's brand; long comments in parts; the message whose Skip waits

Revision ID: 0008_customers
Revises: 0007_once
Create Date: 2026-12-07 20:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import cjm.columns

revision: str = "0008_customers"
down_revision: str | None = "0007_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, as a migration must not change when cjm.limits does.
BRAND_MAX_CHARS = 64
COMMENT_MAX_CHARS = 10_000
OLD_COMMENT_MAX_CHARS = 1000


def upgrade() -> None:
    # The brand or product the team's survey questions name ("recommend Acme to a friend").
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "brand", sqlmodel.sql.sqltypes.AutoString(length=BRAND_MAX_CHARS), nullable=True
            )
        )
    # A long "why?" arrives in parts of at most 4,096 characters and is joined into one.
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "comment_draft",
                sqlmodel.sql.sqltypes.AutoString(length=COMMENT_MAX_CHARS),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("comment_length", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("comment_part_at", cjm.columns.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("asking_message_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.alter_column(
            "comment",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=OLD_COMMENT_MAX_CHARS),
            type_=sqlmodel.sql.sqltypes.AutoString(length=COMMENT_MAX_CHARS),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.alter_column(
            "comment",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=COMMENT_MAX_CHARS),
            type_=sqlmodel.sql.sqltypes.AutoString(length=OLD_COMMENT_MAX_CHARS),
            existing_nullable=True,
        )
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_column("asking_message_id")
        batch_op.drop_column("comment_part_at")
        batch_op.drop_column("comment_length")
        batch_op.drop_column("comment_draft")
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.drop_column("brand")
