"""How often the shopper's language is read right: the word-count heuristic the tracker used
before (kept here, frozen, as the baseline) against ``assistant.dialogue.language``.

Three measures per language on tests/fixtures/language_messages.yaml, plus English utterances
from the Bitext validation split (../shared/data, read here, never copied):

- switch: the conversation so far was in another language (English for the others, Spanish for
  English) and the message must be recognised as its own language - the hard case;
- first: a new conversation (previous language English), as a shopper's first message;
- stay: the conversation was already in the message's language and must stay there.
``keep`` messages (ids, emails, "ok", product names) must keep every previous language.

    python scripts/bench_language.py
"""
from __future__ import annotations

import csv
import json
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.dialogue.language import SUPPORTED, detect_language  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "language_messages.yaml"
BITEXT = ROOT.parent / "shared" / "data" / "bitext-customer-service" / \
    "Bitext_Sample_Customer_Service_Validation_Dataset.csv"

# -- the heuristic assistant.dialogue.signals had until lingua replaced it (en/es/fr/de only) ---
_OLD_WORDS = {
    "en": set("the is my i you and to a of it do does have where what order please thanks can "
              "for this that with when how my not be are".split()),
    "es": set("el la los las de que y en un una por para con mi pedido dónde donde está esta "
              "hola gracias quiero tienen es no cuándo cuando cómo como envío devolver puedo "
              "usted mis del al".split()),
    "fr": set("le la les de des et un une est je mon ma mes pour avec pas vous bonjour merci "
              "commande où livraison est-ce suis qui au du ne avez puis-je".split()),
    "de": set("der die das und ist ich nicht mein meine bestellung wo mit für ein eine haben "
              "sie hallo danke bitte wann lieferung kann ist es zu auf den dem wie".split()),
}
_OLD_HINTS = {"es": re.compile(r"[ñ¿¡]"), "fr": re.compile(r"[çèêàù]|\bc'est\b|\bj'ai\b"),
              "de": re.compile(r"[ßäöü]")}


def old_detect(text: str, previous: str = "en", names=()) -> str:
    tokens = re.findall(r"[\wàâçéèêëîïôûùüÿñæœßäö'-]+", text.lower())
    scores = {lang: sum(1 for t in tokens if t in common) for lang, common in _OLD_WORDS.items()}
    for lang, hint in _OLD_HINTS.items():
        if hint.search(text.lower()):
            scores[lang] += 2
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and scores[best] >= 2 and scores[best] > scores["en"]:
        return best
    if scores["en"] >= 2 or (tokens and scores["en"] >= scores[best] and len(tokens) >= 4):
        return "en"
    return previous


def product_names() -> list[str]:
    return [p["name"] for p in json.loads((ROOT / "knowledge" / "catalog.json").read_text())]


def labelled() -> tuple[dict[str, list[str]], list[str]]:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return {lang: [str(m) for m in msgs] for lang, msgs in data["messages"].items()}, \
        [str(m) for m in data["keep"]]


def bitext_english() -> list[str]:
    with open(BITEXT, newline="", encoding="utf-8") as handle:
        return [row["utterance"] for row in csv.DictReader(handle)]


def switched_from(lang: str) -> str:
    return "es" if lang == "en" else "en"


def accuracy(detect, messages: list[str], lang: str, previous: str, names) -> float:
    return sum(detect(m, previous, names) == lang for m in messages) / len(messages)


def keep_rate(detect, keep: list[str], names) -> float:
    return sum(detect(m, p, names) == p for m in keep for p in SUPPORTED) / (len(keep) * len(SUPPORTED))


def main() -> None:
    names = product_names()
    by_language, keep = labelled()
    sets = dict(by_language)
    if BITEXT.is_file():
        sets["en (Bitext)"] = bitext_english()
    print(f"{'language':<12} {'n':>4}  {'switch old/new':>15}  {'first old/new':>14}  {'stay old/new':>13}")
    for name, messages in sets.items():
        lang = name.split()[0]
        row = [f"{name:<12} {len(messages):>4}"]
        for previous in (switched_from(lang), "en", lang):
            old = accuracy(old_detect, messages, lang, previous, names)
            new = accuracy(detect_language, messages, lang, previous, names)
            row.append(f"{old:6.1%} / {new:6.1%}")
        print("  ".join(row))
    pool = [(m, lang) for lang, messages in by_language.items() for m in messages]
    for label, detect in (("old", old_detect), ("new", detect_language)):
        right = sum(detect(m, switched_from(lang), names) == lang for m, lang in pool)
        print(f"all labelled, switch, {label}: {right}/{len(pool)} = {right / len(pool):.1%}")
    print(f"keep (ids, emails, 'ok', names; every previous language): "
          f"old {keep_rate(old_detect, keep, names):.1%}, new {keep_rate(detect_language, keep, names):.1%}")
    sample = sets.get("en (Bitext)", by_language["en"])
    detect_language(sample[0], "es", names)           # the models load on first use
    start = time.perf_counter()
    for text in sample:
        detect_language(text, "es", names)
    print(f"speed: {1000 * (time.perf_counter() - start) / len(sample):.2f} ms per message")


if __name__ == "__main__":
    main()
