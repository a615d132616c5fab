"""One typed settings object for every front door.

Values come from (highest first): keyword arguments, environment variables with the
``ASSISTANT_`` prefix, a TOML/YAML config file named by ``ASSISTANT_CONFIG``, then defaults.
The defaults run offline with no configuration at all.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic import BaseModel, ConfigDict
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# How the store's order ids look, matched case-insensitively: the demo store's NW-482913 and the
# common shop-platform forms #1001 and #W1234567. Not a price ($1001), a year, a phone number or
# a model number (TR-2041): an order id needs its prefix, a wrong one is worse than none.
DEFAULT_ORDER_ID_PATTERN = (r"(?<![\d$€£.,-])(?:NW[-\s_.:#]?\d{6}|\#\s?W?\d{4,10})"
                            r"(?![.,-]?\d)(?![A-Za-z0-9_])")


# The embedding model when none is configured: a name assistant.knowledge.embeddings knows
# (multilingual-e5-small, all-MiniLM-L6-v2) or a sentence-transformers folder. Still the English
# model: multilingual-e5-small retrieves far better across languages and as well in English, but
# the English answers around it (intent examples, the extractive backend's choices) were tuned on
# this one and lose several eval conversations with e5; the numbers are in docs/languages.md.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class Limits(BaseModel):
    """Named limits checked at every front door; a violation names the limit.

    A plain model: only ``ASSISTANT_LIMITS__*`` variables set it (never bare ``MAX_IMAGE_BYTES``)."""

    model_config = ConfigDict(extra="forbid")

    max_message_chars: int = 4000
    max_images_per_turn: int = 4
    max_image_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000


class HelpdeskSettings(BaseModel):
    """Human takeover and the helpdesk link (assistant.handoff.helpdesk, assistant.web.agent_api).

    Webhooks go to every URL in ``webhook_urls``, signed with ``webhook_secret``; the helpdesk
    posts agent replies back signed with ``inbound_secret``. Agents use ``agent_token`` for the
    agent API and console. A plain model, so only ``ASSISTANT_HELPDESK__*`` variables are read,
    e.g. ``ASSISTANT_HELPDESK__WEBHOOK_URLS='["https://..."]'``.
    """

    model_config = ConfigDict(extra="forbid")

    webhook_urls: list[str] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    inbound_secret: SecretStr | None = None
    agent_token: SecretStr | None = None
    retries: int = Field(default=5, ge=0, description="retries after the first try, then dead letter")
    timeout: float = Field(default=5.0, gt=0, description="seconds per webhook POST")
    backoff_s: float = Field(default=1.0, ge=0, description="first retry delay; doubles per retry")
    backoff_max_s: float = Field(default=60.0, ge=0)
    signature_tolerance_s: int = Field(default=300, gt=0, description="max age of a signed timestamp")
    public_url: str = Field(default="http://127.0.0.1:7860", description="base of transcript links")
    agents_online: int | None = Field(default=None, ge=0, description="fixed number of agents online "
                                      "(agents in an outside helpdesk); None = count console/API activity")
    presence_window_s: float = Field(default=300.0, gt=0, description="an agent active this recently is online")
    queue_timeout_s: float | None = Field(default=1800.0, gt=0, description="a queued request no agent took, "
                                          "idle this long, becomes 'left a message'; None = queued until taken")

    @model_validator(mode="after")
    def _secret_for_webhooks(self) -> "HelpdeskSettings":
        if self.webhook_urls and not (self.webhook_secret and self.webhook_secret.get_secret_value()):
            raise ValueError("helpdesk.webhook_urls is set but helpdesk.webhook_secret is empty: "
                             "set ASSISTANT_HELPDESK__WEBHOOK_SECRET so receivers can verify webhooks")
        return self


class OrdersSettings(BaseModel):
    """The store's order system (assistant.orders): which connector, and its options.

    ``connector`` is ``local`` (orders in the session database, loaded by ``assistant orders
    import``), ``shopify`` (options: shop, access_token, api_version) or ``http`` (options:
    base_url, token). A plain model: ``ASSISTANT_ORDERS__CONNECTOR=shopify``,
    ``ASSISTANT_ORDERS__OPTIONS='{"shop": "x.myshopify.com", "access_token": "..."}'``.
    """

    model_config = ConfigDict(extra="forbid")

    connector: str = "local"
    options: dict[str, Any] = Field(default_factory=dict)
    demo_file: str = Field(default="orders.json", description="file in the knowledge dir imported on first "
                           "start into the local order system ('' = none)")


DEVELOPMENT_SECRET_KEY = "development-only-secret-change-me"


class HttpSettings(BaseModel):
    """The HTTP front door: who may call it, from which store origins, how often and how much.

    A plain model (not BaseSettings) so it reads only ``ASSISTANT_HTTP__*`` variables, e.g.
    ``ASSISTANT_HTTP__SECRET_KEY=...`` or ``ASSISTANT_HTTP__API_KEYS='["key-1"]'``.
    """

    model_config = ConfigDict(extra="forbid")

    environment: Literal["development", "production"] = "development"
    secret_key: str = Field(default=DEVELOPMENT_SECRET_KEY,
                            description="signs session tokens and checks shopper identities; "
                                        "must be changed outside development")
    api_keys: list[str] = Field(default_factory=list, description="keys for server-to-server calls "
                                "(X-API-Key or Authorization: Bearer); none = open /v1 in development only")
    cors_origins: list[str] = Field(default_factory=list, description="store origins allowed to call the API")
    session_token_ttl_s: int = Field(default=3600, ge=30)
    rate_limit_per_ip: int = Field(default=120, ge=1, description="API requests per minute from one address")
    rate_limit_per_session: int = Field(default=20, ge=1, description="messages per minute in one conversation")
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    allow_http_image_urls: bool = False
    reply_workers: int = Field(default=8, ge=1, description="replies generated at the same time")
    resume_grace_s: float = Field(default=15.0, ge=0, description="how long a reply keeps going after its "
                                  "client left, waiting for the client to resume, before it is cancelled")
    agent_wait_s: float = Field(default=900.0, ge=1, description="how long an event stream stays open "
                                "for an agent's reply while a person owns the conversation")
    stream_idle_timeout_s: float = Field(default=120.0, ge=1)
    keepalive_s: float = Field(default=15.0, gt=0)
    poll_interval_s: float = Field(default=0.25, gt=0, description="how often a stream looks for events "
                                   "written by other components (agent replies)")

    def refuse_unsafe_secret(self) -> None:
        """Called at startup: outside development the signing secret must be set and long."""
        if self.environment == "development":
            return
        if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
            raise ValueError("ASSISTANT_HTTP__SECRET_KEY is left at its development default (or is shorter "
                             f"than 32 characters) while ASSISTANT_HTTP__ENVIRONMENT={self.environment}; "
                             "set a long random secret, e.g. `python -c 'import secrets; "
                             "print(secrets.token_urlsafe(48))'`")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Chroma store, SQLite sessions, uploads")
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge", description="the store's catalog and documents")
    prompts_dir: Path = Field(default=PROJECT_ROOT / "prompts")
    embedding_model: str = Field(default=DEFAULT_EMBEDDING_MODEL, description="multilingual-e5-small, "
                                 "all-MiniLM-L6-v2, or the folder (or hub id) of a sentence-transformers model")
    backend: str = "extractive"
    model: str | None = Field(default=None, description="local path or hub id for generative backends")
    backend_options: dict[str, Any] = Field(default_factory=dict)
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in the data dir")
    chroma_url: str | None = Field(default=None, description="a Chroma server (`chroma run`), e.g. "
                                   "http://chroma:8000; default: embedded Chroma in the data dir")
    store_name: str = "Northwind Outfitters"
    product_url_pattern: str | None = Field(default=None, description="a product page's address for catalogs "
                                            "without a url field, e.g. https://shop.example/products/{id}")
    policy_url_pattern: str | None = Field(default=None, description="a policy or FAQ page's address, e.g. "
                                           "https://shop.example/pages/{page}#{section} (citations link to it)")
    order_id_pattern: str = Field(default=DEFAULT_ORDER_ID_PATTERN, description="regex for the store's "
                                  "order ids (case-insensitive); see assistant.dialogue.signals.find_order_ids")
    retrieval_k: int = 6
    embedding_threads: int = 1
    embedding_runtime: Literal["onnx", "torch"] = Field(default="onnx", description="onnx: a sentence-transformers "
                                                        "model is exported once to ONNX and run by ONNX Runtime "
                                                        "(same vectors, ~3x faster); torch: run it in PyTorch")
    embedding_precision: Literal["int8", "fp32"] = Field(
        default="fp32", description="int8: a shopper's messages are embedded by an int8 copy of the ONNX graph "
        "(~3x faster per message; vectors within cosine 0.975 of the exact ones on Bitext; what is stored stays "
        "exact), for a busy server: on the eval suite intent accuracy drops 0.965 -> 0.951, turn pass rate "
        "0.9767 -> 0.9733. fp32 (default): every text by the exact graph")
    multilingual_index: bool = Field(default=True, description="with an English-only embedding model, also "
                                     "keep the chunks embedded by multilingual-e5-small, searched for messages "
                                     "in other languages (ingest takes about 4x longer the first time)")
    limits: Limits = Field(default_factory=Limits)
    http: HttpSettings = Field(default_factory=HttpSettings)
    helpdesk: HelpdeskSettings = Field(default_factory=HelpdeskSettings)
    orders: OrdersSettings = Field(default_factory=OrdersSettings)

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("embedding_model", mode="after")
    @classmethod
    def _named_model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("embedding_model is empty: name multilingual-e5-small, all-MiniLM-L6-v2 "
                             "or a sentence-transformers folder")
        return value.strip()

    @field_validator("order_id_pattern", mode="after")
    @classmethod
    def _order_id_regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"order_id_pattern is not a valid regular expression ({exc})") from None
        return value

    @property
    def catalog_path(self) -> Path:
        return self.knowledge_dir / "catalog.json"

    @property
    def docs_dir(self) -> Path:
        return self.knowledge_dir

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sessions_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sessions.sqlite3'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("ASSISTANT_CONFIG")
        if config:
            path = Path(config)
            if not path.is_file():
                raise FileNotFoundError(f"ASSISTANT_CONFIG points at {path}, which is not a file")
            if path.suffix == ".toml":
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            else:
                sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
