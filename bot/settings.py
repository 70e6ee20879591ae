"""Configuration from the environment and `.env`: the only module that reads either."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.logs import LogFormat
from cjm.services.chats import LANGUAGES


class Settings(BaseSettings):
    """Everything the bot reads from its environment (names are the documented contract)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = "sqlite:///data/journey.db"
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_base_file_url: str = "https://api.telegram.org/file/bot"
    bot_default_timezone: str = "UTC"
    bot_default_language: str = "en"
    # Telegram allows about 30 messages a second overall and 20 a minute in one group.
    bot_overall_messages_per_second: float = 30
    bot_group_messages_per_minute: float = 20
    bot_log_level: str = "INFO"
    bot_log_format: LogFormat = "text"  # "json": one JSON object per line

    @field_validator("bot_default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value

    @field_validator("bot_default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return value
