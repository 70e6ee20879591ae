"""split prompt.field into focus and persona_field

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as they were stored in prompt.field; written out, as a migration must not change
# when the models' enums do.
FOCUS_KINDS = ("stage", "touchpoint", "pain", "fix")
PERSONA_FIELDS = (
    "name", "role", "age_group", "gender", "location", "area", "family", "income",
    "behaviour", "info_sources", "goals_short", "goals_long", "problems", "wishes",
)  # fmt: skip


def upgrade() -> None:
    # prompt.field meant two things: a step card's focus kind, or the persona field a question
    # asks for. Each gets its own column; every stored prompt keeps what it meant.
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("focus", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("persona_field", sa.String(length=16), nullable=True))
    prompt = sa.table(
        "prompt",
        sa.column("field", sa.String()),
        sa.column("focus", sa.String()),
        sa.column("persona_field", sa.String()),
    )
    op.execute(prompt.update().where(prompt.c.field.in_(FOCUS_KINDS)).values(focus=prompt.c.field))
    op.execute(
        prompt.update()
        .where(prompt.c.field.in_(PERSONA_FIELDS))
        .values(persona_field=prompt.c.field)
    )
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("field")


def downgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field", sa.String(length=32), nullable=True))
    prompt = sa.table(
        "prompt",
        sa.column("field", sa.String()),
        sa.column("focus", sa.String()),
        sa.column("persona_field", sa.String()),
    )
    op.execute(
        prompt.update().values(field=sa.func.coalesce(prompt.c.persona_field, prompt.c.focus))
    )
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("persona_field")
        batch_op.drop_column("focus")
