"""members seen in a chat, answers waiting for a yes, and cancelled questions

Revision ID: 0009_input
Revises: 0008_customers
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cjm.columns

revision: str = "0009_input"
down_revision: str | None = "0008_customers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The Bot API cannot look a user up by username, so the bot keeps who it has seen in each
    # chat and checks a fix's @owner against that (issue #12).
    op.create_table(
        "chatmember",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=32), nullable=True),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", cjm.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "user_id"),
    )
    with op.batch_alter_table("chatmember", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chatmember_username"), ["username"], unique=False)
    # An answer that needs a yes first (a taken title, an unknown owner, a far due date).
    op.create_table(
        "pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", cjm.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chat.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pending", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_chat_id"), ["chat_id"], unique=False)
    # A question stays open until answered; /cancel closes the open ones.
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", cjm.columns.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", cjm.columns.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("answered_at")
    with op.batch_alter_table("pending", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_chat_id"))
    op.drop_table("pending")
    with op.batch_alter_table("chatmember", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chatmember_username"))
    op.drop_table("chatmember")
