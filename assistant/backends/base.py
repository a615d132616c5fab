"""The narrow model-backend protocol: stream answer text for one prepared request.

A backend gets both the rendered chat messages (for generative models) and the structured
evidence (for the extractive backend and for citation checks). Capabilities are class
attributes; options are a pydantic model that rejects unknown fields.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from threading import Event
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.knowledge.catalog import Product
from assistant.errors import InvalidInput
from assistant.knowledge.evidence import Evidence


_PIECES = re.compile(r"\w{1,8}|[^\w\s]")     # a long word is several tokens, as in BPE

DESCRIBE_PHOTO = ("Describe this shopper's photo in one short sentence: the kind of product, its colour, "
                  "any brand or text on it, and any visible damage.")


@dataclass
class AnswerRequest:
    question: str                                   # the shopper's words, follow-ups resolved
    messages: list[dict[str, Any]] = field(default_factory=list)   # chat messages, OpenAI-style content parts
    images: list[Any] = field(default_factory=list)                # PIL images of this turn
    evidence: list[Evidence] = field(default_factory=list)         # numbered 1..n in the prompt
    product_in_focus: Product | None = None
    attributes: dict[str, str] = field(default_factory=dict)       # e.g. {"color": "black", "size": "XL"}
    intent: str | None = None
    cancel: Event = field(default_factory=Event)                   # set when the client goes away
    recognised: Product | None = None               # the product the shopper's photo shows, when sure
    language: str = "en"                            # the shopper's language (ISO 639-1): answer in it
    not_sold: bool = False                          # the catalog holds nothing of the kind asked for


class BackendOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelBackend(ABC):
    name: ClassVar[str]
    accepts_images: ClassVar[bool] = False
    streams: ClassVar[bool] = True
    max_images: ClassVar[int] = 0
    generative: ClassVar[bool] = True

    Options: ClassVar[type[BackendOptions]] = BackendOptions

    def __init__(self, options: BackendOptions | dict[str, Any] | None = None):
        if isinstance(options, BackendOptions):
            self.options = options
        else:
            try:
                self.options = self.Options.model_validate(options or {})
            except ValidationError as exc:
                raise InvalidInput(f"backend '{self.name}' options: {exc.errors()[0]['msg']} "
                                   f"({'.'.join(map(str, exc.errors()[0]['loc']))})",
                                   limit="backend_options") from None

    @abstractmethod
    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """Yield pieces of answer text; stop early when ``request.cancel`` is set."""

    def describe_image(self, image: Any, max_words: int = 40) -> str:
        """A one-sentence description of a shopper's photo, used to search the catalog."""
        request = AnswerRequest(question=DESCRIBE_PHOTO, images=[image], messages=[
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": DESCRIBE_PHOTO}]}])
        words: list[str] = []
        for piece in self.stream(request):
            words.extend(piece.split())
            if len(words) >= max_words:
                request.cancel.set()
                break
        return " ".join(words[:max_words])

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this backend's model (``usage`` in OpenAI-style replies).
        Backends without a tokenizer (extractive, remote servers) count word pieces and punctuation,
        which sits close to what BPE tokenizers give for shop English."""
        return len(_PIECES.findall(text or ""))

    def close(self) -> None:
        """Release model memory or connections."""
