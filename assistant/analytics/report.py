"""The store's analytics: is the assistant helping? Read from the session database.

For conversations whose messages fall in a window: how many, how many turns, the automated
resolution rate (answered with no person needed), handoffs by the rule that fired, shoppers'
ratings and reasons, product-card click-through, photo turns, reply latency (the shopper's
message stored -> the reply done), the questions it could not answer grouped into knowledge gaps,
each conversation's outcome, and a day-by-day series for charts. Everything is computed from
what the conversation already stores (events, tickets, ratings, shopper actions): nothing extra is
written on the hot path of a turn.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from assistant.analytics.gaps import group_questions
from assistant.errors import InvalidInput
from assistant.storage.sessions import SessionStore, StoredEvent

READ_TYPES = ("user", "citations", "handoff", "done", "error", "products", "suggestions")
# handoffs that say the assistant had nothing to answer with: the question is a knowledge gap
COULD_NOT_ANSWER = ("low_confidence", "repeated_failure")


@dataclass
class TurnFacts:
    session_id: str
    turn: int
    asked_at: str
    question: str = ""
    photo: bool = False
    answered: bool | None = None       # None: no graded answer (handoff message, small talk, order desk)
    done_at: str | None = None
    cards: int = 0
    handoff_rule: str | None = None

    @property
    def latency_ms(self) -> float | None:
        if not self.done_at:
            return None
        return (datetime.fromisoformat(self.done_at) - datetime.fromisoformat(self.asked_at)).total_seconds() * 1000


@dataclass
class Outcome:
    session_id: str
    started_at: str
    turns: int
    outcome: str                       # answered | handed_off | abandoned
    handoff_rule: str | None = None
    rating: str | None = None          # the shopper's latest rating in the conversation
    clicks: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Conversation:
    turns: list[TurnFacts] = field(default_factory=list)


def parse_window(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """ISO dates or times ("2026-11-30", "2026-11-30T12:00:00+00:00") as comparable UTC strings."""
    out = []
    for name, value in (("since", since), ("until", until)):
        if not value:
            out.append(None)
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"'{name}' must be an ISO date or time such as 2026-11-30, not {value!r}",
                               limit=name) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        out.append(moment.astimezone(timezone.utc).isoformat(timespec="milliseconds"))
    return out[0], out[1]


def _turns(session_id: str, events: list[StoredEvent]) -> list[TurnFacts]:
    by_turn: dict[int, TurnFacts] = {}
    for ev in events:
        if ev.type == "user":
            by_turn[ev.turn] = TurnFacts(session_id, ev.turn, ev.created_at, ev.data.get("content") or "",
                                         bool(ev.data.get("images")))
            continue
        facts = by_turn.get(ev.turn)
        if facts is None:
            continue
        if ev.type == "citations":
            facts.answered = bool(ev.data.get("citations")) and not ev.data.get("low_confidence")
        elif ev.type == "handoff" and ev.data.get("handoff") and not ev.data.get("relayed"):
            facts.handoff_rule = facts.handoff_rule or ev.data.get("rule") or "unknown"
        elif ev.type == "products":
            facts.cards += len(ev.data.get("products") or [])
        elif ev.type in ("done", "error"):
            facts.done_at = ev.created_at
    return [by_turn[n] for n in sorted(by_turn)]


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (k - low), 1)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def outcomes(sessions: SessionStore, since: str | None = None, until: str | None = None) -> list[Outcome]:
    """Each conversation with a message in the window: how it ended."""
    return _read(sessions, since, until)[1]


def _read(sessions: SessionStore, since: str | None, until: str | None):
    conversations = {sid: _turns(sid, evs) for sid, evs in sessions.events_between(since, until, READ_TYPES).items()}
    conversations = {sid: turns for sid, turns in conversations.items() if turns}
    tickets = defaultdict(list)
    for t in sessions.tickets.opened_between(since, until):
        tickets[t["session_id"]].append(t)
    ratings = {(r["session_id"], r["turn"]): r for r in sessions.feedback.ratings(since, until)}
    actions = sessions.feedback.actions(since, until)
    clicks = Counter(a["session_id"] for a in actions if a["action"] == "product_click")
    result = []
    for sid, turns in conversations.items():
        rule = next((t.handoff_rule for t in turns if t.handoff_rule), None) or (
            tickets[sid][0]["rule"] if tickets.get(sid) else None)
        graded = [t for t in turns if t.answered is not None]
        if rule:
            kind = "handed_off"
        elif graded and graded[-1].answered:
            kind = "answered"
        elif graded:
            kind = "abandoned"                  # left after an answer that did not answer
        else:
            kind = "answered" if all(t.done_at for t in turns) else "abandoned"
        rated = [r for (s, _), r in sorted(ratings.items()) if s == sid]
        result.append(Outcome(sid, turns[0].asked_at, len(turns), kind, rule,
                              max(rated, key=lambda r: r["updated_at"])["rating"] if rated else None, clicks[sid]))
    return conversations, sorted(result, key=lambda o: o.started_at), ratings, actions


def store_report(sessions: SessionStore, since: str | None = None, until: str | None = None,
                 embed: Callable[[list[str]], Sequence[Sequence[float]]] | None = None) -> dict[str, Any]:
    """The analytics JSON (``GET /api/v1/analytics``)."""
    conversations, ends, ratings, actions = _read(sessions, since, until)
    turns = [t for ts in conversations.values() for t in ts]
    handed = [o for o in ends if o.outcome == "handed_off"]
    by_rule = Counter(o.handoff_rule for o in handed)
    kinds = Counter(o.outcome for o in ends)
    feedback = Counter(r["rating"] for r in ratings.values())
    reasons = Counter(" ".join(r["reason"].split()).lower() for r in ratings.values()
                      if r["rating"] == "down" and r.get("reason"))
    clicks = [a for a in actions if a["action"] == "product_click"]
    carded = [t for t in turns if t.cards]
    latencies = [t.latency_ms for t in turns if t.latency_ms is not None]
    # gaps: no answer, a handoff for want of one, or an answer the shopper said did not help
    disliked = {key for key, r in ratings.items() if r["rating"] == "down"}
    unanswered = [t.question for t in turns if t.answered is False or t.handoff_rule in COULD_NOT_ANSWER
                  or (t.session_id, t.turn) in disliked]
    daily: dict[str, Counter] = defaultdict(Counter)
    for o in ends:
        day = o.started_at[:10]
        daily[day]["conversations"] += 1
        daily[day][o.outcome] += 1
    for t in turns:
        daily[t.asked_at[:10]]["turns"] += 1
    for r in ratings.values():
        daily[r["updated_at"][:10]][f"rated_{r['rating']}"] += 1
    for a in clicks:
        daily[a["created_at"][:10]]["product_clicks"] += 1
    n = len(ends)
    return {
        "since": since, "until": until,
        "conversations": n,
        "turns": len(turns),
        "automated_resolution_rate": _rate(kinds["answered"], n),
        "handoff_rate": _rate(len(handed), n),
        "handoff_rate_by_rule": {rule: _rate(count, n) for rule, count in by_rule.most_common()},
        "handoffs_by_rule": dict(by_rule.most_common()),
        "outcomes": {k: kinds.get(k, 0) for k in ("answered", "handed_off", "abandoned")},
        "feedback": {"up": feedback.get("up", 0), "down": feedback.get("down", 0),
                     "reasons": [{"reason": r, "count": c} for r, c in reasons.most_common(10)]},
        "product_cards": {"replies_with_cards": len(carded), "cards_shown": sum(t.cards for t in turns),
                          "clicks": len(clicks), "click_through_rate": _rate(len(clicks), len(carded))},
        "suggestion_clicks": sum(1 for a in actions if a["action"] == "suggestion_click"),
        "photo_turns": sum(1 for t in turns if t.photo),
        "latency_ms": {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        "knowledge_gaps": group_questions(unanswered, embed),
        "daily": [{"date": day, **{k: daily[day].get(k, 0) for k in (
            "conversations", "turns", "answered", "handed_off", "abandoned", "rated_up", "rated_down",
            "product_clicks")}} for day in sorted(daily)],
    }
