"""Agora's settings: every `APP_*` environment variable, read once into one object."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from schema.limits import QueryLimits

DEVELOPMENT_SECRET = "agora-development-secret-do-not-use-in-production"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Built once by `python -m api` (or explicitly by tests) and passed down."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True)

    env: Environment = Environment.DEVELOPMENT
    # Empty: start the embedded database (mongoeco) under `data_dir`.
    mongodb_uri: str = ""
    mongodb_database: str = "agora"
    data_dir: Path = Path("data")
    # Seconds a request waits for a database that does not answer before it is answered
    # DATABASE_UNAVAILABLE (the driver's server selection timeout; its own default is 30).
    database_timeout: float = Field(default=10, gt=0, le=120)

    jwt_secret: str = DEVELOPMENT_SECRET
    jwt_algorithm: str = "HS256"
    jwt_issuer: str | None = None

    # None means: on outside production.
    graphiql: bool | None = None
    introspection: bool | None = None

    max_page_size: int = Field(default=100, ge=1, le=1000)
    default_page_size: int = Field(default=20, ge=1, le=100)
    similar_groups_recorded: int = Field(default=5, ge=0, le=20)
    # Per-user write limits, e.g. {"addPost": "30/minute"}; unnamed actions keep defaults.
    rate_limits: dict[str, str] = Field(default_factory=dict)

    # Live events: how often each process reads the log while someone listens (the delay a
    # subscriber on another process sees is about this), and how long events are kept.
    events_poll_interval: float = Field(default=0.1, gt=0, le=0.5)
    events_retention_days: float = Field(default=7, gt=0)
    ws_init_timeout: float = Field(default=10, gt=0)
    # Follow the event log and store each user's notifications (subscriptions/notifier.py).
    notifier: bool = True
    # Follow the event log and keep the search index current (subscriptions/indexer.py).
    search_indexer: bool = True
    # Search's index: `index`, the one Agora keeps (`search_entries`: a bounded read of each
    # word's best entries, flat as the community grows), or `text`, MongoDB's `$text`
    # (`search_texts`, for real MongoDB: it scores every match; mongoeco's does not stem).
    search_backend: Literal["index", "text"] = "index"
    # permessage-deflate on WebSockets. Off: live events are a few hundred bytes, and
    # compressing each one for each subscriber costs more CPU than it saves bytes (bench.live).
    ws_compression: bool = False
    # uvicorn's WebSocket implementation: `lean`, websockets' sans-I/O protocol holding less
    # per open connection (api/websocket.py); uvicorn's own `websockets-sansio`, or its
    # legacy `websockets`, which holds the most (bench.live, one subscription per socket).
    ws_protocol: Literal["lean", "websockets-sansio", "websockets"] = "lean"
    # Run on Agora's fast path (schema/fastpath/): plain fields in one step, resolvers run at
    # once, lists' loads ahead, live events rendered once per selection and audience. Off,
    # Strawberry and graphql-core run as they come.
    fast_path: bool = True
    # On the fast path: how long an answer of the group list, group and discussion pages is
    # kept for its viewer, until an event drops it (schema/fastpath/responses.py); 0 keeps
    # none (bench.scale measures what the database pays that way).
    response_cache_seconds: float = Field(default=10, ge=0, le=300)

    # Safety limits.
    max_body_bytes: int = Field(default=100_000, ge=1_000)
    body_timeout: float = Field(default=10, gt=0)  # seconds for a body to arrive in full
    # A multipart request (uploads): its size in all, and the seconds it may take to arrive.
    max_upload_bytes: int = Field(default=40_000_000, ge=1_000)
    upload_timeout: float = Field(default=120, gt=0)
    # Seconds between sweeps of discarded files and abandoned uploads.
    file_sweep_interval: float = Field(default=600, gt=0)
    max_query_depth: int = Field(default=12, ge=2)
    max_query_tokens: int = Field(default=5_000, ge=100)
    max_aliases: int = Field(default=30, ge=0)
    max_directives_per_field: int = Field(default=4, ge=0)
    max_repeated_fields: int = Field(default=10, ge=1)
    # Objects one document's pages may return: `first` (or the default page size) multiplied
    # along nested pages, summed.
    max_query_nodes: int = Field(default=10_000, ge=100)
    # What one caller (user, or address when signed out) may read on one API process: each
    # operation costs one plus the objects its pages may return, e.g. "100000/minute".
    query_budget: str = "100000/minute"
    max_subscriptions_per_connection: int = Field(default=100, ge=1)
    max_websockets_per_user: int = Field(default=20, ge=1)  # on one API process
    max_ws_message_bytes: int = Field(default=64_000, ge=1_000)
    # When set, /metrics answers only requests bearing `Authorization: Bearer <this>`.
    metrics_token: SecretStr | None = None
    # Origins allowed to call the API from a browser, e.g. ["https://app.example.org"].
    cors_origins: list[str] = Field(default_factory=list)
    # On SIGTERM, how long in-flight requests may take to finish.
    shutdown_grace_seconds: int = Field(default=20, ge=0)

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def graphiql_enabled(self) -> bool:
        return not self.is_production if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return not self.is_production if self.introspection is None else self.introspection

    def query_limits(self) -> "QueryLimits":
        from schema.limits import QueryLimits

        return QueryLimits(
            max_depth=self.max_query_depth,
            max_tokens=self.max_query_tokens,
            max_aliases=self.max_aliases,
            max_directives_per_field=self.max_directives_per_field,
            max_repeated_fields=self.max_repeated_fields,
            max_nodes=self.max_query_nodes,
            default_page_size=self.default_page_size,
        )

    @field_validator("query_budget")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as error:
            raise ValueError(f"not a rate such as '100000/minute': {value!r}") from error
        return value

    @model_validator(mode="after")
    def _one_query_fits_the_budget(self) -> "Settings":
        if parse(self.query_budget).amount <= self.max_query_nodes:
            raise ValueError("APP_QUERY_BUDGET must allow more objects than APP_MAX_QUERY_NODES"
                             ", or the largest query allowed could never run")
        return self

    def check_production_safety(self) -> None:
        """Refuse to run production with the development secret."""
        if self.is_production and self.jwt_secret == DEVELOPMENT_SECRET:
            raise RuntimeError(
                "APP_ENV=production needs its own APP_JWT_SECRET; "
                "the development secret is public."
            )
