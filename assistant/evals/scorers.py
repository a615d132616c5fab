"""Expectation scorers: one small object per expectation kind, in a registry stores can extend.

A transcript turn says what it expects (``expect: {contains: ["30 days"], handoff: false}``);
each key names a scorer. A scorer normalises its value when the file is loaded (so a typo fails
before anything runs) and turns what the turn produced - a ``TurnObservation`` built from the
manager's reply events - into a ``Check``. A store adds its own kind with::

    from assistant.evals import Scorer, register_scorer

    @register_scorer
    class MentionsLoyalty(Scorer):
        key = "mentions_loyalty"
        help = "the answer names Trail Rewards"
        def score(self, expected, obs):
            return self.check(("trail rewards" in obs.answer.lower()) == expected, expected, obs.answer)

and passes ``--scorers my_module`` to ``assistant eval``.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from assistant.evals.grounding import CITATION_MARK, Grounding, check_grounding
from assistant.evals.reply_language import LANGUAGES, read_reply


@dataclass
class TurnObservation:
    """What one turn produced, read from the manager's events (the same stream every door sees)."""

    user: str
    answer: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)   # {source_id, title, number}
    evidence: list[dict[str, Any]] = field(default_factory=list)    # {source_id, title, text}
    state: dict[str, Any] = field(default_factory=dict)
    handoffs: list[dict[str, Any]] = field(default_factory=list)    # handoff event payloads
    perception: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    done: dict[str, Any] = field(default_factory=dict)
    low_confidence: bool | None = None
    latency_ms: float = 0.0
    first_token_ms: float | None = None
    error: str | None = None
    judge: dict[str, Any] | None = None                             # rubric scores, when a judge ran
    order_actions: list[dict[str, Any]] = field(default_factory=list)   # the order writes that ran
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)     # watched orders: {id: {before, after, customer}}
    webhooks: list[dict[str, Any]] | None = None    # webhooks queued this turn (None: the outbox was not watched)
    order_desk: bool = False        # the order desk answered (from the order records; evidence holds them)

    @property
    def cited_ids(self) -> list[str]:
        return [c["source_id"] for c in self.citations if c.get("source_id")]

    @property
    def handed_off(self) -> dict[str, Any] | None:
        return next((h for h in self.handoffs if h.get("handoff", True)), None)

    @property
    def intent(self) -> str | None:
        return self.state.get("intent")

    def slots(self) -> dict[str, Any]:
        """Slots as the tracker keeps them: ``state.slots`` if present, else the state's own fields."""
        return {**self.state, **(self.state.get("slots") or {})}

    def grounding(self) -> Grounding:
        # A handoff turn's reply is the routing message ("a person will reply at 9:00 AM"), not a
        # claim about the store: it has no evidence to be grounded in and is not checked.
        routed = self.handed_off is not None and not self.evidence
        return check_grounding("" if routed else self.answer, [e.get("text", "") for e in self.evidence], self.user)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Check:
    kind: str
    passed: bool
    expected: Any
    actual: Any
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Scorer:
    key: ClassVar[str] = ""
    help: ClassVar[str] = ""

    def normalise(self, value: Any) -> Any:
        """Check and tidy the value written in the transcript; raise ValueError naming the problem."""
        return value

    def score(self, expected: Any, obs: TurnObservation) -> Check:
        raise NotImplementedError

    def check(self, passed: bool, expected: Any, actual: Any, detail: str = "") -> Check:
        return Check(self.key, bool(passed), expected, actual, detail)


SCORERS: dict[str, Scorer] = {}


def register_scorer(scorer: type[Scorer] | Scorer) -> Any:
    """Register a scorer class (usable as a decorator) or instance under its ``key``."""
    instance = scorer() if isinstance(scorer, type) else scorer
    if not instance.key:
        raise ValueError(f"{type(instance).__name__} needs a 'key'")
    SCORERS[instance.key] = instance
    return scorer


def normalise_expectations(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("'expect' must be a mapping of expectation -> value")
    unknown = sorted(set(raw) - set(SCORERS))
    if unknown:
        raise ValueError(f"unknown expectation {', '.join(map(repr, unknown))}; known: {', '.join(sorted(SCORERS))}")
    out = {}
    for key, value in raw.items():
        try:
            out[key] = SCORERS[key].normalise(value)
        except ValueError as exc:
            raise ValueError(f"expectation {key!r}: {exc}") from None
    return out


def score_turn(expect: dict[str, Any], obs: TurnObservation) -> list[Check]:
    if obs.error:
        return [Check(k, False, v, None, f"the turn failed: {obs.error}") for k, v in expect.items()]
    return [SCORERS[k].score(v, obs) for k, v in expect.items()]


# -- helpers ------------------------------------------------------------------------------------
def _fold(text: Any) -> str:
    return " ".join(str(text).casefold().replace("\u2019", "'").split())


def _strings(value: Any, what: str) -> list[str]:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise ValueError(f"expected {what} (text or a list of texts), got {value!r}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _same(expected: Any, actual: Any) -> bool:
    """Subset match: dicts by their expected keys, lists by containment, text case-insensitively."""
    if expected is None:
        return actual in (None, "", [], {})
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(_same(v, _lookup(actual, k)) for k, v in expected.items())
    if isinstance(expected, list):
        items = actual if isinstance(actual, list) else [actual]
        return all(any(_same(e, a) for a in items) for e in expected)
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, (int, float)):
        try:
            return abs(float(actual) - float(expected)) < 1e-6
        except (TypeError, ValueError):
            return False
    return actual is not None and _fold(actual) == _fold(expected)


def _lookup(mapping: dict[str, Any], key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = {str(k).lower(): v for k, v in mapping.items()}
    return lowered.get(key.lower())


# -- the built-in expectation kinds -------------------------------------------------------------
@register_scorer
class Contains(Scorer):
    key, help = "contains", "every phrase appears in the answer (case-insensitive)"

    def normalise(self, value):
        return _strings(value, "phrases")

    def score(self, expected, obs):
        missing = [p for p in expected if _fold(p) not in _fold(obs.answer)]
        return self.check(not missing, expected, obs.answer, f"missing: {missing}" if missing else "")


@register_scorer
class ContainsAny(Contains):
    key, help = "contains_any", "at least one phrase appears in the answer"

    def score(self, expected, obs):
        hit = [p for p in expected if _fold(p) in _fold(obs.answer)]
        return self.check(bool(hit), expected, obs.answer, "" if hit else "none of the phrases appear")


@register_scorer
class NotContains(Contains):
    key, help = "not_contains", "no phrase appears in the answer"

    def score(self, expected, obs):
        hit = [p for p in expected if _fold(p) in _fold(obs.answer)]
        return self.check(not hit, expected, obs.answer, f"present: {hit}" if hit else "")


@register_scorer
class Cites(Scorer):
    key = "cites"
    help = "each source id or id prefix is cited ('a|b': either will do); [] means no citations at all"

    def normalise(self, value):
        return _strings(value, "source ids") if value != [] else []

    def score(self, expected, obs):
        cited = obs.cited_ids
        if expected == []:
            return self.check(not cited, [], cited, "expected no citations" if cited else "")
        missing = [p for p in expected if not any(c.startswith(alt.strip()) for alt in p.split("|") for c in cited)]
        return self.check(not missing, expected, cited, f"not cited: {missing}" if missing else "")


@register_scorer
class Intent(Scorer):
    key, help = "intent", "the tracked intent (state.intent) is this one (or one of a list)"

    def normalise(self, value):
        return _strings(value, "intent names")

    def score(self, expected, obs):
        return self.check(obs.intent in expected, expected if len(expected) > 1 else expected[0], obs.intent)


@register_scorer
class Slots(Scorer):
    key, help = "slots", "these slots (order_id, attributes, budget...) hold these values (subset match)"

    def normalise(self, value):
        if not isinstance(value, dict) or not value:
            raise ValueError("expected a mapping of slot -> value")
        return value

    def score(self, expected, obs):
        slots = obs.slots()
        actual = {k: _lookup(slots, k) for k in expected}
        wrong = [k for k, v in expected.items() if not _same(v, actual[k])]
        return self.check(not wrong, expected, actual, f"wrong: {wrong}" if wrong else "")


@register_scorer
class ProductInFocus(Scorer):
    key, help = "product_in_focus", "the product in focus after the turn (null: none)"

    def normalise(self, value):
        if value is not None and not isinstance(value, str):
            raise ValueError("expected a product id or null")
        return value

    def score(self, expected, obs):
        actual = obs.slots().get("product_in_focus")
        return self.check(_same(expected, actual), expected, actual)


@register_scorer
class Handoff(Scorer):
    key, help = "handoff", "a handoff to a person happens (true) or does not (false) on this turn"

    def normalise(self, value):
        return _bool(value)

    def score(self, expected, obs):
        event = obs.handed_off
        actual = event is not None
        return self.check(actual == expected, expected, actual, f"rule: {event.get('rule')}" if event else "")


@register_scorer
class HandoffReason(Scorer):
    key, help = "handoff_reason", "the rule that handed off (e.g. explicit_request), or one of a list"

    def normalise(self, value):
        return _strings(value, "rule names")

    def score(self, expected, obs):
        event = obs.handed_off
        rule = event.get("rule") if event else None
        shown = expected if len(expected) > 1 else expected[0]
        return self.check(rule in expected, shown, rule, "" if event else "no handoff happened")


@register_scorer
class MaxLatency(Scorer):
    key, help = "max_latency_ms", "the whole reply took at most this many milliseconds"

    def normalise(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError("expected a positive number of milliseconds")
        return float(value)

    def score(self, expected, obs):
        return self.check(obs.latency_ms <= expected, expected, round(obs.latency_ms, 1))


REFUSAL = re.compile(
    r"couldn'?t find|could not find|can(?:'|no)t help with|can only help|only (?:help|answer|assist)|"
    r"(?:am|'m) not able to|unable to (?:help|assist|share|provide)|can(?:'|no)t (?:assist|share|provide|"
    r"give|do that|answer|discuss)|not something i can|outside (?:what|of what) i can|"
    r"i don'?t have (?:that|information)|not in our store information", re.I)


@register_scorer
class MustRefuse(Scorer):
    key, help = "must_refuse", "the assistant declines (out of scope / unsafe) - or answers, when false"
    markers: ClassVar[re.Pattern[str]] = REFUSAL

    def normalise(self, value):
        return _bool(value)

    def score(self, expected, obs):
        refused = bool(obs.done.get("refused")) or bool(self.markers.search(obs.answer))
        return self.check(refused == expected, expected, refused, obs.answer[:200])


@register_scorer
class Grounded(Scorer):
    key, help = "grounded", "every number, price, size and id in the answer appears in the cited evidence"

    def normalise(self, value):
        return _bool(value)

    def score(self, expected, obs):
        g = obs.grounding()
        ok = g.grounded is not False
        return self.check(ok == expected, expected, ok, f"unsupported: {g.unsupported}" if g.unsupported else "")


@register_scorer
class ReplyLanguage(Scorer):
    key = "language"
    help = ("the reply is written in this language (ISO 639-1: es, fr, de, zh, en...); the store's text it "
            "quotes (names, spec values, citations, links, figures) is left out before reading it")

    def normalise(self, value):
        code = str(value).strip().lower() if isinstance(value, str) else value
        if code not in LANGUAGES:
            raise ValueError(f"expected a language code, one of {', '.join(LANGUAGES)}; got {value!r}")
        return code

    def score(self, expected, obs):
        if not obs.answer.strip():
            return self.check(False, expected, None, "no reply to read")
        store = [e.get(k) or "" for e in obs.evidence for k in ("text", "title")]
        store += [c.get("title") or "" for c in obs.citations]
        reading = read_reply(obs.answer, store)
        return self.check(reading.holds(expected), expected, reading.language, reading.describe(expected))


WORD = re.compile(r"\$?\d+(?:[.,]\d+)*|[a-z]+")


def similarity(a: str, b: str) -> float:
    """Token F1 of two answers (0..1): a recorded reply and today's reply to the same turn.

    Citation markers are left out: their numbers follow retrieval order, not the answer's content."""
    ta, tb = (WORD.findall(_fold(CITATION_MARK.sub(" ", x))) for x in (a, b))
    if not ta or not tb:
        return float(ta == tb)
    common = sum(min(ta.count(w), tb.count(w)) for w in set(ta))
    if not common:
        return 0.0
    p, r = common / len(ta), common / len(tb)
    return 2 * p * r / (p + r)


@register_scorer
class Reference(Scorer):
    key, help = "reference", "a recorded reply: today's answer is at least min_similarity alike (token F1)"

    def normalise(self, value):
        if isinstance(value, str):
            value = {"answer": value}
        if not isinstance(value, dict) or not isinstance(value.get("answer"), str):
            raise ValueError("expected the recorded answer text or {answer, cites, min_similarity}")
        return {"min_similarity": 0.6, **value}

    def score(self, expected, obs):
        sim = similarity(expected["answer"], obs.answer)
        dropped = [c for c in expected.get("cites") or [] if c not in obs.cited_ids]
        detail = f"similarity {sim:.2f}" + (f"; no longer cited: {dropped}" if dropped else "")
        return self.check(sim >= expected["min_similarity"], expected["answer"], obs.answer, detail)


# the order expectations (order_state, order_action, order_refused) register themselves
from assistant.evals import order_scorers  # noqa: E402,F401
