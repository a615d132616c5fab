"""Eval transcripts: the documented file format (evals/README.md) read into typed records.

A transcript file is YAML (a list of conversations, or a mapping with ``conversations:`` and
file-wide ``knowledge:`` / ``tags:``) or JSONL. A JSONL line may be a conversation object (the
YAML schema on one line), or a record exported from the session store - a stored event
(``{"session_id", "seq", "turn", "type", ...}``) or a transcript message
(``{"session_id", "role", "content", ...}``). Exported sessions are rebuilt into conversations
whose turns carry the recorded assistant reply as a ``reference`` expectation, so last week's
real chats replay against today's configuration.

Everything is checked at load time: an unknown key, an unknown expectation or a missing photo
is an error that names the file and the conversation, before anything runs.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.dialogue.language import normalise_locale
from assistant.errors import InvalidInput
from assistant.evals.orders import SETUP_KEYS, OrderSetup, OrderSetupError
from assistant.evals.photos import PhotoUnavailable, derived_photo
from assistant.evals.scorers import normalise_expectations
from assistant.events import PAYLOADS
from assistant.reply import Reply
from assistant.storage.sessions import TRANSCRIPT_FORMAT

TRANSCRIPT_SUFFIXES = (".yaml", ".yml", ".jsonl")
TURN_KEYS = {"user", "images", "expect", "note", "tags"}
CONVERSATION_KEYS = {"id", "description", "tags", "knowledge", "language", "turns", "skip", "locale", "expect",
                     *SETUP_KEYS}
FILE_KEYS = {"suite", "description", "knowledge", "tags", "language", "conversations", "orders", "now"}


class TranscriptError(InvalidInput):
    """A transcript file is malformed; the message names the file and the conversation."""

    def __init__(self, message: str):
        super().__init__(message, limit="transcript")


@dataclass(frozen=True)
class KnowledgeRef:
    """Which store a conversation runs against: a knowledge folder, or a catalog file (+ mapping)."""

    path: str                        # absolute: a knowledge dir, or a catalog file
    mapping: str | None = None       # importer mapping (file or preset name) for a catalog file
    docs: str | None = None          # folder with faq.yaml / policies/ for a catalog file

    @property
    def is_dir(self) -> bool:
        return self.mapping is None and Path(self.path).is_dir()

    def label(self) -> str:
        name = Path(self.path).name if self.is_dir else Path(self.path).parent.name + "/" + Path(self.path).name
        return f"{name} ({self.mapping})" if self.mapping else name

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "mapping": self.mapping, "docs": self.docs}


@dataclass
class UserTurn:
    text: str
    images: list[str] = field(default_factory=list)           # absolute paths
    expect: dict[str, Any] = field(default_factory=dict)      # scorer key -> normalised value
    note: str = ""
    tags: list[str] = field(default_factory=list)             # the turn's own, e.g. its kind (price, photo)


@dataclass
class Conversation:
    id: str
    source: str                                                # the file it came from
    turns: list[UserTurn]
    tags: list[str] = field(default_factory=list)
    knowledge: KnowledgeRef | None = None                      # None: the run's default store
    description: str = ""
    skip: str | None = None                                    # a reason: load but do not run
    locale: str | None = None                                  # the integrator's language ("es"): fixed
    orders: OrderSetup | None = None                           # its own order store (customer, fixture, clock)

    @property
    def customer(self) -> str | None:
        return self.orders.customer if self.orders else None

    @property
    def uid(self) -> str:
        return f"{Path(self.source).stem}/{self.id}"


def _where(path: Path, conv_id: str | None = None) -> str:
    return f"{path}" + (f" (conversation {conv_id!r})" if conv_id else "")


def parse_knowledge(value: Any, base: Path, where: str) -> KnowledgeRef | None:
    """``demo``/``default``/null -> None; a path (relative to the transcript) or a mapping."""
    if value is None or value in ("demo", "default"):
        return None
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, dict):
        raise TranscriptError(f"{where}: 'knowledge' must be a path or a mapping with path/catalog, mapping, docs")
    unknown = set(value) - {"path", "catalog", "dir", "mapping", "docs"}
    if unknown:
        raise TranscriptError(f"{where}: unknown knowledge keys {sorted(unknown)}; use path, mapping, docs")
    raw = value.get("path") or value.get("catalog") or value.get("dir")
    if not raw:
        raise TranscriptError(f"{where}: 'knowledge' needs a path (a knowledge folder or a catalog file)")
    path = (base / str(raw)).resolve()
    docs = (base / str(value["docs"])).resolve() if value.get("docs") else None
    mapping = value.get("mapping")
    if mapping and Path(str(mapping)).suffix in (".yaml", ".yml", ".json"):
        mapping = str((base / str(mapping)).resolve())
    return KnowledgeRef(str(path), str(mapping) if mapping else None, str(docs) if docs else None)


def _tags(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return list(value)
    raise TranscriptError(f"{where}: 'tags' must be a list of words")


def parse_turn(raw: Any, base: Path, where: str, language: str | None = None) -> UserTurn:
    """One turn; ``language`` (the conversation's) is its ``language`` expectation unless the turn
    names its own (``language: null`` in ``expect``: not checked on this turn)."""
    if isinstance(raw, str):
        raw = {"user": raw}
    if not isinstance(raw, dict):
        raise TranscriptError(f"{where}: a turn must be a mapping with 'user' (and optional images, expect)")
    unknown = set(raw) - TURN_KEYS
    if unknown:
        raise TranscriptError(f"{where}: unknown turn keys {sorted(unknown)}; a turn has {sorted(TURN_KEYS)}")
    text = raw.get("user", "")
    if not isinstance(text, str):
        raise TranscriptError(f"{where}: 'user' must be text")
    images = raw.get("images") or []
    if isinstance(images, str):
        images = [images]
    paths = []
    for image in images:
        if isinstance(image, dict):           # a photo made from a store's picture (evals/photos.py)
            try:
                paths.append(str(derived_photo(image, base)))
            except ValueError as exc:
                raise TranscriptError(f"{where}: {exc}") from None
            continue
        path = Path(str(image)) if Path(str(image)).is_absolute() else (base / str(image)).resolve()
        if not path.is_file():
            raise TranscriptError(f"{where}: image not found: {image} (paths are relative to the transcript file)")
        paths.append(str(path))
    if not text.strip() and not paths:
        raise TranscriptError(f"{where}: a turn needs 'user' text or images")
    expect_raw = raw.get("expect") or {}
    if language and isinstance(expect_raw, dict) and "language" not in expect_raw:
        expect_raw = {**expect_raw, "language": language}
    if isinstance(expect_raw, dict) and "language" in expect_raw and expect_raw["language"] is None:
        expect_raw = {k: v for k, v in expect_raw.items() if k != "language"}
    try:
        expect = normalise_expectations(expect_raw)
    except ValueError as exc:
        raise TranscriptError(f"{where}: {exc}") from None
    return UserTurn(text=text, images=paths, expect=expect, note=str(raw.get("note") or ""),
                    tags=_tags(raw.get("tags"), where))


def parse_conversation(raw: Any, path: Path, defaults: dict[str, Any], index: int) -> Conversation:
    if not isinstance(raw, dict):
        raise TranscriptError(f"{path}: conversation #{index + 1} must be a mapping with id and turns")
    conv_id = str(raw.get("id") or "").strip()
    if not conv_id:
        raise TranscriptError(f"{path}: conversation #{index + 1} has no 'id'")
    where = _where(path, conv_id)
    unknown = set(raw) - CONVERSATION_KEYS
    if unknown:
        raise TranscriptError(f"{where}: unknown keys {sorted(unknown)}; a conversation has {sorted(CONVERSATION_KEYS)}")
    turns_raw = raw.get("turns")
    if not isinstance(turns_raw, list) or not turns_raw:
        raise TranscriptError(f"{where}: 'turns' must be a non-empty list")
    skip = raw.get("skip")
    language = raw["language"] if "language" in raw else defaults.get("language")
    if language is not None and not isinstance(language, str):
        raise TranscriptError(f"{where}: 'language' must be a language code such as es, fr, de, zh")
    try:
        turns = [parse_turn(t, path.parent, f"{where} turn {i + 1}", language) for i, t in enumerate(turns_raw)]
    except PhotoUnavailable as exc:           # a store's picture not on this machine: skip, like its store
        turns, skip = [], str(exc)
    if turns and raw.get("expect"):
        _after_the_last_turn(turns[-1], raw["expect"], where)
    try:
        orders = OrderSetup.parse(raw, defaults, path.parent, [t.expect for t in turns])
    except OrderSetupError as exc:
        raise TranscriptError(f"{where}: {exc}") from None
    knowledge = (parse_knowledge(raw["knowledge"], path.parent, where) if "knowledge" in raw
                 else defaults.get("knowledge"))
    tags = list(dict.fromkeys([*defaults.get("tags", []), *_tags(raw.get("tags"), where)]))
    try:
        locale = normalise_locale(raw.get("locale"))
    except InvalidInput as exc:
        raise TranscriptError(f"{where}: {exc}") from None
    return Conversation(id=conv_id, source=str(path), turns=turns, tags=tags, knowledge=knowledge,
                        description=str(raw.get("description") or ""), skip=str(skip) if skip else None,
                        locale=locale, orders=orders)


def _after_the_last_turn(last: UserTurn, raw: Any, where: str) -> None:
    """A conversation's own ``expect`` (its end state) is checked after its last turn."""
    try:
        expect = normalise_expectations(raw)
    except ValueError as exc:
        raise TranscriptError(f"{where}: conversation 'expect': {exc}") from None
    for key, value in expect.items():
        if key == "order_state" and key in last.expect:
            both = set(value) & set(last.expect[key])
            if both:
                raise TranscriptError(f"{where}: order_state of {sorted(both)} is expected both by the "
                                      "conversation and by its last turn; keep one")
            last.expect[key] = {**last.expect[key], **value}
        elif key in last.expect:
            raise TranscriptError(f"{where}: {key!r} is expected both by the conversation and by its last turn")
        else:
            last.expect[key] = value


def load_yaml_file(path: Path) -> list[Conversation] | None:
    """The conversations in a YAML transcript; None when the file is not a transcript (thresholds...)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TranscriptError(f"{path}: not valid YAML ({exc})") from None
    defaults: dict[str, Any] = {}
    if isinstance(doc, dict):
        if "conversations" not in doc:
            return None
        unknown = set(doc) - FILE_KEYS
        if unknown:
            raise TranscriptError(f"{path}: unknown top-level keys {sorted(unknown)}; use {sorted(FILE_KEYS)}")
        defaults = {"knowledge": parse_knowledge(doc.get("knowledge"), path.parent, str(path)),
                    "tags": _tags(doc.get("tags"), str(path)), "language": doc.get("language"),
                    **{k: doc[k] for k in ("orders", "now") if k in doc}}
        doc = doc["conversations"]
    if not isinstance(doc, list):
        return None
    return [parse_conversation(raw, path, defaults, i) for i, raw in enumerate(doc)]


# -- session-store exports (JSONL) --------------------------------------------------------------
def _session_of(record: dict[str, Any]) -> str:
    return str(record.get("session_id") or record.get("session") or "session")


def _export_records(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One ``SessionStore.export_jsonl`` line as the stored events ``_replay_turns`` folds."""
    out: list[dict[str, Any]] = []
    for t in record.get("turns") or []:
        if t.get("user"):
            out.append({"type": "user", "turn": t["turn"], "content": t["user"].get("text", ""),
                        "images": t["user"].get("images") or []})
        if t.get("assistant"):
            out.extend(_recorded_answer(t["turn"], t["assistant"].get("text", ""), t["assistant"].get("citations")))
        if t.get("handoff"):
            out.append({"type": "handoff", "turn": t["turn"], **t["handoff"]})
    return out


def _recorded_answer(turn: Any, text: Any, citations: Any) -> list[dict[str, Any]]:
    """A recorded assistant message as the token and citations events it was streamed as."""
    return [{"type": "token", "turn": turn, "text": str(text or "")},
            {"type": "citations", "turn": turn, "citations": citations or []}]


def _as_events(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored event as it is; a transcript message (``role``) as the events it stands for.
    A person's or the system's messages, and records of other kinds, are no part of a reply."""
    kind = rec.get("type")
    if kind:
        return [rec] if kind in PAYLOADS else []
    if rec.get("role") == "user":
        return [{**rec, "type": "user"}]
    if rec.get("role") == "assistant":
        return _recorded_answer(rec.get("turn"), rec.get("content"), rec.get("citations"))
    return []


def _reference(reply: Reply) -> dict[str, Any]:
    """The recorded reply as a ``reference`` expectation: its answer, sources and handoff."""
    reference: dict[str, Any] = {"answer": reply.answer if reply.done else reply.text,
                                 "cites": [c.get("source_id") for c in reply.cited if c.get("source_id")]}
    opened = [h for h in reply.handoffs if h.handoff]
    if opened:
        reference["handoff"] = opened[-1].rule or True
    return {k: v for k, v in reference.items() if v not in ("", [])}


def _replay_turns(records: list[dict[str, Any]], base: Path, where: str) -> tuple[list[UserTurn], str | None]:
    """Rebuild user turns from one session's exported events or messages, replies as references."""
    turns: list[UserTurn] = []
    replies: list[Reply] = []
    missing: list[str] = []
    for event in (e for rec in records for e in _as_events(rec)):
        if event["type"] == "user":
            number = int(event.get("turn") or len(turns))
            images = []
            for image in event.get("images") or []:
                p = Path(str(image)) if Path(str(image)).is_absolute() else (base / str(image)).resolve()
                (images if p.is_file() else missing).append(str(p))
            turns.append(UserTurn(text=str(event.get("content") or ""), images=images,
                                  note=f"recorded turn {number}"))
            replies.append(Reply())
        elif turns:
            replies[-1].add(event)
    for turn, reply in zip(turns, replies):
        reference = _reference(reply)
        if reference.get("answer"):
            turn.expect = normalise_expectations({"reference": reference})
    skip = f"{len(missing)} recorded photo(s) not found, e.g. {missing[0]}" if missing else None
    return [t for t in turns if t.text.strip() or t.images], skip


def load_jsonl_file(path: Path) -> list[Conversation]:
    conversations: list[Conversation] = []
    sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"{path} line {line_no}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise TranscriptError(f"{path} line {line_no}: each line must be a JSON object")
        if record.get("format") == TRANSCRIPT_FORMAT:      # SessionStore.export_jsonl
            sessions[_session_of(record)].extend(_export_records(record))
        elif "turns" in record:
            conversations.append(parse_conversation(record, path, {}, len(conversations)))
        elif "type" in record or "role" in record:
            sessions[_session_of(record)].append(record)
        else:
            raise TranscriptError(f"{path} line {line_no}: expected a conversation (with 'turns'), "
                                  "an exported event (with 'type') or a message (with 'role')")
    for session_id, records in sessions.items():
        records.sort(key=lambda r: (int(r.get("seq") or 0)))
        turns, skip = _replay_turns(records, path.parent, _where(path, session_id))
        if turns:
            conversations.append(Conversation(id=session_id, source=str(path), turns=turns, tags=["replay"],
                                              description="replayed from a session-store export", skip=skip))
    return conversations


# -- finding and loading files ------------------------------------------------------------------
def transcript_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in TRANSCRIPT_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise TranscriptError(f"no such transcript file or folder: {path}")
    return files


@dataclass
class Suite:
    conversations: list[Conversation]
    files: list[str]
    ignored: list[str]        # YAML files in a folder that are not transcripts (e.g. thresholds.yaml)


def load_suite(paths: list[Path], tags: list[str] | None = None) -> Suite:
    """Every conversation in ``paths`` (files or folders); ``tags`` keeps those with any tag."""
    conversations: list[Conversation] = []
    files, ignored = [], []
    for path in transcript_files(paths):
        found = load_jsonl_file(path) if path.suffix == ".jsonl" else load_yaml_file(path)
        if found is None:
            ignored.append(str(path))
            continue
        files.append(str(path))
        conversations.extend(found)
    seen: dict[str, str] = {}
    for conv in conversations:
        if conv.uid in seen:
            raise TranscriptError(f"{conv.source}: conversation id {conv.id!r} is used twice in {seen[conv.uid]}")
        seen[conv.uid] = conv.source
    if tags:
        conversations = [c for c in conversations if set(c.tags) & set(tags)]
    return Suite(conversations, files, ignored)
