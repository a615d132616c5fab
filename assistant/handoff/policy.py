"""Handoff policy: the store's rules (``knowledge/handoff.yaml``) for when a person takes over.

``HandoffPolicy.load(path)`` validates the file with pydantic (an error names the file and the
field). ``decide(state, signals, context)`` runs the rules in a fixed, documented order and
returns a ``HandoffDecision`` that records which rule fired, why, and how the handoff happens:

  0 agent_owns  1 explicit_request  2 sensitive_topic  3 anger  4 refund_over_amount
  5 vip_customer  6 repeated_failure  7 low_confidence
  routing: business_hours (closed -> "ticket") then agents_online (none -> "queue"), else "live"

After an agent hands a resolved chat back (``record_handback``), a cooldown lets only fresh
triggers hand off again, so a resolved conversation does not loop back to a person.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from string import Formatter
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.errors import CatalogError
from assistant.dialogue.state import INTENTS, DialogueState
from assistant.dialogue.tracker import TurnSignals
from assistant.storage.schema import Owner
from assistant.knowledge.files import read_rules_file

TOPICS = ("legal_threat", "lawyer", "chargeback", "safety_issue", "injury", "fraud")
RULE_ORDER = ("agent_owns", "explicit_request", "sensitive_topic", "anger", "refund_over_amount",
              "vip_customer", "repeated_failure", "low_confidence")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Topic = Literal["legal_threat", "lawyer", "chargeback", "safety_issue", "injury", "fraud"]
Intent = Literal[INTENTS]  # type: ignore[valid-type]


class HandoffPolicyError(CatalogError):
    """The handoff policy file is missing or invalid; the message names the file and field."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


class SensitiveTopicRule(_Rule):
    topics: list[Topic] = Field(default_factory=lambda: list(TOPICS))


class AngerRule(_Rule):
    sentiment_below: float = Field(-0.6, ge=-1.0, le=0.0)
    on_abuse: bool = True
    frustration_at_least: int | None = Field(4, ge=1)


class RefundOverAmountRule(_Rule):
    amount: float = Field(200.0, gt=0)
    currency: str = "USD"


class VipCustomerRule(_Rule):
    use_session_flag: bool = True
    customer_ids: list[str] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    when_unhappy: bool = True     # also any negative or dissatisfied message from a VIP


class RepeatedFailureRule(_Rule):
    consecutive_failures: int = Field(2, ge=1)


class LowConfidenceRule(_Rule):
    retrieval_score_below: float = Field(0.35, ge=0.0, le=1.0)
    on_low_confidence_answer: bool = True
    except_intents: list[Intent] = Field(default_factory=lambda: ["greeting", "out_of_scope"])


def _clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max
    return time(h, m)


class WeeklyHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mon: list[str] = Field(default_factory=list)
    tue: list[str] = Field(default_factory=list)
    wed: list[str] = Field(default_factory=list)
    thu: list[str] = Field(default_factory=list)
    fri: list[str] = Field(default_factory=list)
    sat: list[str] = Field(default_factory=list)
    sun: list[str] = Field(default_factory=list)

    @field_validator(*DAYS)
    @classmethod
    def _ranges(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                start, end = (_clock(p) for p in item.split("-"))
            except ValueError:
                raise ValueError(f"{item!r} is not a range like '09:00-17:30'") from None
            if start >= end:
                raise ValueError(f"{item!r} closes before it opens")
        return value

    def ranges(self, day: date) -> list[tuple[time, time]]:
        items = getattr(self, DAYS[day.weekday()])
        return [tuple(_clock(p) for p in item.split("-")) for item in items]  # type: ignore[misc]


class BusinessHoursRule(_Rule):
    timezone: str = "UTC"
    weekly: WeeklyHours = Field(default_factory=WeeklyHours)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like 'Europe/Berlin')") from None
        return value


class CooldownRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    turns: int = Field(3, ge=0)


class Messages(BaseModel):
    model_config = ConfigDict(extra="forbid")
    live: str = "I'm bringing in a member of our team now; they'll join this chat in a moment."
    queue: str = ("All of our agents are busy right now. You're in the queue and the next free "
                  "agent will join this chat{wait}.")
    ticket: str = "Our team is offline right now. I've opened a ticket and a person will reply {next_open}."

    @field_validator("live", "queue", "ticket")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        unknown = {name for _, name, _, _ in Formatter().parse(value) if name} - {"next_open", "wait"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {{next_open}}, {{wait}}")
        return value


class PolicyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    agent_owns: _Rule = Field(default_factory=_Rule)
    explicit_request: _Rule = Field(default_factory=_Rule)
    sensitive_topic: SensitiveTopicRule = Field(default_factory=SensitiveTopicRule)
    anger: AngerRule = Field(default_factory=AngerRule)
    refund_over_amount: RefundOverAmountRule = Field(default_factory=RefundOverAmountRule)
    vip_customer: VipCustomerRule = Field(default_factory=VipCustomerRule)
    repeated_failure: RepeatedFailureRule = Field(default_factory=RepeatedFailureRule)
    low_confidence: LowConfidenceRule = Field(default_factory=LowConfidenceRule)
    business_hours: BusinessHoursRule = Field(default_factory=lambda: BusinessHoursRule(enabled=False))
    agents_online: _Rule = Field(default_factory=_Rule)
    cooldown: CooldownRule = Field(default_factory=CooldownRule)
    messages: Messages = Field(default_factory=Messages)


@dataclass
class HandoffContext:
    """What the manager knows this turn beyond the dialogue state."""

    now: datetime | None = None              # aware; a naive time is read in the store timezone
    agents_online: int = 1
    customer_is_vip: bool = False
    customer_id: str | None = None
    retrieval_score: float | None = None     # best evidence score, once retrieval has run
    answer_low_confidence: bool = False      # the grounding check failed the answer
    estimated_wait_minutes: int | None = None
    # counts the agents online when a handoff is routed (one store read, not one per turn)
    count_agents: Callable[[], int] | None = field(default=None, repr=False, compare=False)

    def agents(self) -> int:
        """Agents online: ``count_agents`` read once, else ``agents_online``."""
        if self.count_agents is not None:
            self.agents_online, self.count_agents = self.count_agents(), None
        return self.agents_online

    @classmethod
    def coerce(cls, value: "HandoffContext | dict[str, Any] | None") -> "HandoffContext":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        return cls(**{k: v for k, v in dict(value).items() if k in cls.__dataclass_fields__})


@dataclass
class HandoffDecision:
    handoff: bool
    rule: str | None                         # the rule that fired (None: none did)
    reason: str                              # why, in words an operator can read in the log
    mode: Literal["live", "queue", "ticket"] = "live"   # meaningful only when handoff is True
    message: str = ""                        # what to tell the shopper ("" = nothing extra)
    topics: tuple[str, ...] = ()             # sensitive topics behind the decision
    routed_by: str | None = None             # business_hours / agents_online when they set mode
    next_open: str | None = None             # ISO time a person is next available (ticket mode)
    release: bool = False                    # shopper withdrew a queued handoff: give chat back to bot

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt_clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


class HandoffPolicy:
    def __init__(self, config: PolicyConfig | None = None, source: str = "<defaults>"):
        self.config = config or PolicyConfig()
        self.source = source
        self.zone = ZoneInfo(self.config.business_hours.timezone)

    @classmethod
    def load(cls, path: Path | str) -> "HandoffPolicy":
        path = Path(path)
        config = read_rules_file(path, PolicyConfig, "handoff policy file", HandoffPolicyError)
        return cls(config, source=str(path))

    # -- business hours ---------------------------------------------------------------------
    def _local(self, now: datetime | None) -> datetime:
        if now is None:
            return datetime.now(self.zone)
        return now.replace(tzinfo=self.zone) if now.tzinfo is None else now.astimezone(self.zone)

    def is_open(self, now: datetime | None = None) -> bool:
        hours = self.config.business_hours
        if not hours.enabled:
            return True
        local = self._local(now)
        if local.date() in hours.holidays:
            return False
        return any(start <= local.time() < end for start, end in hours.weekly.ranges(local.date()))

    def next_opening(self, now: datetime | None = None) -> datetime | None:
        """The next time a person is at work (``now`` itself when open); None if never in 3 weeks."""
        hours = self.config.business_hours
        local = self._local(now)
        if self.is_open(local):
            return local
        for offset in range(22):
            day = local.date() + timedelta(days=offset)
            if day in hours.holidays:
                continue
            for start, _ in sorted(hours.weekly.ranges(day)):
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if opening > local:
                    return opening
        return None

    def describe_opening(self, opening: datetime | None, now: datetime | None = None) -> str:
        """'today at 9:00 AM EST', 'tomorrow at ...', 'on Monday 5 January at ...'."""
        if opening is None:
            return "as soon as our team is back"
        local = self._local(now)
        clock = f"{_fmt_clock(opening)} {opening.tzname()}"
        days = (opening.date() - local.date()).days
        if days == 0:
            return f"today at {clock}"
        if days == 1:
            return f"tomorrow at {clock}"
        return f"on {opening:%A} {opening.day} {opening:%B} at {clock}"

    # -- the decision -----------------------------------------------------------------------
    def decide(self, state: DialogueState, signals: TurnSignals,
               context: HandoffContext | dict[str, Any] | None = None) -> HandoffDecision:
        ctx = HandoffContext.coerce(context)
        cfg = self.config
        # 0. A person already owns the chat: route the message to them (or release the queue).
        owner = Owner(state.owner)
        if owner.is_person:
            if owner is Owner.QUEUED and signals.cancel_request:
                return HandoffDecision(False, None, "shopper withdrew the pending handoff request",
                                       release=True)
            if cfg.agent_owns.enabled:
                who = "an agent" if owner is Owner.AGENT else "the agent queue"
                return HandoffDecision(True, "agent_owns", f"conversation already owned by {who}",
                                       mode="live" if owner is Owner.AGENT else "queue")
        fired = self._trigger(state, signals, ctx)
        if fired is None:
            return HandoffDecision(False, None, "no handoff rule fired")
        rule, reason, topics = fired
        return self._route(rule, reason, topics, ctx)

    def _trigger(self, state: DialogueState, signals: TurnSignals,
                 ctx: HandoffContext) -> tuple[str, str, tuple[str, ...]] | None:
        cfg = self.config
        cooling = (state.handed_back_turn is not None
                   and state.turns - state.handed_back_turn <= cfg.cooldown.turns)
        # 1. explicit request - always fresh.
        if cfg.explicit_request.enabled and signals.human_request:
            return "explicit_request", "shopper asked for a person", ()
        # 2. sensitive topics (one already handed off does not re-fire during the cooldown).
        if cfg.sensitive_topic.enabled:
            topics = tuple(t for t in signals.sensitive_topics if t in cfg.sensitive_topic.topics
                           and not (cooling and t in state.handled_topics))
            if topics:
                return "sensitive_topic", f"sensitive topic: {', '.join(topics)}", topics
        # 3. anger: this message, or frustration built up (not counted during the cooldown).
        anger = cfg.anger
        if anger.enabled:
            if anger.on_abuse and signals.abusive:
                return "anger", "abusive language", ()
            if signals.sentiment < anger.sentiment_below:
                return "anger", f"sentiment {signals.sentiment:.2f} below {anger.sentiment_below}", ()
            if (not cooling and anger.frustration_at_least is not None
                    and state.frustration >= anger.frustration_at_least):
                return "anger", (f"frustration {state.frustration} reached "
                                 f"{anger.frustration_at_least} over recent turns"), ()
        # 4. refund above the store's amount, named in this message.
        refund = cfg.refund_over_amount
        if (refund.enabled and signals.refund_amount is not None and signals.refund_amount > refund.amount
                and not (cooling and state.last_handoff_rule == "refund_over_amount")):
            return ("refund_over_amount",
                    f"refund of {signals.refund_amount:g} {refund.currency} is over {refund.amount:g}", ())
        if cooling:
            return None
        # 5. VIP customers on the intents the store lists.
        vip = cfg.vip_customer
        is_vip = (vip.use_session_flag and ctx.customer_is_vip) or (
            ctx.customer_id is not None and ctx.customer_id in vip.customer_ids)
        if vip.enabled and is_vip:
            if not vip.intents or signals.intent in vip.intents:
                return "vip_customer", f"VIP customer with a {signals.intent} request", ()
            if vip.when_unhappy and (signals.sentiment < -0.25 or signals.dissatisfied):
                return "vip_customer", f"VIP customer is unhappy (sentiment {signals.sentiment:.2f})", ()
        # 6. repeated failure.
        failures = cfg.repeated_failure
        if failures.enabled and state.consecutive_failures >= failures.consecutive_failures:
            return ("repeated_failure",
                    f"{state.consecutive_failures} consecutive failed answers "
                    f"(limit {failures.consecutive_failures})", ())
        # 7. low confidence in the evidence or the answer.
        low = cfg.low_confidence
        if low.enabled and signals.intent not in low.except_intents:
            if ctx.retrieval_score is not None and ctx.retrieval_score < low.retrieval_score_below:
                return ("low_confidence",
                        f"retrieval score {ctx.retrieval_score:.2f} below {low.retrieval_score_below}", ())
            if low.on_low_confidence_answer and ctx.answer_low_confidence:
                return "low_confidence", "answer failed the grounding check", ()
        return None

    def hand_over(self, rule: str, reason: str, context: HandoffContext | dict[str, Any] | None = None
                  ) -> HandoffDecision:
        """A handoff another part of the store decided (the order policy: "a person must decide
        this return"), routed like the policy's own: live, queued, or a ticket out of hours."""
        return self._route(rule, reason, (), HandoffContext.coerce(context))

    def _route(self, rule: str, reason: str, topics: tuple[str, ...],
               ctx: HandoffContext) -> HandoffDecision:
        cfg = self.config
        messages = cfg.messages
        if cfg.business_hours.enabled and not self.is_open(ctx.now):
            opening = self.next_opening(ctx.now)
            when = self.describe_opening(opening, ctx.now)
            return HandoffDecision(
                True, rule, f"{reason}; outside business hours, ticket (next opening {when})",
                mode="ticket", message=messages.ticket.format(next_open=when, wait=""),
                topics=topics, routed_by="business_hours",
                next_open=opening.isoformat() if opening else None)
        if cfg.agents_online.enabled and ctx.agents() <= 0:
            wait = (f" - usually about {ctx.estimated_wait_minutes} minutes"
                    if ctx.estimated_wait_minutes else "")
            return HandoffDecision(
                True, rule, f"{reason}; no agent online, queued", mode="queue",
                message=messages.queue.format(wait=wait, next_open="now"), topics=topics,
                routed_by="agents_online")
        return HandoffDecision(True, rule, reason, mode="live",
                               message=messages.live.format(wait="", next_open="now"), topics=topics)

    # -- bookkeeping the manager applies ------------------------------------------------------
    @staticmethod
    def opens_ticket(decision: "HandoffDecision | dict[str, Any]") -> bool:
        """A new handoff: rule 0 (``agent_owns``) only routes to the owner it saw and opens none."""
        get = decision.get if isinstance(decision, dict) else lambda name: getattr(decision, name, None)
        return bool(get("handoff")) and get("rule") != "agent_owns"

    @staticmethod
    def record_handoff(state: DialogueState, decision: HandoffDecision) -> DialogueState:
        """Apply a decision to the state: a new handoff puts the chat in the queue (an agent who
        claims it sets owner='agent'); a withdrawn request gives it back to the bot."""
        new = copy.deepcopy(state)
        if decision.release:
            new.owner = Owner.BOT
        elif HandoffPolicy.opens_ticket(decision):
            new.owner = Owner.QUEUED
            new.last_handoff_rule = decision.rule
            new.handled_topics = sorted(set(new.handled_topics) | set(decision.topics))
        return new

    @staticmethod
    def record_handback(state: DialogueState) -> DialogueState:
        """An agent resolved the chat and handed it back: the cooldown starts and the counters
        that fired restart, so only a fresh trigger hands off again."""
        new = copy.deepcopy(state)
        new.owner = Owner.BOT
        new.handed_back_turn = state.turns
        new.consecutive_failures = 0
        new.frustration = 0
        new.previous_answer_ok = True
        return new
