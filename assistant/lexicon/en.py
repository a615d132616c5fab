"""English shop words: everything the rules match an English-speaking shopper's text against.

Colours and sizes, the small words a question is made of, the synonym tables that map a shopper's
words to the catalog's own ("how bright" -> a ``brightness`` spec, "on a plane" ->
``airline_safe``, "the UK" -> "United Kingdom"), budgets, follow-up lead-ins, asks for a person,
the sentiment words and the sensitive topics the handoff policy watches. The tables hold general
shop language, not one store's product names, so any catalog benefits.

The module builds one :class:`assistant.lexicon.Lexicon`, ``LEXICON``; callers get it through
``assistant.lexicon.lexicon("en")``. A new language is a sibling module with the same shape.
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon


def _one_of(*alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, any of them, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


COLORS = (
    "black", "white", "grey", "gray", "red", "blue", "navy", "green", "yellow", "orange", "pink",
    "purple", "brown", "beige", "tan", "olive", "silver", "gold", "teal", "burgundy", "charcoal",
    "cream", "khaki", "maroon", "turquoise", "ivory", "sand",
)
# colour names of two words, matched before their last word ("navy blue" is navy, not blue)
COLOR_PHRASES = COLORS + ("forest green", "sky blue", "navy blue", "light blue", "dark green")
COLOR_ALIASES = {"navy blue": "navy", "sky blue": "light blue"}

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

# --- budgets: "under $30", "my budget is about $150" ------------------------------------------
AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
BUDGET_RE = re.compile(
    r"\b(?:under|below|less than|no more than|not more than|max(?:imum)?(?: of)?|up to|within|"
    r"budget(?: is| of)?|at most|cheaper than|around|about)\s*(?:a\s+)?[$€£]?\s?" + AMOUNT +
    r"(?!\s?(?:%|kg|g|lbs?|oz|l|ml|degrees|°|days?|weeks?|months?|years?|hours?|minutes?|"
    r"miles?|km|m|cm|mm|inch|items?|orders?|people|person)\b)", re.I)


_BUDGET_FILLER = frozenset({
    "my", "our", "the", "a", "budget", "is", "of", "about", "around", "roughly", "max", "maximum",
    "i", "can", "spend", "want", "to", "up", "under", "below", "less", "than", "no", "more",
    "it", "its", "it's", "should", "be", "please", "and", "but", "so", "ok", "okay", "well",
    "dollars", "bucks", "usd", "something", "anything", "within", "at", "most", "have", "got"})

# --- slots ------------------------------------------------------------------------------------
_SIZE_WORDS = {"extra small": "XS", "extra-small": "XS", "x-small": "XS", "small": "S",
               "medium": "M", "large": "L", "extra large": "XL", "extra-large": "XL",
               "x-large": "XL"}
_SIZE_RES = (
    re.compile(r"\bsize\s+(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|\d{1,2}(?:\.5)?)\b", re.I),
    re.compile(r"\b(xxs|xs|xl|xxl|xxxl|2xl|3xl)\b", re.I),
    re.compile(r"\b(?:in (?:an? )?|an? |the )(S|M|L)\b"),
    re.compile(r"\b(?:in|size|the)\s+(?:an?\s+)?(extra[- ]small|x-small|small|medium|large|"
               r"extra[- ]large|x-large)\b(?!\s+(?:box|bag|order|amount|number|selection|tent|"
               r"pack|backpack|jacket|bottle))", re.I),
    # a numeric size with no "size" word: "what about brown in a 9?", "do you have it in 10?"
    re.compile(r"\bin (?:an? )?(\d{1,2}(?:\.5)?)(?=\s*(?:[?.!,]|$|\b(?:please|instead|too|then)\b))", re.I),
)
_MONEY_RE = re.compile(r"(?:[$€£]\s?" + AMOUNT + r"|" + AMOUNT +
                       r"\s?(?:dollars|bucks|usd|eur|euros?|gbp|pounds)\b|" + AMOUNT + r"\s?[$€£])",
                       re.I)
_REFUND_CONTEXT = re.compile(r"\b(?:refund\w*|money back|reimburs\w*|compensat\w*|paid|charged|"
                             r"cost me|spent|return\w*|credit|chargeback|back(?! in stock))\b", re.I)
_REFUND_BARE = re.compile(r"\brefund (?:of|for)\s+" + AMOUNT + r"\b", re.I)

# --- follow-ups ---------------------------------------------------------------------------------
_OTHER_ONE_RE = re.compile(r"\bthe other (?:one|ones|item|product|model|version)\b|"
                           r"\bthe other\b(?=\s*[?.!,]|\s*$)|\bthe first one\b|\bthe previous one\b",
                           re.I)
# the words that open an elliptical follow-up, longest first so "and what about" goes whole
_ELLIPSIS_LEAD = r"(?:and what about|and how about|what about|how about|same for|same with|and|also|or|plus)\b"
_ELLIPSIS_RE = re.compile(rf"^\s*{_ELLIPSIS_LEAD}|^\s*(?:in|for)\s+\w+\s*\??\s*$", re.I)
_PRONOUN_RES = (
    re.compile(r"\bthe other (?:one|ones|item|product|model|version)\b|\bthe other\b(?=\s*[?.!,]|"
               r"\s*$)|\bthe (?:first|previous) one\b", re.I),
    re.compile(r"\b(?:this|that|the same) (?:one|item|product|model)\b", re.I),
    re.compile(r"\bit\b(?!')", re.I),
    re.compile(r"\b(?P<lead>(?:for|of|on|about|with|in|to|buy|get|order|want|return) )"
               r"(?:this|that)\b(?!\s+\w)", re.I),
    re.compile(r"\b(?:they|them|these|those)\b", re.I),
)
_ORDER_WORDS = re.compile(r"\b(?:order|package|parcel|delivery|tracking|shipment|it arrive)", re.I)

# --- how shoppers ask (the extractive backend picks its kind of answer by these) -----------------
# browsing, the whole store, "instead", comparisons, sizing, policy words that beat a product in
# focus, price asks, yes/no questions; then what must be declined: another customer's details, a
# discount code or a price the shopper dictates (card numbers: assistant.privacy).
LISTING = re.compile(r"\b(do you (have|sell|carry|stock)|show me|looking for|recommend|suggest|any\b.*\b(under|below)|"
                     r"(what|which) .* do you (have|sell|carry)|options for|need an?\b|best .* for)\b")
STORE_OVERVIEW = re.compile(r"\bwhat (?:do|does) (?:you|your (?:store|shop)) (?:sell|have|carry|stock|offer)\s*[?.!]*$|"
                            r"\bwhat (?:kinds?|sorts?|types?) of (?:things|stuff|products|items) do you\b")
ALTERNATIVE = re.compile(r"\b(instead|another|other|different|alternative|else)\b")
SIMILAR_ASK = re.compile(r"\b(similar|something like|anything like|more like|like (?:this|that|it|these|those|"
                         r"the one)|look(?:s)? alike|same kind|alternatives?)\b", re.IGNORECASE)
COMPLEMENT_ASK = re.compile(r"\b(go(?:es)? (?:well )?with|pairs? (?:well )?with|match(?:es)? (?:with )?(?:it|this|"
                            r"that)|complements?|accessor(?:y|ies) for|need with|to go with|buy with)\b", re.IGNORECASE)
COMPARE = re.compile(r"\b(which|compare|comparison|versus|vs\.?|difference|better|or)\b")
SIZING = re.compile(r"true to size|\bruns? (?:small|large|big|narrow|wide|true)|\b(?:what|which) size\b|"
                    r"size guide|sizing|size chart|between sizes|\bsize (?:up|down)\b")
POLICY_WORDS = re.compile(r"\b(return\w*|refund\w*|exchange\w*|swap|ship\w*|deliver\w*|order\w*|pay|paid|payment|"
                          r"warrant\w*|claim|broke\w*|damaged|cracked|missing|wrong|arrived|track\w*|send (?:it )?back|"
                          r"discount|promo|coupon|gift card)\b")
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


# --- sentiment lexicon (weights per word; phrases are matched before single words) -----------
_NEG_PHRASES = {
    "fed up": -2.5, "sick of": -2.5, "tired of": -2, "ripped off": -3, "rip off": -3,
    "rip-off": -3, "never again": -2.5, "waste of": -2.5, "not happy": -2, "not ok": -1.5,
    "not okay": -1.5, "not acceptable": -3, "a joke": -2.5, "had enough": -2.5,
    "last straw": -3, "give up": -1.5, "no one": -1, "nobody": -1, "not good enough": -2.5,
    "what the hell": -2.5, "are you kidding": -2, "you kidding me": -2,
    "losing my patience": -2.5, "lost my patience": -3, "running out of patience": -2.5,
    "out of patience": -2.5, "not impressed": -1.5, "not thrilled": -1.5, "fell apart": -1.5,
    "falling apart": -1.5, "came apart": -1, "what a joke": -3, "beyond a joke": -3,
    "so done with": -3, "i'm done with": -2.5, "had it with": -2.5, "done with you": -2.5,
}
_NEG_WORDS = {
    "worst": -3, "terrible": -3, "horrible": -3, "awful": -3, "disgusting": -3,
    "unacceptable": -3, "outrageous": -3, "ridiculous": -3, "pathetic": -3, "furious": -3,
    "livid": -3, "incompetent": -3, "appalling": -3, "atrocious": -3, "garbage": -3,
    "trash": -2.5, "nightmare": -3, "hate": -3, "useless": -3, "joke": -1.5, "disgrace": -3,
    "shameful": -3, "scam": -3, "angry": -2.5, "mad": -2, "annoyed": -2, "annoying": -2,
    "frustrated": -2.5, "frustrating": -2.5, "upset": -2, "disappointed": -2,
    "disappointing": -2, "poor": -1.5, "bad": -1.5, "rude": -2, "lousy": -2, "crap": -2.5,
    "crappy": -2.5, "stupid": -2.5, "waste": -2, "wasted": -2, "misleading": -2, "lied": -2.5,
    "lies": -2, "liar": -3, "liars": -3, "unhelpful": -2.5, "ignored": -2, "ignoring": -2,
    "ignore": -1.5, "seriously": -1, "sucks": -2.5, "shocking": -2, "insane": -2,
    "unbelievable": -2, "worse": -2, "fail": -1.5, "failed": -1.5, "failure": -2,
    "late": -1, "delayed": -1, "wrong": -1, "problem": -0.5, "issue": -0.5, "damaged": -1,
    "broken": -1, "missing": -1, "slow": -1, "unfortunately": -1, "worried": -1,
    "confused": -1, "concerned": -1, "still": -0.5,
    "unhappy": -2, "cheated": -3, "robbed": -3, "hopeless": -2.5, "clueless": -2.5,
    "disaster": -3, "sloppy": -2, "clown": -2, "clowns": -2.5, "amateurs": -2,
    "amateur": -1.5, "cowboys": -2, "shambles": -3, "farce": -3, "rubbish": -2.5,
    "nonsense": -2.5, "bs": -2.5, "ugh": -1.5, "wtf": -3,
}
_POS_WORDS = {
    "love": 2, "great": 2, "excellent": 2.5, "amazing": 2.5, "awesome": 2.5, "perfect": 2,
    "fantastic": 2.5, "wonderful": 2.5, "brilliant": 2.5, "thanks": 1.5, "thank": 1.5,
    "good": 1, "nice": 1.5, "happy": 1.5, "helpful": 2, "appreciate": 2, "glad": 1.5,
    "pleased": 1.5, "cool": 1, "lovely": 2, "fine": 0.5, "best": 1.5,
    "fast": 1, "quick": 0.5, "easy": 1, "satisfied": 1.5, "resolved": 1,
}
_INTENSIFIERS = {"very", "really", "so", "extremely", "absolutely", "totally", "completely",
                 "utterly", "incredibly", "truly", "beyond", "super", "fucking", "freaking"}
_DOWNTONERS = ("a little", "a bit", "a tad", "slightly", "somewhat", "kind of", "kinda",
               "sort of", "a touch", "mildly")
_NEGATORS = {"not", "no", "never", "don't", "dont", "isn't", "wasn't", "didn't", "doesn't",
             "aren't", "won't", "can't", "cannot", "hardly"}

_ABUSE_RE = re.compile(
    r"\b(?:fuck\w*|f+u+c+k+|shit\w*|bullshit|idiot\w*|moron\w*|dumbass|asshole\w*|bastard\w*|"
    r"bitch\w*|dickhead|jackass|piece of (?:shit|crap|garbage)|screw (?:you|this|off)|"
    r"shut up|go to hell|piss(?:ed)? off|stfu|retard\w*|scumbag\w*|pos)\b", re.I)
_DISSATISFIED_RE = re.compile(
    r"not what i (?:asked|meant|wanted|said)|(?:that|this)(?:'s| is| was) (?:not|n't) (?:helpful|"
    r"what i|right|correct|an answer)|\buseless\b|\bnot helpful\b|\bunhelpful\b|"
    r"(?:does|did|do)(?:n'?t| not) (?:help|answer)|you(?:'re| are) not (?:listening|helping|"
    r"understanding)|you (?:don'?t|do not|didn'?t) (?:understand|get it|listen|read)|"
    r"wrong answer|(?:that|this)(?:'s| is) wrong|i (?:already )?(?:told|said) (?:you|that)|"
    r"answer my question|read my (?:message|question)|same (?:answer|thing) again|"
    r"you keep (?:saying|repeating|telling)|not answering|doesn'?t make sense|"
    r"(?:still )?(?:doesn'?t|didn'?t) (?:answer|solve|fix)|going in circles|"
    r"(?:that|this) (?:doesn'?t|does not) help|pointless|waste of (?:my )?time|"
    r"no,? (?:that'?s|this is) not", re.I)
_CANCEL_RE = re.compile(
    r"\bnever ?mind\b|\bcancel (?:that|this|it|the (?:request|handoff|transfer|ticket|call))\b|"
    r"\bit'?s (?:fine|ok(?:ay)?|all good|sorted|resolved) now\b|\ball (?:good|sorted|fine) now\b|"
    r"\bno longer need\b|\bdon'?t need (?:a |an |the )?(?:human|agent|person|representative|"
    r"help)\s+(?:anymore|any more|now)\b|\bscratch that\b|\bforget (?:it|that|about it)\b|"
    r"\bi (?:figured|worked|sorted) it out\b|\bproblem solved\b|\bno need anymore\b|"
    r"\bnot needed anymore\b|\bdisregard (?:that|my last)", re.I)

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(
        r"\b(?:sue|suing|sued|lawsuit|legal action|legal proceedings|take (?:you|this|it|them) to "
        r"court|see you in court|in court|court case|small claims|class action|attorney general|"
        r"consumer protection|trading standards|report (?:you|this) to (?:the )?(?:ftc|bbb|"
        r"authorities|police|better business bureau))\b", re.I),
    "lawyer": re.compile(r"\b(?:lawyers?|attorneys?|solicitors?|legal (?:counsel|team|advice)|"
                         r"law firm)\b", re.I),
    "chargeback": re.compile(
        r"\b(?:charge ?-?backs?|disput(?:e|ed|ing) (?:the|this|that|my|a|your) (?:charge|payment|"
        r"transaction|purchase)s?|"
        r"(?:file|open|raise) a (?:dispute|claim) with (?:my )?(?:bank|paypal|card|credit card)|"
        r"(?:call|contact|tell|ask) my (?:bank|card (?:company|issuer)|credit card company)|"
        r"revers(?:e|ed|ing) (?:the|my|this|that|your) (?:charge|payment|transaction)|"
        r"(?:bank|card (?:company|issuer)|credit card company)(?:'s| is| are| will| has)? "
        r"(?:\w+ )?(?:reversing|disputing|clawing back|charging back|reverse|dispute)|"
        r"paypal (?:dispute|claim))\b", re.I),
    "safety_issue": re.compile(
        r"\b(?:caught fire|catch(?:es|ing)? fire|on fire|burst into flames|exploded|explodes|"
        r"sparks?|sparked|sparking|overheat(?:s|ed|ing)?|melted|melting|smok(?:ed|ing) "
        r"(?:up|badly)|started smoking|burning smell|electric(?:al)? shock|shocked me|"
        r"choking hazard|toxic|fumes|unsafe|dangerous|safety (?:issue|hazard|problem|concern)|"
        r"fire hazard|recalled|(?:product|safety|a|is|was|been|being|under) recall)\b", re.I),
    "injury": re.compile(
        r"\b(?:injur(?:ed|y|ies|ing)|(?:i|he|she|we|they) (?:hurt|cut|burn(?:ed|t)) (?:my|his|her|"
        r"our|their)(?:self|selves)?\b|hurt (?:myself|himself|herself|themselves)|"
        r"(?:got|was|were|been) (?:hurt|burn(?:ed|t)|cut)|burn(?:ed|t) (?:me|my \w+)|"
        r"cut (?:me|my \w+(?:'s)? (?:face|hand|finger|arm|leg|head))|bleeding|hospital|"
        r"emergency room|stitches|broke my (?:arm|leg|wrist|ankle|foot|hand)|"
        r"allergic reaction|rash|sprained|concussion)\b", re.I),
    "fraud": re.compile(
        r"\b(?:fraud|fraudulent|scam(?:med)?|unauthori[sz]ed (?:charge|purchase|transaction|order|"
        r"payment)s?|(?:didn'?t|did not|never) (?:make|place|order|authori[sz]e) (?:this|that|"
        r"these|those|the|any)|stolen (?:card|credit card|account|identity)|identity theft|"
        r"(?:account|card) (?:was |got )?(?:hacked|stolen|compromised)|hacked|phishing|"
        r"(?:stole|steal|stealing) (?:my|our) (?:card|credit card|identity|account|details|money)|"
        r"order\w*\b[^.?!]{0,40}\b(?:i|we) (?:never|didn'?t|did not) (?:placed?|made|make|ordered)\b|"
        r"without (?:my )?(?:permission|authori[sz]ation|consent)|(?:someone|somebody) "
        r"(?:else )?(?:used|is using|has used|charged|ordered (?:with|on)) my (?:card|account|"
        r"credit card|paypal|details))\b", re.I),
}

# --- intent rules: asks for a person, greetings, broken on arrival or in use --------------------
# Who a shopper may ask for, and the verbs that make it a request rather than a mention
# ("I spoke to an agent yesterday" is a mention; "let me speak to an agent" is a request).
_PERSON = (r"(?:a |an |the |your |some |one of your |real |live |actual |human |)*"
           r"(?:human|person|people|agent|representative|rep|operator|manager|supervisor|"
           r"someone|somebody|staff(?: member)?|team member|employee|customer service|"
           r"(?:support |service |sales |customer )?team|support)s?\b"
           r"(?!\s+else|')")
_HUMAN_RES = tuple(re.compile(pattern, re.I) for pattern in (
    r"\b(?:talk|speak|chat|connect|transfer|put|get|escalate|pass|hand)\b"
        r"(?:\s+\w+){0,4}?\s+(?:to|with|me|through to|over to)\s+" + _PERSON,
    r"\b(?:real|live|actual)\s+(?:human|person|people|agent|representative)\b",
    r"^\W*(?:a\s+)?(?:human|agent|representative|operator|real person)\b"
        r"(?:\s+(?:please|now|pls))?\W*$",
    r"\b(?:want|need|give me|get me|request)\s+(?:a |an |to )?"
        r"(?:real |live |actual )?(?:human|agent|representative|operator|person)\b",
    r"\b(?:have|can|could|would)\s+(?:someone|somebody|a person|an agent)"
        r"(?:\s+from\s+\w+(?:\s+\w+)?)?\s+(?:call|phone|ring|contact|email)\s+me\b",
    r"\bcall me back\b",
    r"\b(?:rather|prefer|want to|like to|need to)\b[^,.;!?]{0,40}?\b(?:with|to)\s+"
        r"(?:a |an )?(?:real |live |actual )?(?:person|human|agent|representative)\b",
    r"\b(?:get|bring|fetch)\s+(?:me\s+)?(?:a |an |the |your )?(?:real |live )?"
        r"(?:human|person|agent|representative|manager|supervisor)\b",
    r"\b(?:human|person|agent|representative|manager)\s+(?:to\s+)?(?:take over|"
        r"step in|jump in|join|pick (?:this|it) up)\b",
    r"\b(?:rather|prefer to)\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+)?"
        r"(?:person|human|people)\b",
))
# A negation or a question about the bot earlier in the same clause cancels a match:
# "I don't need to talk to a human", "are you a real person?".
_HUMAN_NEGATED = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|no need|not|never|without|rather not|won'?t|are you|"
    r"is this|am i (?:talking|chatting|speaking))\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\bbut\b|\bjust\b", re.I)

_ARRIVAL_RE = _one_of(
    r"arriv\w*", r"deliver\w*", r"came", r"turned up", r"received", r"(?:i|we) (?:just )?got",
    r"sent me", r"shipped me", r"in (?:the|my) (?:\w+ )?(?:box|package|parcel)",
    r"out of the (?:box|package|packaging)", r"when i opened", r"unbox\w*", r"brand new")
_IN_USE_RE = _one_of(
    r"after (?:\w+ ){0,2}(?:days?|weeks?|months?|years?|seasons?|trips?|uses?|washe?s?|hikes?|runs?|km|miles)",
    r"(?:used|worn|wearing|using) (?:it|them)", r"normal use", r"since (?:i|we) (?:bought|got)",
    r"stopped (?:working|sealing)", r"wore out", r"worn out",
    r"on (?:my|a|the) (?:\w+ )?(?:trip|hike|walk|run)",
    r"while (?:charging|using|wearing|hiking|camping)", r"used it", r"months? old", r"years? old")
_GREETING_WORDS = {
    "hi", "hello", "hey", "hiya", "howdy", "yo", "morning", "evening", "afternoon", "good",
    "there", "thanks", "thank", "you", "so", "much", "cheers", "bye", "goodbye", "ok", "okay",
    "cool", "great", "perfect", "awesome", "thx", "ty", "all", "that's", "thats", "it", "for",
    "your", "help", "have", "a", "nice", "day", "see", "ya", "anyone", "team", "guys", "folks",
    "lovely", "wonderful", "brilliant", "many", "again", "bonjour", "hola", "hallo", "gracias",
    "merci", "danke",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?:\s+there)?"
    r"(?:\s+(?:team|guys|folks))?\s*[,.!:;-]*\s*)+", re.I)

# --- retrieval and the product directory -----------------------------------------------------------
VARIANT_WORDS = ("in stock", "available", "availability", "come in", "comes in", "colour", "color",
                 "size", "sizes", "colors", "colours", "sold out", "xl", "small", "medium", "large",
                 "left", "options", "variants", "versions")
_QUESTION_FRAME = re.compile(r"\bhow (?:long|much|many|soon|often)\b", re.I)
# What a shopper with this intent is usually looking for in the store's documents: searched with
# the question so "the strap tore on day one" also finds the damaged-item and warranty pages.
INTENT_HINTS = {
    "damaged_or_wrong_item": "damaged, defective or wrong item received",
    "warranty_claim": "how to file a warranty claim for a broken or defective product",
    "return_or_refund": "returns and refunds",
    "exchange": "exchange for another size or colour",
    "shipping": "shipping and delivery",
    "payment": "payment methods",
    "order_status": "order status and tracking",
    "complaint": "customer care and complaints",
}
ASKED_NOUN = re.compile(
    r"(?:do you (?:have|sell|carry|stock|make)|show me|looking for|recommend|suggest|(?:i |we )(?:need|want)|"
    r"searching for|got|is there|are there)\s+(?:(?:any|some|a|an|the|your|good|nice|decent|cheap|other)\s+)*"
    r"(?P<np>[a-z0-9][a-z0-9 '\-]*?)(?=\s+(?:for|under|below|less|that|which|with|to|in|on|at|from|around|"
    r"about|instead|please|or|like|too)\b|\s*[?.!,;]|\s*$)"
    r"|(?:what|which) (?:kinds? of |types? of )?(?P<np2>[a-z0-9][a-z0-9 '\-]*?) do you (?:have|sell|carry|stock)")
USE_PREPOSITION = re.compile(r"\b(?:for|on|in|with|during|while|from|after)\s+(?:\w+\s+){0,2}$")


# how a message of several questions is split (assistant/answers/questions.py)
_QUESTION_WORDS = r"how|what|what's|whats|where|when|which|who|why"
_QUESTION_OPENERS = r"is|are|does|do|did|can|could|will|would|should|has|have|was|were"
_QUESTION_JOINERS = r"and|also|plus"

LEXICON = Lexicon(
    language="en",
    stopwords=STOPWORDS, generic_nouns=GENERIC_NOUNS, category_of=CATEGORY_OF,
    spec_synonyms=SPEC_SYNONYMS, description_hints=DESCRIPTION_HINTS, variant_words=VARIANT_WORDS,
    question_frame=_QUESTION_FRAME, intent_hints=INTENT_HINTS,
    country_aliases=COUNTRY_ALIASES, countries=COUNTRIES, eu_countries=EU_COUNTRIES,
    phrase_hints=PHRASE_HINTS,
    colors=COLORS, color_phrases=COLOR_PHRASES, color_aliases=COLOR_ALIASES,
    size_words=_SIZE_WORDS, size_patterns=_SIZE_RES,
    amount=AMOUNT, budget=BUDGET_RE, budget_filler=_BUDGET_FILLER, money=_MONEY_RE,
    refund_context=_REFUND_CONTEXT, refund_bare=_REFUND_BARE,
    followup_lead=_ELLIPSIS_LEAD, ellipsis=_ELLIPSIS_RE, other_one=_OTHER_ONE_RE, pronouns=_PRONOUN_RES,
    order_words=_ORDER_WORDS,
    human_requests=_HUMAN_RES, human_negated=_HUMAN_NEGATED, clause_break=_CLAUSE_BREAK,
    greeting_words=frozenset(_GREETING_WORDS), leading_greeting=_LEADING_GREETING,
    arrival=_ARRIVAL_RE, in_use=_IN_USE_RE,
    negative_phrases=_NEG_PHRASES, negative_words=_NEG_WORDS, positive_words=_POS_WORDS,
    intensifiers=frozenset(_INTENSIFIERS), downtoners=_DOWNTONERS, negators=frozenset(_NEGATORS),
    abuse=_ABUSE_RE, dissatisfied=_DISSATISFIED_RE, cancel=_CANCEL_RE, sensitive=SENSITIVE_PATTERNS,
    listing=LISTING, store_overview=STORE_OVERVIEW, alternative=ALTERNATIVE, compare=COMPARE,
    sizing=SIZING, policy_words=POLICY_WORDS, others_data=OTHERS_DATA, freebie=FREEBIE,
    price_ask=PRICE_ASK, yes_no=YES_NO, asked_noun=ASKED_NOUN, use_preposition=USE_PREPOSITION,
    similar_ask=SIMILAR_ASK, complement_ask=COMPLEMENT_ASK,
    question_words=_QUESTION_WORDS, question_openers=_QUESTION_OPENERS, question_joiners=_QUESTION_JOINERS,
)
