"""Column types the models share."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import types


class UTCDateTime(types.TypeDecorator[datetime]):
    """Aware UTC datetimes stored as naive UTC (SQLite keeps no offsets); naive input is refused.

    After the SQLAlchemy recipe "store timezone-aware timestamps as timezone-naive UTC".
    """

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store `value` as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; every *_at must be aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read back an aware UTC datetime."""
        return None if value is None else value.replace(tzinfo=UTC)
