"""add handled_at to handled messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 05:47:46.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cjm.columns
from cjm.clock import SystemClock

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Claims made before this revision count as handled at upgrade time, not as NULL = "old":
    # an upgrade happens on a restart, just when Telegram redelivers the updates the bot had not
    # confirmed yet, so a claim may only be forgotten a full retention after the upgrade.
    # The column stays NOT NULL, as every claim from now on has a time.
    with op.batch_alter_table("handledmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_at", cjm.columns.UTCDateTime(), nullable=True))
    handled = sa.table("handledmessage", sa.column("handled_at", cjm.columns.UTCDateTime()))
    # A migration has no injected clock; the system clock tells when the upgrade ran.
    op.execute(handled.update().values(handled_at=SystemClock().now()))
    with op.batch_alter_table("handledmessage", schema=None) as batch_op:
        batch_op.alter_column(
            "handled_at", existing_type=cjm.columns.UTCDateTime(), nullable=False
        )
        batch_op.create_index(
            batch_op.f("ix_handledmessage_handled_at"), ["handled_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handledmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handledmessage_handled_at"))
        batch_op.drop_column("handled_at")
