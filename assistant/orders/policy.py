"""Order policy: the store's rules for order actions (``knowledge/orders.yaml``).

``OrdersPolicy.load(path)`` validates the file with pydantic at start; a misspelt key, a wrong
type or a value out of range is an error that names the file and the field. The flows
(assistant.orders.flows) ask this object, never their own constants, what is allowed and when a
person must decide.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import CatalogError
from assistant.orders.model import STATUSES
from assistant.knowledge.files import read_rules_file

Status = Literal["pending", "processed", "shipped", "delivered", "cancelled", "return requested",
                 "exchange requested"]
assert set(Status.__args__) == set(STATUSES)  # type: ignore[attr-defined]


class OrdersPolicyError(CatalogError):
    """The orders policy file is missing or invalid; the message names the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Verification(_Strict):
    max_attempts: int = Field(5, ge=1, description="failed proofs before a lockout")
    window_minutes: int = Field(15, ge=1, description="misses count within this window")
    lockout_minutes: int = Field(30, ge=1)


class BeforeDispatch(_Strict):
    enabled: bool = True
    allowed_statuses: list[Status] = Field(default_factory=lambda: ["pending", "processed"])


class HolidayWindow(_Strict):
    delivered_from: str = Field("11-01", pattern=r"^\d{2}-\d{2}$")    # MM-DD
    delivered_to: str = Field("12-24", pattern=r"^\d{2}-\d{2}$")
    return_until: str = Field("01-31", pattern=r"^\d{2}-\d{2}$")      # of the following year


class ReturnRule(_Strict):
    enabled: bool = True
    window_days: int = Field(30, ge=0)
    holiday_window: HolidayWindow | None = Field(default_factory=HolidayWindow)
    accepted_conditions: list[Literal["unused", "damaged"]] = Field(default_factory=lambda: ["unused", "damaged"])
    damage_report_days: int = Field(7, ge=0, description="damaged-on-arrival claims within this many days")
    photo_required_for_damage: bool = True
    non_returnable_products: list[str] = Field(default_factory=list, description="product ids")
    person_decides_over: float | None = Field(200.0, gt=0, description="a return worth more goes to a person")


class ExchangeRule(_Strict):
    enabled: bool = True
    window_days: int = Field(30, ge=0)
    same_product_only: bool = True
    require_in_stock: bool = True


class OrdersPolicyConfig(_Strict):
    version: int = 1
    verification: Verification = Field(default_factory=Verification)
    cancel: BeforeDispatch = Field(default_factory=BeforeDispatch)
    change_address: BeforeDispatch = Field(default_factory=BeforeDispatch)
    returns: ReturnRule = Field(default_factory=ReturnRule)
    exchange: ExchangeRule = Field(default_factory=ExchangeRule)
    person_decides_for_vip: bool = Field(False, description="every write action of a VIP goes to a person")
    sources: dict[Literal["tracking", "cancel", "change_address", "returns", "condition", "damage", "exchange"], str] = (
        Field(default_factory=dict, description="the store document (knowledge source id) each kind of reply cites"))


def _month_day(text: str, year: int) -> datetime:
    month, day = (int(p) for p in text.split("-"))
    return datetime(year, month, day)


class OrdersPolicy:
    def __init__(self, config: OrdersPolicyConfig | None = None, source: str = "<defaults>"):
        self.config = config or OrdersPolicyConfig()
        self.source = source

    @classmethod
    def load(cls, path: Path | str) -> "OrdersPolicy":
        path = Path(path)
        config = read_rules_file(path, OrdersPolicyConfig, "orders policy file", OrdersPolicyError)
        return cls(config, source=str(path))

    @classmethod
    def for_knowledge(cls, knowledge_dir: Path) -> "OrdersPolicy":
        path = Path(knowledge_dir) / "orders.yaml"
        return cls.load(path) if path.exists() else cls()

    def return_deadline(self, delivered_at: datetime) -> datetime:
        """The last day a delivered order may be returned (the holiday window may extend it)."""
        rule = self.config.returns
        deadline = delivered_at + timedelta(days=rule.window_days)
        holiday = rule.holiday_window
        if holiday is not None:
            naive = delivered_at.replace(tzinfo=None)
            start = _month_day(holiday.delivered_from, naive.year)
            end = _month_day(holiday.delivered_to, naive.year) + timedelta(days=1)
            if start <= naive < end:
                extended = _month_day(holiday.return_until, naive.year + 1).replace(
                    tzinfo=delivered_at.tzinfo) + timedelta(days=1)
                deadline = max(deadline, extended)
        return deadline

    def exchange_deadline(self, delivered_at: datetime) -> datetime:
        return delivered_at + timedelta(days=self.config.exchange.window_days)

    def damage_deadline(self, delivered_at: datetime) -> datetime:
        return delivered_at + timedelta(days=self.config.returns.damage_report_days)
