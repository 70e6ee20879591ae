"""Alembic environment: runs migrations on the connection cjm.db.upgrade() hands over."""

from alembic import context
from sqlmodel import SQLModel

import cjm.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite can't ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
