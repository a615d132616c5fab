"""The shop's words, one module per language: ``lexicon("en")`` is everything the rules read.

A :class:`Lexicon` holds the word sets, phrases and patterns that the tracker, the intent rules,
the retriever, the product directory and the extractive backend match a shopper's text against:
stopwords, generic nouns, spec synonyms, colours, sizes, budgets, follow-up lead-ins, asks for a
person, anger and abuse, sensitive topics, and the cues of how a question is asked (browsing,
comparing, asking for an alternative). The logic that uses them is language-neutral
(``assistant.lexicon.text`` holds the tokeniser and stemmer), so supporting a new language is one
new module beside ``en.py`` that builds a ``Lexicon`` and registers it in ``_LANGUAGES``: English,
Spanish, German, French, Chinese and Japanese have one. The store's catalog and pages are written
in English, so each language maps what names the store's own things (colours, kinds of product,
countries, spec words) onto the English names the store uses. Chinese and Japanese are written
without spaces: their patterns match on characters, and their keywords are cut by script and
into character pairs (``text.cjk_tokens``), at the language's own small words.

``lexicon(lang)`` falls back to English for a language without a module: a Portuguese shopper
still gets the English rules (and the embedding-based intent classifier, which is not word-list
based), rather than an error mid-conversation.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Mapping

from assistant.lexicon.text import is_cjk, is_kana, parse_amount, scan, stem, words

DEFAULT_LANGUAGE = "en"
# small words written elided onto the next one (French "l'", "qu'"): split off where the
# language's stopwords hold them (English holds none, so "don't" stays whole)
_ELIDED = frozenset("c d j l m n s t qu jusqu lorsqu puisqu".split())
# language code -> module defining LEXICON
_LANGUAGES = {code: f"assistant.lexicon.{code}" for code in ("en", "es", "de", "fr", "zh", "ja")}


@dataclass(frozen=True)
class Lexicon:
    """One language's shop words; every field is read by a rule named in its comment."""

    language: str
    # -- the words a question is made of (retrieval keywords, product names, spec matching) -------
    stopwords: frozenset[str]
    generic_nouns: frozenset[str]                    # "gift", "something": no kind of product
    category_of: Mapping[str, tuple[str, ...]]       # "shoe" -> ("footwear",)
    spec_synonyms: Mapping[str, tuple[str, ...]]     # "how bright" -> ("brightness",)
    description_hints: Mapping[str, tuple[str, ...]] # question words -> words a sentence holds
    variant_words: tuple[str, ...]                   # "in stock", "colour": asks about variants
    question_frame: re.Pattern[str]                  # "how long": frames, not keywords
    intent_hints: Mapping[str, str]                  # intent -> words its store pages use
    # -- places and phrasings the store's pages word differently ----------------------------------
    country_aliases: Mapping[str, str]               # "uk" -> "united kingdom"
    countries: frozenset[str]
    eu_countries: frozenset[str]
    phrase_hints: tuple[tuple[re.Pattern[str], str], ...]   # "money back" -> "refund"
    # -- slots: colours, sizes, budgets, money, email ---------------------------------------------
    colors: tuple[str, ...]
    color_phrases: tuple[str, ...]                   # colours of two words matched first
    color_aliases: Mapping[str, str]                 # "navy blue" -> "navy"
    size_words: Mapping[str, str]                    # "extra small" -> "XS"
    size_patterns: tuple[re.Pattern[str], ...]
    amount: str                                      # regex fragment for a number of money
    budget: re.Pattern[str]                          # "under $30", group 1 the amount
    budget_filler: frozenset[str]                    # words a budget-only message may add
    money: re.Pattern[str]                           # "$39", "39 dollars"
    refund_context: re.Pattern[str]
    refund_bare: re.Pattern[str]                     # "a refund of 39"
    # -- follow-ups --------------------------------------------------------------------------------
    followup_lead: str                               # regex: "and what about", "also", ...
    ellipsis: re.Pattern[str]
    other_one: re.Pattern[str]                       # "the other one"
    pronouns: tuple[re.Pattern[str], ...]            # what a follow-up refers back with
    order_words: re.Pattern[str]                     # the follow-up is about the order
    # -- intent rules --------------------------------------------------------------------------------
    human_requests: tuple[re.Pattern[str], ...]      # "let me talk to a person"
    human_negated: re.Pattern[str]                   # "I don't need a human", "are you a person?"
    clause_break: re.Pattern[str]
    greeting_words: frozenset[str]
    leading_greeting: re.Pattern[str]
    arrival: re.Pattern[str]                         # broken on arrival ...
    in_use: re.Pattern[str]                          # ... or broken in use
    # -- sentiment, anger and what the handoff policy watches for ---------------------------------
    negative_phrases: Mapping[str, float]
    negative_words: Mapping[str, float]
    positive_words: Mapping[str, float]
    intensifiers: frozenset[str]
    downtoners: tuple[str, ...]
    negators: frozenset[str]
    abuse: re.Pattern[str]
    dissatisfied: re.Pattern[str]                    # "that's not what I asked"
    cancel: re.Pattern[str]                          # "never mind"
    sensitive: Mapping[str, re.Pattern[str]]         # topic -> pattern (legal threat, injury...)
    # -- how a question is asked (the extractive backend picks its answer by these) ---------------
    listing: re.Pattern[str]
    store_overview: re.Pattern[str]
    alternative: re.Pattern[str]
    compare: re.Pattern[str]
    sizing: re.Pattern[str]
    policy_words: re.Pattern[str]
    others_data: re.Pattern[str]                     # another customer's details: declined
    freebie: re.Pattern[str]                         # "give me a discount code": declined
    price_ask: re.Pattern[str]
    yes_no: re.Pattern[str]
    asked_noun: re.Pattern[str]                      # "do you sell <kayaks>"
    use_preposition: re.Pattern[str]                 # "for <kayaking>": used for, not a kind
    # -- recommendations (assistant.knowledge.recommend.asks_for) ----------------------------------
    similar_ask: re.Pattern[str]                     # "something like this": look-alikes
    complement_ask: re.Pattern[str]                  # "what goes with it?": things to go with it
    # a short reply that says yes / no to a question the assistant asked ("sí, adelante", "nein
    # danke", "好的"): the order desk's confirmation in languages its learned reader (English
    # examples, assistant/orders/actions.py) does not know; English leaves them to that reader
    # how the tracker writes a follow-up out in full (assistant/dialogue/tracker.py): the words
    # around the product named must be the shopper's language's, or none (English's by default)
    followup_about: str = "what about {target} {rest}"   # "and in red?" -> "what about X in red?"
    followup_aside: str = "{text} (about {target})"      # a short question with X named after it
    followup_values: str = "{question} in {values}?"     # a value the last question had no slot for
    agree: re.Pattern[str] = re.compile(r"(?!)")
    refuse: re.Pattern[str] = re.compile(r"(?!)")
    # how a message of several questions is split (assistant/answers/questions.py), as regex
    # alternations: the question words ("how", "cuánto"), the verbs that open a yes/no question
    # ("is", "gibt"), the words that join a second question on ("and", "und"); none: split by "?"
    question_words: str = ""
    question_openers: str = ""
    question_joiners: str = ""

    # -- the few rules that are only a walk over these words ---------------------------------------
    @cached_property
    def cjk_cut(self) -> re.Pattern[str] | None:
        """The language's Chinese/Japanese stopwords as cut points inside a run of characters
        ("黑色的呢" -> 黑色); None for a language written with spaces."""
        cjk = sorted((w for w in self.stopwords if is_cjk(w)), key=len, reverse=True)
        return re.compile("|".join(map(re.escape, cjk))) if cjk else None

    def words(self, text: str) -> list[str]:
        """The text's word tokens, a CJK run cut at this language's small words, and an elided
        small word split off where this language elides ("l'autre" -> l, autre)."""
        return self._split_elided(words(text, self.cjk_cut))

    def _split_elided(self, tokens: list[str]) -> list[str]:
        out = []
        for w in tokens:
            head, _, rest = w.partition("'")
            if rest and head in _ELIDED and head in self.stopwords:
                out.extend((head, rest))
            else:
                out.append(w)
        return out

    @cached_property
    def _mood_words(self) -> frozenset[str]:
        return frozenset({*self.negative_words, *self.positive_words, *self.negators,
                          *self.intensifiers, *self.downtoners})

    def sentiment_tokens(self, lowered: str) -> list[str]:
        """The words sentiment is scored over, in order; a CJK run is cut at the sentiment,
        negation and intensity words this language knows (no spaces to split on)."""
        if not is_cjk(lowered):
            return self._split_elided(re.findall(r"(?:[^\W\d_]|')+", lowered))
        return scan(lowered, self._mood_words, max(map(len, self._mood_words), default=1))

    def content_stems(self, text: str, exclude: set[str] = frozenset()) -> list[str]:
        """A question's subject words, stemmed, in order (small words, one-digit numbers and
        Japanese hiragana, which is grammar, dropped)."""
        out = []
        for w in self.words(text):
            if w in self.stopwords or "-" in w or (w.isdigit() and len(w) < 2) or is_kana(w):
                continue
            s = stem(w)
            if s not in exclude and s not in out:
                out.append(s)
        return out

    def find_budget(self, text: str) -> tuple[float | None, tuple[int, int] | None]:
        """The most a shopper wants to spend, and where the text says it."""
        match = self.budget.search(text or "")
        if not match:
            return None, None
        return parse_amount(next(g for g in match.groups() if g)), match.span()

    def only_budget(self, text: str, span: tuple[int, int] | None) -> bool:
        """Does the message say nothing but a budget ("my budget is about $150")?"""
        rest = text if span is None else text[:span[0]] + " " + text[span[1]:]
        return all(w in self.budget_filler or is_kana(w) for w in self.words(rest)
                   if not w.isdigit())

    def expand_places(self, text: str) -> str:
        """Add the store pages' own words for what a question names: "UK" -> "United Kingdom",
        "Canada" -> "international" (shipping pages list countries by zone), "money back" -> refund."""
        lowered = f" {text.lower()} "
        extra: list[str] = [hint for pattern, hint in self.phrase_hints if pattern.search(text)]
        for alias, name in self.country_aliases.items():
            if alias == "us":
                continue  # "us" is mostly the pronoun
            named_here = (alias in lowered if is_cjk(alias)     # no word boundaries in CJK text
                          else re.search(rf"(?<![\w.]){re.escape(alias)}(?![\w])", lowered))
            if named_here and name not in lowered:
                extra.append(name)
        lowered += " ".join(extra) + " "
        named = set(words(text)) | {name for name in (*self.country_aliases.values(), *self.countries)
                                    if f" {name} " in lowered}
        if named & self.eu_countries:
            extra.append("european union EU")
        abroad = set(self.country_aliases.values()) - {"united states"}
        if (named & (self.eu_countries | self.countries)) or any(n in lowered for n in abroad):
            extra.append("international")
        return f"{text} {' '.join(dict.fromkeys(extra))}".strip() if extra else text


@lru_cache(maxsize=None)
def lexicon(lang: str | None = DEFAULT_LANGUAGE) -> Lexicon:
    """The lexicon for ``lang`` ("en", "en-GB"); a language without a module gets English."""
    code = (lang or DEFAULT_LANGUAGE).lower().replace("_", "-").split("-")[0]
    module = importlib.import_module(_LANGUAGES.get(code, _LANGUAGES[DEFAULT_LANGUAGE]))
    return module.LEXICON


def languages() -> tuple[str, ...]:
    """Languages with their own lexicon module."""
    return tuple(_LANGUAGES)
