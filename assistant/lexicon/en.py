"""Shop words shared by the tracker, the retriever and the extractive backend.

Colours and sizes, a light word normaliser (``stem``: "presses" ~ "press", "knives" ~ "knife"),
the small words a question is made of, and the synonym tables that map a shopper's words to the
catalog's own: "how bright" -> a ``brightness`` spec, "on a plane" -> ``airline_safe``, "the UK" ->
"United Kingdom". The tables hold general shop language, not one store's product names, so any
catalog benefits; a store's own spec keys are matched by their words as well (see extractive.py).
"""
from __future__ import annotations

import re

COLORS = (
    "black", "white", "grey", "gray", "red", "blue", "navy", "green", "yellow", "orange", "pink",
    "purple", "brown", "beige", "tan", "olive", "silver", "gold", "teal", "burgundy", "charcoal",
    "cream", "khaki", "maroon", "turquoise", "ivory", "sand",
)
# colour names of two words, matched before their last word ("navy blue" is navy, not blue)
COLOR_PHRASES = COLORS + ("forest green", "sky blue", "navy blue", "light blue", "dark green")

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_KEEP_S = ("ss", "us", "is", "os", "ics")


def stem(word: str, plural_only: bool = False) -> str:
    """A plural/inflection trim good enough for matching shop words, not a linguist's stemmer.
    ``plural_only`` keeps "backpacking" apart from "backpack" (for naming kinds of product)."""
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"                          # batteries -> battery
    elif w.endswith("ives") and len(w) > 5:
        w = w[:-3] + "fe"                         # knives -> knife
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]                                # presses -> press, boxes -> box
    elif w.endswith("s") and not w.endswith(_KEEP_S):
        w = w[:-1]                                # boots -> boot, shoes -> shoe
    if plural_only:
        return w
    if len(w) >= 6 and w.endswith("ing"):
        w = w[:-3]                                # shipping -> shipp
    elif len(w) >= 6 and w.endswith("ed"):
        w = w[:-2]                                # returned -> return, opened -> open
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]                                # shipp -> ship
    if len(w) >= 4 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]                                # charge ~ charging -> charg
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens, hyphenated words split too ("anti-fog" -> anti-fog, anti, fog)."""
    out: list[str] = []
    for token in _WORD.findall((text or "").lower().replace("’", "'")):
        token = token.removesuffix("'s")
        out.append(token)
        if "-" in token:
            out.extend(p for p in token.split("-") if p)
    return out


def stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def similar(a: str, b: str) -> bool:
    """Same word up to an ending: bright ~ brightness, resistant ~ resistance, weigh ~ weight."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    common = 0
    for x, y in zip(short, long_):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= 0.85 * len(short)


# Words that carry no subject of their own in a shopper's question.
STOPWORDS = frozenset("""
a an the and or but if of to in on at by for with from about into onto over under than then
is are was were be been being am do does did doing done have has had having can could will would
shall should may might must i me my mine we us our you your yours it its this that these those
they them their there here what which who whom whose when where why how much many any some all
each every more most other such no nor not only own same so too very just also still yet please
thanks thank hi hello hey get got go goes going put take use used make makes need want like know
tell say show give let see look looking find one ones thing things really actually quite well
right now today ok okay yes yeah im i'm i'd i'll it's its isn't don't doesn't whats what's hasn't
haven't didn't won't can't wasn't aren't couldn't wouldn't shouldn't after before since until again
""".split())

def content_stems(text: str, exclude: set[str] = frozenset()) -> list[str]:
    """A question's subject words, stemmed, in order (small words and one-digit numbers dropped)."""
    out = []
    for w in words(text):
        if w in STOPWORDS or "-" in w or (w.isdigit() and len(w) < 2):
            continue
        s = stem(w)
        if s not in exclude and s not in out:
            out.append(s)
    return out


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


# Question words -> spec keys they ask about (matched as phrases in the lower-cased question).
SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "heavy": ("weight",), "weigh": ("weight",), "light": ("weight",), "lighter": ("weight",),
    "heavier": ("weight",), "grams": ("weight",), "kg": ("weight",), "pounds": ("weight",),
    "how big": ("dimensions", "packed_size", "capacity"), "how large": ("dimensions", "capacity"),
    "how long is": ("length", "dimensions"), "how tall": ("height", "dimensions", "peak_height"),
    "how wide": ("dimensions",), "dimension": ("dimensions",), "measure": ("dimensions",),
    "made of": ("materials", "upper", "fabric"), "material": ("materials", "upper"),
    "fabric": ("materials",), "what is it made": ("materials",),
    "made in": ("origin",), "where is": ("origin",), "where are": ("origin",),
    "manufactured": ("origin",), "country": ("origin",), "produced": ("origin",),
    "wash": ("care",), "clean": ("care",), "dishwasher": ("care",), "care for": ("care",),
    "iron": ("care",), "tumble": ("care",), "dry clean": ("care",),
    "warranty": ("warranty",), "guarantee": ("warranty",), "guaranteed": ("warranty",),
    "compatible": ("compatibility",), "work with": ("compatibility",), "work on": ("compatibility",),
    "works with": ("compatibility",), "works on": ("compatibility",), "fit my": ("compatibility",),
    "charge my": ("compatibility",), "use on": ("compatibility",), "use it on": ("compatibility",),
    "use this on": ("compatibility",), "hob": ("compatibility",), "stove": ("compatibility",),
    "capacity": ("capacity", "volume"), "hold": ("capacity", "volume"), "litre": ("capacity", "volume"),
    "liter": ("capacity", "volume"), "how many people": ("capacity",), "sleep": ("capacity",),
    "battery": ("battery_life", "battery"), "last": ("battery_life", "burn_time", "keeps_cold", "keeps_hot"),
    "charge": ("charging", "recharge_time", "battery"), "runtime": ("battery_life",),
    "waterproof": ("waterproof_rating", "waterproof", "water_resistance"),
    "water resistant": ("water_resistance", "waterproof_rating", "waterproof"),
    "water-resistant": ("water_resistance", "waterproof_rating", "waterproof"),
    "water resistance": ("water_resistance", "waterproof_rating", "waterproof"),
    "swim": ("water_resistance", "waterproof_rating"),
    "bright": ("brightness",), "lumens": ("brightness",), "how far": ("beam_distance",),
    "plane": ("airline_safe",), "flight": ("airline_safe",), "fly": ("airline_safe",),
    "airline": ("airline_safe",), "carry-on": ("airline_safe",), "aircraft": ("airline_safe",),
    "warm": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "warmer": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "cold": ("temperature_rating", "comfort_rating", "limit_rating", "keeps_cold", "insulation"),
    "temperature": ("temperature_rating", "comfort_rating", "temperature_range"),
    "oven": ("oven_safe",), "vegan": ("vegan",), "cruelty": ("vegan",), "noise": ("noise_cancelling",),
    "fit": ("fit", "sizing", "torso_fit"), "sizing": ("sizing", "fit"), "true to size": ("fit", "sizing"),
    "scent": ("scent", "fragrance"), "smell": ("scent", "fragrance"), "fragrance": ("fragrance", "scent"),
    "spf": ("spf",), "sun protection": ("spf",), "ingredient": ("key_ingredients", "active_ingredients"),
    "skin type": ("skin_type",), "expire": ("shelf_life",), "shelf life": ("shelf_life",),
    "how many ports": ("ports",), "bluetooth": ("bluetooth", "connectivity"), "watts": ("output", "power"),
    "powerful": ("power", "output"), "fast": ("fast_charge", "output"), "model number": ("model_number",),
}

# For products that only have a description: question words -> words a relevant sentence holds.
DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "bright": ("lumens", "lumen", "brightness", "light"), "lumens": ("lumens", "brightness"),
    "colour": COLORS + ("color", "colour", "colors", "colours"),
    "color": COLORS + ("color", "colour", "colors", "colours"),
    "made of": ("made", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon", "polyester",
                "cotton", "wool", "carbon", "fiber", "fibre", "rubber", "plastic", "wood", "bamboo",
                "ceramic", "glass", "titanium", "canvas", "mesh", "fabric", "materials", "down"),
    "material": ("made", "materials", "aluminum", "steel", "leather", "nylon", "polyester", "cotton"),
    "waterproof": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "water resistant": ("waterproof", "water-resistant", "water", "resistant"),
    "warm": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "heavy": ("lightweight", "weight", "weighs", "heavy", "light"),
    "weigh": ("lightweight", "weight", "weighs"), "light": ("lightweight", "light", "weight"),
    "features": ("features", "offer", "offers", "with"), "comfortable": ("comfort", "comfortable", "padded"),
}

# Words that name what a shopper is browsing without naming a kind of product.
GENERIC_NOUNS = frozenset("""
gift gifts idea ideas present presents something anything stuff thing things item items product
products option options recommendation recommendations suggestion suggestions everything one ones
deal deals sale bargain bargains kind kinds type types range selection collection brand brands
""".split())

# A kind of product -> the catalog category words it belongs to ("shoe" is footwear).
CATEGORY_OF: dict[str, tuple[str, ...]] = {
    "shoe": ("footwear",), "boot": ("footwear",), "sneaker": ("footwear",), "trainer": ("footwear",),
    "sandal": ("footwear",), "slide": ("footwear",), "slipper": ("footwear",), "loafer": ("footwear",),
    "footwear": ("footwear",), "clothes": ("apparel", "jackets"), "clothing": ("apparel", "jackets"),
    "jacket": ("jackets",), "coat": ("jackets", "apparel"), "shirt": ("apparel",), "top": ("apparel",),
    "cookware": ("kitchen",), "kitchenware": ("kitchen",), "utensil": ("kitchen",),
    "skincare": ("beauty",), "makeup": ("beauty",), "cosmetic": ("beauty",),
    "electronic": ("electronics",), "gadget": ("electronics",), "decor": ("home",),
    "furniture": ("home",), "bag": ("bags",), "camping": ("outdoor",), "hiking": ("outdoor", "trekking"),
}

# Country words -> how the store's shipping pages name them (zones list full names).
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "england": "united kingdom", "scotland": "united kingdom",
    "wales": "united kingdom", "northern ireland": "united kingdom",
    "usa": "united states", "us": "united states", "america": "united states",
    "nz": "new zealand", "korea": "south korea", "holland": "netherlands",
}
COUNTRIES = frozenset("""
canada mexico australia japan china india brazil argentina chile norway switzerland iceland
singapore israel turkey russia ukraine egypt nigeria kenya philippines indonesia malaysia thailand
vietnam colombia peru
""".split()) | {"new zealand", "south korea", "south africa", "united kingdom", "hong kong"}
EU_COUNTRIES = frozenset("""
austria belgium bulgaria croatia cyprus czechia czech denmark estonia finland france germany greece
hungary ireland italy latvia lithuania luxembourg malta netherlands poland portugal romania
slovakia slovenia spain sweden
""".split())


# A few ways of asking that share no word with the store's pages ("get my $39 back" = refund).
PHRASE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:get|getting|have|want|see)\b[^.?!]{0,20}\bback\b|\bmoney back\b", re.I), "refund"),
    (re.compile(r"\bsend(?:ing)? (?:it|them|this|that|\w+) back\b|\bsend back\b", re.I), "return"),
    (re.compile(r"\bswap\b", re.I), "exchange"),
    (re.compile(r"\b(?:bitcoin|btc|ethereum|crypto)\b", re.I), "cryptocurrency"),
    (re.compile(r"\bwhen are you open\b|\bopening (?:hours|times)\b", re.I), "hours"),
    (re.compile(r"\b(?:phone|call you|ring you)\b", re.I), "contact phone"),
)


def expand_places(text: str) -> str:
    """Add the store pages' own words for what a question names: "UK" -> "United Kingdom",
    "Canada" -> "international" (shipping pages list countries by zone), "money back" -> refund."""
    lowered = f" {text.lower()} "
    extra: list[str] = [hint for pattern, hint in PHRASE_HINTS if pattern.search(text)]
    for alias, name in COUNTRY_ALIASES.items():
        if alias == "us":
            continue  # "us" is mostly the pronoun
        if re.search(rf"(?<![\w.]){re.escape(alias)}(?![\w])", lowered) and name not in lowered:
            extra.append(name)
    lowered += " ".join(extra) + " "
    named = set(words(text)) | {name for name in (*COUNTRY_ALIASES.values(), *COUNTRIES) if f" {name} " in lowered}
    if named & EU_COUNTRIES:
        extra.append("european union EU")
    abroad = set(COUNTRY_ALIASES.values()) - {"united states"}
    if (named & (EU_COUNTRIES | COUNTRIES)) or any(n in lowered for n in abroad):
        extra.append("international")
    return f"{text} {' '.join(dict.fromkeys(extra))}".strip() if extra else text


# --- budgets: "under $30", "my budget is about $150" ------------------------------------------
AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
BUDGET_RE = re.compile(
    r"\b(?:under|below|less than|no more than|not more than|max(?:imum)?(?: of)?|up to|within|"
    r"budget(?: is| of)?|at most|cheaper than|around|about)\s*(?:a\s+)?[$€£]?\s?" + AMOUNT +
    r"(?!\s?(?:%|kg|g|lbs?|oz|l|ml|degrees|°|days?|weeks?|months?|years?|hours?|minutes?|"
    r"miles?|km|m|cm|mm|inch|items?|orders?|people|person)\b)", re.I)


def find_budget(text: str) -> tuple[float | None, tuple[int, int] | None]:
    """The most a shopper wants to spend, and where the text says it."""
    match = BUDGET_RE.search(text or "")
    if not match:
        return None, None
    return float(match.group(1).replace(",", "")), match.span()


# --- how shoppers ask (the extractive backend picks its kind of answer by these) -----------------
# browsing, the whole store, "instead", comparisons, sizing, policy words that beat a product in
# focus, price asks, yes/no questions; then what must be declined: a card number typed into the
# chat, another customer's details, a discount code or a price the shopper dictates.
LISTING = re.compile(r"\b(do you (have|sell|carry|stock)|show me|looking for|recommend|suggest|any\b.*\b(under|below)|"
                     r"(what|which) .* do you (have|sell|carry)|options for|need an?\b|best .* for)\b")
STORE_OVERVIEW = re.compile(r"\bwhat (?:do|does) (?:you|your (?:store|shop)) (?:sell|have|carry|stock|offer)\s*[?.!]*$|"
                            r"\bwhat (?:kinds?|sorts?|types?) of (?:things|stuff|products|items) do you\b")
ALTERNATIVE = re.compile(r"\b(instead|another|other|different|alternative|else)\b")
COMPARE = re.compile(r"\b(which|compare|comparison|versus|vs\.?|difference|better|or)\b")
SIZING = re.compile(r"true to size|\bruns? (?:small|large|big|narrow|wide|true)|\b(?:what|which) size\b|"
                    r"size guide|sizing|size chart|between sizes|\bsize (?:up|down)\b")
POLICY_INTENTS = {"return_or_refund", "exchange", "shipping", "payment", "warranty_claim",
                  "damaged_or_wrong_item", "order_status", "complaint"}
POLICY_WORDS = re.compile(r"\b(return\w*|refund\w*|exchange\w*|swap|ship\w*|deliver\w*|order\w*|pay|paid|payment|"
                          r"warrant\w*|claim|broke\w*|damaged|cracked|missing|wrong|arrived|track\w*|send (?:it )?back|"
                          r"discount|promo|coupon|gift card)\b")
CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
OTHERS_DATA = re.compile(
    r"\b(?:name|address|phone|e-?mail|details|personal (?:data|info\w*)|information|contact)\b[^.?!]{0,60}?"
    r"\b(?:of|for|about) (?:the|a|another|other|that|this|some) (?:customer|person|buyer|shopper|user|"
    r"client|people)\b|\b(?:customer|person|buyer|someone|somebody|who) (?:who |that )?(?:placed|ordered|bought|made)"
    r"\b[^.?!]{0,40}\b(?:name|address|phone|email|details)\b|\b(?:other|another) customers?'?s? "
    r"(?:name|address|phone|email|details|orders?|data)\b", re.I)
FREEBIE = re.compile(r"\b(?:give|generate|create|make|send|issue)\b[^.?!]{0,30}\b(?:discount|promo|coupon|voucher)"
                     r"(?: code)?\b|\b100 ?% (?:off|discount)\b|\bfor free\b.*\b(?:give|send)\b", re.I)
PRICE_ASK = re.compile(r"\b(?:price|prices|priced|cost|costs|how much (?:is|are|was|were|for|do|does)\b(?! it weigh)"
                       r"(?! they weigh)|expensive|cheap)\b")
YES_NO = re.compile(r"^\s*(?:and\s+)?(?:is|are|does|do|can|will|would|could|should)\b", re.I)


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    """A run of 13-19 digits (spaces or dashes allowed) that passes the Luhn check."""
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn(digits)


def has_card_number(text: str) -> bool:
    return any(is_card_number(m.group(0)) for m in CARD_NUMBER.finditer(text))


def redact_card_numbers(text: str) -> str:
    """Replace payment card numbers before text is stored."""
    def hide(match: re.Match) -> str:
        found = match.group(0)
        last4 = re.sub(r"\D", "", found)[-4:]
        return f"[card number ending {last4} removed]" if is_card_number(found) else found
    return CARD_NUMBER.sub(hide, text)


# --- "my budget is about $150": a message that says nothing else ------------------------------------
_BUDGET_FILLER = {"my", "our", "the", "a", "budget", "is", "of", "about", "around", "roughly", "max", "maximum",
                  "i", "can", "spend", "want", "to", "up", "under", "below", "less", "than", "no", "more",
                  "it", "its", "it's", "should", "be", "please", "and", "but", "so", "ok", "okay", "well",
                  "dollars", "bucks", "usd", "something", "anything", "within", "at", "most", "have", "got"}


def only_budget(text: str, span: tuple[int, int] | None) -> bool:
    """Does the message say nothing but a budget ("my budget is about $150")?"""
    rest = text if span is None else text[:span[0]] + " " + text[span[1]:]
    return all(w in _BUDGET_FILLER for w in re.findall(r"[a-z']+", rest.lower()))
