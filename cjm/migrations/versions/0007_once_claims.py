"""claims: button presses once (handledpress), and where a card reply went

Revision ID: 0007_once
Revises: 0006
Create Date: 2026-12-07 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cjm.columns

revision: str = "0007_once"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A press has no message of its own: it is claimed by its callback query id, next to the
    # claims of members' messages (handledmessage), and swept with them.
    op.create_table(
        "handledpress",
        sa.Column("query_id", sa.String(length=64), autoincrement=False, nullable=False),
        sa.Column("handled_at", cjm.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("query_id"),
    )
    with op.batch_alter_table("handledpress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handledpress_handled_at"), ["handled_at"], unique=False
        )
    # A reply to a step card records the item it went to, so an edit of it changes that item
    # even after the card moved on. Claims made before have none; their edits use the card.
    with op.batch_alter_table("handledmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("focus", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("target_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handledmessage", schema=None) as batch_op:
        batch_op.drop_column("target_id")
        batch_op.drop_column("focus")
    with op.batch_alter_table("handledpress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handledpress_handled_at"))
    op.drop_table("handledpress")
