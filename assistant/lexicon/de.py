"""German shop words: what the rules match a German-speaking shopper's text against.

The same shape as ``en.py``: stopwords, spec synonyms, colours with their endings ("schwarze",
"im schwarzen"), sizes ("Größe M"), budgets ("unter 50 Euro"), follow-ups ("und in Schwarz?"),
asks for a person ("ich möchte mit einem Mitarbeiter sprechen") and their negations ("ich
brauche keinen Menschen"), anger, cancels ("egal", "hat sich erledigt"), sensitive topics. The
store's pages and catalog are English, so the catalog's own things map onto their English names:
colours to the variant names ("schwarz" -> "black"), kinds of product to categories, countries to
the shipping pages' names ("Deutschland" -> "germany"), spec words to the spec keys English uses.
Both "ß" and "ss", "ä" and "ae" are accepted where shoppers type either.
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon
from assistant.lexicon.text import stem


def _one_of(*alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, any of them, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


def _declined(*stems: str) -> list[str]:
    """An adjective with its endings: schwarz, schwarze, schwarzen, schwarzer, schwarzes, schwarzem."""
    return [form for s in stems for form in (s, s + "e", s + "en", s + "er", s + "es", s + "em")]


# Colour words -> the English names the catalog's variants use.
_COLOUR_FORMS: dict[str, list[str]] = {
    "black": _declined("schwarz"), "white": _declined("weiß", "weiss"), "grey": _declined("grau"),
    "red": _declined("rot"), "blue": _declined("blau"), "navy": _declined("dunkelblau", "marineblau") + ["navy"],
    "green": _declined("grün", "gruen"), "yellow": _declined("gelb"), "orange": ["orange", "orangen", "orangefarben"],
    "pink": ["rosa", "pink", "pinke", "pinken"], "purple": ["lila", "violett", "violette", "violetten"],
    "brown": _declined("braun"), "beige": ["beige"], "olive": ["oliv", "olivgrün", "olivgruen"],
    "silver": _declined("silbern") + ["silber"], "gold": _declined("golden") + ["gold"],
    "teal": ["petrol"], "burgundy": ["bordeaux", "weinrot", "weinrote", "weinroten"],
    "charcoal": ["anthrazit"], "cream": ["creme", "cremefarben"], "khaki": ["khaki"],
    "turquoise": ["türkis", "tuerkis"], "ivory": ["elfenbein"], "sand": ["sand", "sandfarben"],
    "light blue": _declined("hellblau"), "dark green": _declined("dunkelgrün", "dunkelgruen"),
}
COLOR_ALIASES = {form: english for english, forms in _COLOUR_FORMS.items() for form in forms}
COLORS = tuple(COLOR_ALIASES)
COLOR_PHRASES = COLORS

STOPWORDS = frozenset("""
ab aber alle allem allen aller alles also am an andere anderen anders auch auf aus bei beim bin
bis bist bitte da damit dann das dass daß dein deine dem den denn der des dich die dies diese
diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einfach er es
etwa etwas euch euer eure für fuer gibt gern gerne geht gut habe haben hat hatte hätte haette
hier ich ihm ihn ihnen ihr ihre im in ist ja je jetzt kann kannst können koennen könnte
koennte machen man mehr mein meine meinem meinen meiner mich mir mit möchte moechte muss müssen
nach nein nicht noch nun nur ob oder ohne schon sehr sein seine sich sie sind so soll sollte
über ueber um und uns unser unsere unter viel vom von vor war waren was weil welche welchen
welcher welches wenn wer werden wie wieder will wir wird wo woher wohin würde wuerde zu zum zur
hallo danke okay ok mal eigentlich bitte ganz halt eben sagen zeigen suche suchen brauche
brauchen finde finden wissen weiß sehen dabei darf dürfen sowas so etwas sind wäre waere habt
seid hast sag sagt sagen kannst könnt wollen möchten möchtest werde sei wurde gibt
""".split())

SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "wie schwer": ("weight",), "schwer": ("weight",), "gewicht": ("weight",), "wiegt": ("weight",),
    "wiegen": ("weight",), "leicht": ("weight",), "leichter": ("weight",), "gramm": ("weight",),
    "kilo": ("weight",), "kg": ("weight",),
    "wie groß": ("dimensions", "packed_size", "capacity"), "wie gross": ("dimensions", "packed_size", "capacity"),
    "maße": ("dimensions",), "masse": ("dimensions",), "abmessungen": ("dimensions",),
    "wie lang": ("length", "dimensions"), "länge": ("length", "dimensions"), "wie hoch": ("height", "dimensions", "peak_height"),
    "höhe": ("height", "dimensions", "peak_height"), "wie breit": ("dimensions",), "breite": ("dimensions",),
    "material": ("materials", "upper"), "stoff": ("materials", "fabric"), "woraus": ("materials",),
    "aus welchem material": ("materials", "upper", "fabric"), "gefertigt aus": ("materials",),
    "hergestellt in": ("origin",), "hergestellt": ("origin",), "herkunft": ("origin",),
    "produziert": ("origin",), "woher kommt": ("origin",), "herkunftsland": ("origin",),
    "waschen": ("care",), "waschmaschine": ("care",), "spülmaschine": ("care",), "spülmaschinenfest": ("care",),
    "reinigen": ("care",), "bügeln": ("care",), "trockner": ("care",), "pflege": ("care",),
    "garantie": ("warranty",), "gewährleistung": ("warranty",),
    "kompatibel": ("compatibility",), "passt zu": ("compatibility",), "funktioniert mit": ("compatibility",),
    "geeignet für": ("compatibility",), "induktion": ("compatibility",), "herd": ("compatibility",),
    "fassungsvermögen": ("capacity", "volume"), "volumen": ("capacity", "volume"), "liter": ("capacity", "volume"),
    "wie viele personen": ("capacity",), "wie viel passt": ("capacity", "volume"),
    "akku": ("battery_life", "battery"), "batterie": ("battery_life", "battery"), "akkulaufzeit": ("battery_life",),
    "laufzeit": ("battery_life", "burn_time"), "hält": ("battery_life", "burn_time", "keeps_cold", "keeps_hot"),
    "laden": ("charging", "recharge_time", "battery"), "ladezeit": ("recharge_time", "charging"),
    "wasserdicht": ("waterproof_rating", "waterproof", "water_resistance"),
    "wasserfest": ("water_resistance", "waterproof_rating", "waterproof"),
    "wasserabweisend": ("water_resistance", "waterproof_rating", "waterproof"),
    "schwimmen": ("water_resistance", "waterproof_rating"),
    "hell": ("brightness",), "helligkeit": ("brightness",), "lumen": ("brightness",),
    "leuchtweite": ("beam_distance",), "wie weit": ("beam_distance",),
    "flugzeug": ("airline_safe",), "flug": ("airline_safe",), "fliegen": ("airline_safe",),
    "handgepäck": ("airline_safe",),
    "warm": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "wärmer": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "kalt": ("temperature_rating", "comfort_rating", "limit_rating", "keeps_cold", "insulation"),
    "kälte": ("temperature_rating", "comfort_rating", "limit_rating", "insulation"),
    "temperatur": ("temperature_rating", "comfort_rating", "temperature_range"),
    "backofen": ("oven_safe",), "ofenfest": ("oven_safe",), "vegan": ("vegan",), "tierversuche": ("vegan",),
    "geräuschunterdrückung": ("noise_cancelling",), "noise cancelling": ("noise_cancelling",),
    "passform": ("fit", "sizing", "torso_fit"), "fällt": ("fit", "sizing"), "größe": ("fit", "sizing"),
    "duft": ("scent", "fragrance"), "riecht": ("scent", "fragrance"), "geruch": ("scent", "fragrance"),
    "lsf": ("spf",), "lichtschutzfaktor": ("spf",), "sonnenschutz": ("spf",),
    "inhaltsstoffe": ("key_ingredients", "active_ingredients"), "hauttyp": ("skin_type",),
    "haltbar": ("shelf_life",), "haltbarkeit": ("shelf_life",), "verfallsdatum": ("shelf_life",),
    "anschlüsse": ("ports",), "bluetooth": ("bluetooth", "connectivity"), "watt": ("output", "power"),
    "leistung": ("power", "output"), "schnellladen": ("fast_charge", "output"), "modellnummer": ("model_number",),
}

DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "hell": ("lumens", "lumen", "brightness", "light"), "lumen": ("lumens", "brightness"),
    "farbe": tuple(dict.fromkeys(COLOR_ALIASES.values())) + ("color", "colour", "colors", "colours"),
    "material": ("made", "materials", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon",
                 "polyester", "cotton", "wool", "carbon", "rubber", "plastic", "wood", "bamboo",
                 "ceramic", "glass", "titanium", "canvas", "mesh", "fabric", "down"),
    "wasserdicht": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "warm": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "schwer": ("lightweight", "weight", "weighs", "heavy", "light"),
    "leicht": ("lightweight", "light", "weight"), "bequem": ("comfort", "comfortable", "padded"),
}

GENERIC_NOUNS = frozenset("""
geschenk geschenke geschenkidee idee ideen etwas sachen sache artikel produkt produkte option
optionen empfehlung empfehlungen vorschlag vorschläge alles angebot angebote sale schnäppchen
rabatt art arten typ typen auswahl sortiment kollektion marke marken modell modelle
""".split())

CATEGORY_OF: dict[str, tuple[str, ...]] = {stem(kind, plural_only=True): categories for kind, categories in {
    "schuh": ("footwear",), "schuhe": ("footwear",), "stiefel": ("footwear",), "sneaker": ("footwear",),
    "turnschuhe": ("footwear",), "sandalen": ("footwear",), "hausschuhe": ("footwear",),
    "wanderschuhe": ("footwear",), "laufschuhe": ("footwear",), "kleidung": ("apparel", "jackets"),
    "jacke": ("jackets",), "regenjacke": ("jackets",), "mantel": ("jackets", "apparel"),
    "hemd": ("apparel",), "shirt": ("apparel",), "pullover": ("apparel",), "hose": ("apparel",),
    "kochgeschirr": ("kitchen",), "küche": ("kitchen",), "pfanne": ("kitchen",), "topf": ("kitchen",),
    "kosmetik": ("beauty",), "hautpflege": ("beauty",), "makeup": ("beauty",), "elektronik": ("electronics",),
    "kopfhörer": ("electronics",), "ladegerät": ("electronics",), "möbel": ("home",), "deko": ("home",),
    "tasche": ("bags",), "rucksack": ("bags",), "koffer": ("bags",), "camping": ("outdoor",),
    "zelt": ("outdoor",), "wandern": ("outdoor", "trekking"),
}.items()}

COUNTRY_ALIASES: dict[str, str] = {
    "großbritannien": "united kingdom", "grossbritannien": "united kingdom", "england": "united kingdom",
    "vereinigtes königreich": "united kingdom", "schottland": "united kingdom", "usa": "united states",
    "vereinigte staaten": "united states", "amerika": "united states", "neuseeland": "new zealand",
    "südkorea": "south korea", "korea": "south korea", "südafrika": "south africa",
    "holland": "netherlands", "niederlande": "netherlands", "deutschland": "germany",
    "frankreich": "france", "spanien": "spain", "italien": "italy", "österreich": "austria",
    "oesterreich": "austria", "belgien": "belgium", "irland": "ireland", "schweden": "sweden",
    "dänemark": "denmark", "finnland": "finland", "griechenland": "greece", "polen": "poland",
    "tschechien": "czechia", "ungarn": "hungary", "rumänien": "romania", "luxemburg": "luxembourg",
    "kroatien": "croatia", "bulgarien": "bulgaria", "slowakei": "slovakia", "slowenien": "slovenia",
    "litauen": "lithuania", "lettland": "latvia", "estland": "estonia", "zypern": "cyprus",
    "portugal": "portugal", "malta": "malta", "kanada": "canada", "mexiko": "mexico",
    "australien": "australia", "japan": "japan", "china": "china", "indien": "india",
    "brasilien": "brazil", "schweiz": "switzerland", "norwegen": "norway", "island": "iceland",
    "türkei": "turkey", "russland": "russia", "ukraine": "ukraine", "ägypten": "egypt",
    "singapur": "singapore", "thailand": "thailand", "argentinien": "argentina", "chile": "chile",
    "kolumbien": "colombia", "peru": "peru", "israel": "israel", "hongkong": "hong kong",
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

PHRASE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_one_of(r"geld zurück", r"geld zurueck", r"erstatt\w*", r"rückerstatt\w*", r"rueckerstatt\w*"), "refund"),
    (_one_of(r"zurückschicken", r"zurueckschicken", r"zurücksenden", r"zurückgeben", r"rücksendung\w*",
             r"retour\w*", r"widerruf\w*", r"umtausch\w*"), "return"),
    (_one_of(r"umtauschen", r"tauschen", r"umtausch"), "exchange"),
    (_one_of(r"versand\w*", r"versend\w*", r"liefer\w*", r"verschick\w*"), "shipping"),
    (_one_of(r"bitcoin", r"btc", r"krypto\w*"), "cryptocurrency"),
    (_one_of(r"öffnungszeiten", r"wann (?:habt ihr|haben sie) (?:auf|geöffnet|offen)"), "hours"),
    (_one_of(r"telefon\w*", r"anrufen"), "contact phone"),
    (_one_of(r"bezahl\w*", r"zahl(?:en|ung|ungsart|ungsmethode)\w*", r"rechnung", r"überweisung", r"paypal"), "payment"),
)

# --- budgets and money: "unter 50 Euro", "bis 100 €", "maximal 80 Euro" -------------------------
AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_NOT_MONEY = (r"(?!\s?(?:%|kg|g|gramm|kilo|l|ml|liter|grad|°|tage?n?|wochen?|monate?n?|jahre?n?|"
              r"stunden?|minuten?|km|m|cm|mm|zoll|artikel|bestellungen?|personen?)\b)")
BUDGET_RE = re.compile(
    r"\b(?:unter|unterhalb von|weniger als|nicht mehr als|nicht über|nicht ueber|maximal|max\.?|"
    r"höchstens|hoechstens|bis zu|bis|budget(?: liegt)?(?: bei| von| ist)?(?: etwa| ca\.?| rund)?|"
    r"günstiger als|guenstiger als|billiger als|um die|rund|ca\.?|etwa|so um die)\s*"
    r"[$€£]?\s?" + AMOUNT + r"(?:\s?(?:€|euro|eur|\$|dollar|franken|chf))?" + _NOT_MONEY, re.I)
_BUDGET_FILLER = frozenset("""
mein meine das budget liegt bei ist von etwa ca rund um die so maximal höchstens bis zu ich kann
will möchte ausgeben nicht mehr als unter euro eur dollar franken chf also und aber ok okay gut
sollte sein es darf kosten habe
""".split())
_MONEY_RE = re.compile(r"(?:[$€£]\s?" + AMOUNT + r"|" + AMOUNT +
                       r"\s?(?:euro|eur|dollar|usd|franken|chf)\b|" + AMOUNT + r"\s?[$€£])", re.I)
_REFUND_CONTEXT = _one_of(r"erstatt\w*", r"rückerstatt\w*", r"rueckerstatt\w*", r"geld zurück",
                          r"geld zurueck", r"bezahlt", r"abgebucht", r"belastet", r"gekostet",
                          r"zurückgeschickt", r"entschädig\w*", r"gutschrift", r"rückbuchung")
_REFUND_BARE = re.compile(r"\b(?:erstattung|rückerstattung|gutschrift) (?:von|über)\s+" + AMOUNT + r"\b", re.I)

# --- follow-ups: "und in Schwarz?", "und der andere?", "was ist mit Blau?" ---------------------
_OTHER_ONE_RE = re.compile(r"\b(?:der|die|das|den|dem) (?:andere|anderen|erste|ersten|vorherige|vorherigen)\b",
                           re.I)
_ELLIPSIS_LEAD = (r"(?:und was ist mit|und wie ist es mit|und wie sieht(?:'s| es) mit|was ist mit|"
                  r"wie ist es mit|wie wäre es mit|wie waere es mit|wie wär's mit|dasselbe für|"
                  r"das gleiche für|und|auch|oder|außerdem|ausserdem)\b")
_ELLIPSIS_RE = re.compile(rf"^\s*{_ELLIPSIS_LEAD}|^\s*(?:in|für|fuer|als)\s+\w+\s*\??\s*$", re.I)
_PRONOUN_RES = (
    re.compile(r"\b(?:der|die|das|den|dem) (?:andere|anderen|erste|ersten|vorherige|vorherigen)\b", re.I),
    re.compile(r"\b(?:dieses|diesen|dieser|diese|dasselbe|derselbe|dieselbe) (?:modell|teil|produkt|artikel)\b", re.I),
    re.compile(r"(?<!gibt )(?<!geht )\b(?:es|ihn)\b(?!\s+(?:gibt|geht)\b)", re.I),
    re.compile(r"\b(?P<lead>(?:für|fuer|von|über|ueber|mit|zu) )(?:diese[snm]?|das)\b(?!\s+\w)", re.I),
    re.compile(r"\b(?:diese|dieses|diesen|die da|das da|den da)\b(?=\s*[?.!,]|\s*$)", re.I),
    # "gibt es das auch in Schwarz?", "habt ihr den noch in M?"
    re.compile(r"(?:(?<=gibt es )|(?<=habt ihr )|(?<=haben sie ))(?:das|den|die|ihn)\b"
               r"(?=\s+(?:auch|noch|in|als|mit)\b)", re.I),
)
_ORDER_WORDS = _one_of(r"bestellung\w*", r"paket\w*", r"lieferung\w*", r"sendung\w*", r"sendungsverfolgung",
                       r"tracking", r"versand\w*", r"angekommen")

# --- how shoppers ask -------------------------------------------------------------------------------
LISTING = re.compile(r"\b(?:habt ihr|haben sie|gibt es|verkauft ihr|verkaufen sie|führt ihr|führen sie|"
                     r"zeig mir|zeigen sie mir|ich suche|suche|empfehl\w*|vorschl\w*|ich brauche (?:ein|eine|einen)|"
                     r"(?:der|die|das) beste .* für|optionen für|irgendwas unter)\b", re.I)
STORE_OVERVIEW = re.compile(r"\bwas (?:verkauft ihr|verkaufen sie|habt ihr|haben sie|bietet ihr|bieten sie)"
                            r"(?: (?:so|alles|denn|an))*\s*[?.!]*$|\bwelche (?:arten von )?(?:produkte|artikel|sachen) "
                            r"(?:habt|haben|verkauft|verkaufen|führt|führen)\b", re.I)
ALTERNATIVE = re.compile(r"\b(?:stattdessen|statt|anders|andere\w*|alternativ\w*|sonst|etwas anderes)\b", re.I)
SIMILAR_ASK = re.compile(r"\b(?:ähnlich\w*|aehnlich\w*|so (?:etwas|was) wie|sowas wie|etwas wie (?:das|dies\w*)|"
                         r"vergleichbar\w*|wie (?:dieses?|diesen|das|der|die) hier|der gleichen art|"
                         r"alternativen?)\b", re.I)
COMPLEMENT_ASK = re.compile(r"\b(?:pass(?:t|en) (?:gut )?(?:dazu|zu (?:ihm|ihr|diese\w*|de[mnr]))|"
                            r"dazu passend\w*|passend\w* dazu|kombinier\w*|ergänz\w*|ergaenz\w*|"
                            r"zubehör|zubehoer|dazu kaufen)\b", re.I)
COMPARE = re.compile(r"\b(?:welche\w*|vergleich\w*|versus|vs\.?|unterschied\w*|besser|oder)\b", re.I)
SIZING = re.compile(r"\b(?:welche größe|welche groesse|fällt (?:klein|groß|gross|normal|eng|weit) aus|"
                    r"fallen (?:klein|groß|gross|normal|eng|weit) aus|größentabelle|groessentabelle|"
                    r"größenberatung|passform|zwischen zwei größen|eine größe (?:größer|kleiner)|"
                    r"normal geschnitten|größengerecht)\b", re.I)
POLICY_WORDS = re.compile(r"\b(?:rückgabe\w*|rueckgabe\w*|zurück\w*|erstatt\w*|umtausch\w*|versand\w*|"
                          r"liefer\w*|bestell\w*|bezahl\w*|zahlung\w*|garantie\w*|gewährleistung|reklam\w*|"
                          r"kaputt|beschädigt|gebrochen|gerissen|fehlt|falsch\w*|angekommen|sendungsverfolgung|"
                          r"rabatt\w*|gutschein\w*|geschenkkarte)\b", re.I)
OTHERS_DATA = re.compile(
    r"\b(?:name\w*|adresse|anschrift|telefonnummer|e-?mail|daten|kontaktdaten|informationen)\b[^.?!]{0,60}?"
    r"\b(?:von|des|eines|einer|dem|der) (?:anderen |einem |einer |diesem |dieser )?(?:kunde\w*|kundin\w*|"
    r"person|käufer\w*|nutzer\w*)\b|\b(?:andere\w*) kunde\w*\b[^.?!]{0,30}\b(?:namen?|adressen?|daten|"
    r"bestellungen)\b|\bwer hat (?:das|die|den|es) (?:bestellt|gekauft)\b", re.I)
FREEBIE = re.compile(r"\b(?:gib|geben sie|generier\w*|erstell\w*|schick\w*|send\w*)\b[^.?!]{0,30}"
                     r"\b(?:rabatt\w*|gutschein\w*|code|rabattcode)\b|\b100 ?% rabatt\b|"
                     r"\bumsonst\b.*\b(?:gib|schick)\b|\bgratis\b.*\b(?:gib|schick)\b", re.I)
PRICE_ASK = re.compile(r"\b(?:preis\w*|kostet|kosten|wie viel (?:kostet|kosten)|wie teuer|teuer|günstig|"
                       r"guenstig|billig)\b", re.I)
YES_NO = re.compile(r"^\s*(?:und\s+)?(?:ist|sind|hat|haben|kann|können|koennen|geht|gibt|passt|"
                    r"funktioniert|darf|wird|würde|lässt)\b", re.I)
ASKED_NOUN = re.compile(
    r"(?:habt ihr|haben sie|gibt es|verkauft ihr|verkaufen sie|führt ihr|zeig mir|zeigen sie mir|"
    r"ich suche|suche|empfiehl mir|empfehlen sie|ich brauche|ich möchte|ich moechte)\s+"
    r"(?:(?:auch|noch|irgendwelche|welche|ein|eine|einen|einer|gute|guten|gutes|günstige|andere|"
    r"anderen|den|die|das)\s+)*"
    r"(?P<np>[^\W\d][\w '\-]*?)(?=\s+(?:für|fuer|unter|bis|mit|in|auf|aus|von|um|oder|wie|auch|"
    r"bitte|statt)\b|\s*[?.!,;]|\s*$)"
    r"|welche (?:arten von )?(?P<np2>[^\W\d][\w '\-]*?) (?:habt|haben|verkauft|verkaufen)", re.I)
USE_PREPOSITION = re.compile(r"\b(?:für|fuer|beim|zum|zur|bei|mit|während|nach)\s+(?:\w+\s+){0,2}$")

# --- sentiment ---------------------------------------------------------------------------------
_NEG_PHRASES = {
    "die nase voll": -3, "es reicht": -2.5, "mir reicht": -2.5, "nie wieder": -2.5,
    "nicht zufrieden": -2, "nicht akzeptabel": -3, "geht gar nicht": -2.5, "unter aller sau": -3,
    "keine geduld mehr": -3, "geduld ist am ende": -3, "platzt der kragen": -3,
    "das letzte": -2.5, "verarschen": -3, "verarscht": -3, "zeitverschwendung": -2.5,
    "geht nicht": -1, "funktioniert nicht": -1.5, "niemand meldet": -1.5, "keiner antwortet": -1.5,
    "nicht in ordnung": -2, "schlechter service": -2.5, "so eine frechheit": -3,
}
_NEG_WORDS = {
    "schlimmste": -3, "schlimmsten": -3, "schrecklich": -3, "furchtbar": -3, "grauenhaft": -3,
    "katastrophal": -3, "katastrophe": -3, "unverschämt": -3, "unverschaemt": -3, "inakzeptabel": -3,
    "lächerlich": -3, "laecherlich": -3, "erbärmlich": -3, "peinlich": -2, "wütend": -3, "wuetend": -3,
    "stinksauer": -3, "sauer": -2.5, "verärgert": -2.5, "veraergert": -2.5, "genervt": -2,
    "nervig": -2, "frustriert": -2.5, "frustrierend": -2.5, "enttäuscht": -2, "enttaeuscht": -2,
    "enttäuschend": -2, "schlecht": -1.5, "schlechter": -2, "mies": -2, "miserabel": -3,
    "frechheit": -3, "zumutung": -3, "unfreundlich": -2, "betrug": -3, "abzocke": -3, "lüge": -2.5,
    "gelogen": -2.5, "lügner": -3, "ignoriert": -2, "nutzlos": -3, "sinnlos": -2.5, "müll": -3,
    "schrott": -3, "hasse": -3, "unmöglich": -2, "skandal": -3, "skandalös": -3, "dreist": -2.5,
    "spät": -1, "verspätet": -1, "verspätung": -1, "falsch": -1, "problem": -0.5, "beschädigt": -1,
    "kaputt": -1, "fehlt": -1, "langsam": -1, "leider": -1, "besorgt": -1, "verwirrt": -1,
    "immer": -0.5, "unzufrieden": -2, "ärgerlich": -2, "aergerlich": -2, "chaos": -2.5,
    "inkompetent": -3, "unfähig": -3, "saftladen": -3, "witz": -1.5,
}
_POS_WORDS = {
    "super": 2, "toll": 2, "klasse": 2, "prima": 2, "großartig": 2.5, "grossartig": 2.5,
    "perfekt": 2, "wunderbar": 2.5, "ausgezeichnet": 2.5, "fantastisch": 2.5, "danke": 1.5,
    "gut": 1, "nett": 1.5, "hilfreich": 2, "freundlich": 1.5, "zufrieden": 1.5, "schnell": 1,
    "einfach": 0.5, "genial": 2.5, "spitze": 2, "liebe": 2, "froh": 1.5, "dankbar": 2,
    "gelöst": 1, "geloest": 1, "passt": 0.5, "besten": 1.5, "beste": 1.5,
}
_INTENSIFIERS = {"sehr", "total", "völlig", "voellig", "absolut", "extrem", "echt", "richtig",
                 "wirklich", "so", "voll", "mega", "unglaublich", "äußerst", "aeusserst", "verdammt",
                 "komplett", "dermaßen", "besonders"}
_DOWNTONERS = ("etwas", "ein bisschen", "ein wenig", "leicht", "eher", "ein klein wenig")
_NEGATORS = {"nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals", "nichts",
             "kaum", "nirgends"}

_ABUSE_RE = re.compile(
    r"\b(?:schei(?:ß|ss)\w*|arschl[oö]ch\w*|arsch|idiot\w*|vollidiot\w*|depp\w*|trottel\w*|wichser\w*|"
    r"fick\w*|hurensohn\w*|spast\w*|penner\w*|missgeburt\w*|mistkerl\w*|drecks\w*|"
    r"halt(?:et|en sie)? (?:die|dein|das) (?:klappe|maul|fresse)|leck mich|verpiss dich|fresse|"
    r"vollpfosten\w*|dumm(?:kopf|e sau)|bastard\w*)\b", re.I)
_DISSATISFIED_RE = re.compile(
    r"\bdas (?:habe|hab) ich nicht gefragt\b|\b(?:das ist )?nicht (?:das|was),? was ich (?:wollte|gefragt habe|"
    r"meinte|gesagt habe)\b|\bhilft (?:mir )?(?:nicht|nichts|kein bisschen)\b|\bbringt (?:mir )?nichts\b|"
    r"\b(?:du verstehst|sie verstehen) (?:mich )?nicht\b|\bfalsche antwort\b|\bdas stimmt (?:doch )?nicht\b|"
    r"\bdas ist falsch\b|\b(?:habe|hab) ich (?:doch )?(?:schon|bereits) gesagt\b|"
    r"\bbeantworte(?:n sie)? (?:doch )?(?:meine|die) frage\b|\blies (?:doch )?meine nachricht\b|"
    r"\bimmer (?:dieselbe|die gleiche|das gleiche|dasselbe)\b|\bergibt keinen sinn\b|\bim kreis\b|"
    r"\bnutzlos\b|\bsinnlos\b|\bzeitverschwendung\b|\bkeine antwort auf meine frage\b|"
    r"\bdu hörst (?:mir )?nicht zu\b|\bnein,? das (?:ist|war) (?:es )?nicht\b", re.I)
_CANCEL_RE = re.compile(
    r"\begal\b(?!\s+(?:welch\w*|wie|was|ob|wann|wo|wer|in|mit|für|fuer)\b)|\bvergiss es\b|"
    r"\bvergessen sie es\b|\bschon gut\b|\bhat sich erledigt\b|\bist erledigt\b|\bhat sich (?:schon )?"
    r"geklärt\b|\bnicht mehr nötig\b|\bnicht mehr noetig\b|\bbrauche (?:ich )?(?:keinen|keine|kein|es) "
    r"(?:mehr|nicht mehr)\b|\babbrechen\b|\blass(?:en sie)? (?:es|das|mal)\b|\bpasst schon\b|"
    r"\b(?:ist|hat sich) (?:jetzt )?gelöst\b|\bhabe es (?:selbst )?(?:gefunden|gelöst|hinbekommen)\b|"
    r"\bstorniere (?:die|meine) anfrage\b", re.I)

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(
        r"\b(?:verklag\w*|klage\w*|anzeige (?:erstatten|gegen|bei)|zeige (?:sie|euch|dich) an|"
        r"rechtliche schritte|rechtlich vorgehen|"
        r"vor gericht|gerichtlich\w*|mahnverfahren|verbraucherzentrale|verbraucherschutz\w*|"
        r"polizei (?:einschalten|verständigen)|bei der polizei melden)\b", re.I),
    "lawyer": _one_of(r"anw[aä]lt\w*", r"rechtsanw[aä]lt\w*", r"kanzlei", r"rechtsberatung",
                      r"rechtsschutz\w*", r"juristisch\w*"),
    "chargeback": re.compile(
        r"\b(?:rückbuchung\w*|rueckbuchung\w*|zurückbuch\w*|zurueckbuch\w*|chargeback\w*|"
        r"lastschrift (?:zurück\w*|widerruf\w*|zurückgeben)|(?:der )?zahlung widersprech\w*|"
        r"(?:bank|kreditkartenfirma|kartenanbieter) (?:kontaktieren|einschalten|anrufen|informieren)|"
        r"meine bank (?:holt|bucht|storniert|wird)|käuferschutz|paypal[- ]?(?:konflikt|fall|beschwerde))\b", re.I),
    "safety_issue": re.compile(
        r"\b(?:feuer gefangen|in flammen|in brand|brandgefahr|brandgeruch|brennt|explodiert\w*|funken|funkt|überhitz\w*|"
        r"ueberhitz\w*|geschmolzen|schmilzt|rauch(?:t|en|te)?|qualm\w*|verbrannt riecht|brandgeruch|stromschlag\w*|"
        r"elektrischen schlag|erstickungsgefahr|giftig\w*|dämpfe|gefährlich\w*|gefaehrlich\w*|"
        r"sicherheitsrisiko|rückrufaktion|zurückgerufen)\b", re.I),
    "injury": re.compile(
        r"\b(?:verletz\w*|geschnitten|verbrannt|verbrüht|blut|blutet|blutung|krankenhaus|notaufnahme|notarzt|"
        r"genäht|gebrochen(?:es|en)? (?:bein|arm|handgelenk|knöchel|fuß)|allergische reaktion|"
        r"ausschlag|verstaucht|gehirnerschütterung|wehgetan|weh getan)\b", re.I),
    "fraud": re.compile(
        r"\b(?:betrug\w*|betrüger\w*|betrogen|betrügerisch\w*|nicht autorisiert\w*|unautorisiert\w*|"
        r"nicht von mir|(?:habe|hab) (?:ich )?(?:nie|nicht) bestellt|nicht bestellt|gestohlen\w*|"
        r"identitätsdiebstahl|gehackt|phishing|ohne (?:meine|mein) (?:zustimmung|erlaubnis|einverständnis)|"
        r"(?:jemand|irgendwer) hat meine (?:karte|kreditkarte|daten|konto) (?:benutzt|verwendet|missbraucht))\b",
        re.I),
}

# --- asks for a person ------------------------------------------------------------------------
_PERSON = (r"(?:(?:einem|einer|einen|eine|ein|dem|der|den|die|echten?|echter|richtigen?|richtiger|"
           r"lebendigen?|menschlichen?|menschlicher|zuständigen?|zuständiger|ihrer|ihrem|ihren|eurem|"
           r"eurer|euren)\s+)*"
           r"(?:mensch|menschen|person|mitarbeiter\w*|kundenservice|kundendienst|kundenberater\w*|"
           r"berater\w*|ansprechpartner\w*|sachbearbeiter\w*|vorgesetzt\w*|chef\w*|manager\w*|"
           r"support|service[- ]?team|team|jemand\w*|operator\w*|agent\w*|verantwortlich\w*|"
           r"menschliche[nr]? ansprechpartner\w*)\b")
_HUMAN_RES = tuple(re.compile(pattern, re.I) for pattern in (
    r"\bmit\s+" + _PERSON + r"(?:\s+\w+){0,4}?\s+(?:sprechen|reden|chatten|schreiben|telefonieren)\b",
    r"\b(?:sprechen|reden|chatten|telefonieren)\s+(?:\w+\s+){0,2}mit\s+" + _PERSON,
    r"\b(?:verbind\w*|weiterleit\w*|leite\w*|durchstell\w*|stell\w*)\b(?:\s+\w+){0,3}?\s+"
        r"(?:mit|an|zu)\s+" + _PERSON,
    r"\b(?:einen|eine|den|die)\s+(?:echten\s+|richtigen\s+|menschlichen\s+)?"
        r"(?:menschen|mitarbeiter\w*|berater\w*|ansprechpartner\w*|vorgesetzten|chef|manager)\s+"
        r"(?:sprechen|haben|bitte|holen)\b",
    r"\b(?:echter|echten|richtiger|richtigen|lebendiger|realer)\s+(?:mensch|menschen|person|mitarbeiter)\b",
    r"\b(?:menschliche[nr]?|persönliche[nr]?|persoenliche[nr]?)\s+(?:ansprechpartner\w*|kontakt|berater\w*|"
        r"mitarbeiter\w*|beratung|support)\b",
    r"^\W*(?:ein(?:en)?\s+)?(?:mensch|menschen|mitarbeiter(?:in)?|berater(?:in)?|kundenservice|"
        r"kundendienst)(?:\s*,?\s*(?:bitte|sofort|jetzt))?\W*$",
    r"\b(?:will|möchte|moechte|brauche|verlange|hätte gern|haette gern|hätte gerne|wünsche)\s+"
        r"(?:sofort\s+|bitte\s+|jetzt\s+|lieber\s+)*(?:einen|eine|ein|den|die)\s+"
        r"(?:echten\s+|richtigen\s+|menschlichen\s+)?(?:menschen|mitarbeiter\w*|berater\w*|"
        r"ansprechpartner\w*|vorgesetzten|chef|manager|person)\b",
    r"\b(?:rufen sie mich|ruft mich|ruf mich)\b(?:\s+\w+){0,2}\s+an\b|\brückruf\b|\brueckruf\b|"
        r"\b(?:kann|könnte|koennte) mich (?:jemand|ein mitarbeiter) (?:anrufen|zurückrufen|kontaktieren)\b",
    r"\b(?:mensch|mitarbeiter|berater|jemand)\s+(?:soll|sollte|muss)\s+(?:sich )?(?:das )?"
        r"(?:ansehen|anschauen|übernehmen|uebernehmen|kümmern|melden)\b",
))
# Negations, questions about the bot and past mentions ("gestern mit einem Mitarbeiter gesprochen") cancel a
# match in their clause; the learned readings are cancelled by them anywhere.
_HUMAN_NEGATED = re.compile(
    r"\b(?:nicht|kein|keine|keinen|keiner|nie|niemals|ohne|bist du|sind sie|ist das|bin ich|"
    r"spreche ich|rede ich|chatte ich|gesprochen|geredet|telefoniert|gechattet)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\baber\b|\bsondern\b|\bnur\b|\bdoch\b", re.I)

_ARRIVAL_RE = _one_of(
    r"angekommen", r"ankam", r"geliefert", r"erhalten", r"bekommen", r"zugestellt", r"kam", r"kamen",
    r"im paket", r"in der verpackung", r"im karton", r"beim auspacken", r"beim öffnen", r"ausgepackt",
    r"nagelneu", r"brandneu", r"originalverpackt")
_IN_USE_RE = _one_of(
    r"nach (?:\w+ ){0,2}(?:tagen|wochen|monaten|jahren|benutzungen|wäschen|waeschen|touren|wanderungen)",
    r"(?:benutzt|getragen|verwendet)", r"normale[rn]? (?:gebrauch|nutzung|benutzung)",
    r"seit (?:ich|wir) (?:es|ihn|sie) (?:habe|haben|gekauft)", r"funktioniert nicht mehr",
    r"geht nicht mehr", r"abgenutzt", r"verschlissen", r"auf (?:meiner|einer|der) (?:\w+ )?(?:tour|wanderung|reise)",
    r"beim (?:laden|benutzen|tragen|wandern|zelten)", r"monate alt", r"jahre alt")
_GREETING_WORDS = {
    "hallo", "hi", "hey", "servus", "moin", "grüß", "gruess", "grüss", "gott", "guten", "tag",
    "morgen", "abend", "danke", "vielen", "dank", "schön", "schoen", "herzlichen", "tschüss",
    "tschuess", "tschüs", "auf", "wiedersehen", "bis", "bald", "später", "ok", "okay", "super",
    "toll", "perfekt", "prima", "alles", "klar", "gut", "für", "fuer", "die", "ihre", "deine", "eure",
    "hilfe", "schönen", "schoenen", "noch", "einen", "ist", "da", "jemand", "team", "leute", "zusammen",
    "wie", "geht", "es", "ihnen", "dir", "sehr", "nett", "liebe", "lieben", "grüße", "gruesse",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:hallo|hi|hey|servus|moin|guten (?:tag|morgen|abend)|grüß gott|gruess gott)"
    r"(?:\s+(?:zusammen|team|leute))?\s*[,.!:;-]*\s*)+", re.I)

VARIANT_WORDS = ("auf lager", "vorrätig", "vorraetig", "verfügbar", "verfuegbar", "verfügbarkeit",
                 "lieferbar", "ausverkauft", "gibt es in", "farbe", "farben", "größe", "größen",
                 "groesse", "klein", "mittel", "groß", "optionen", "varianten", "versionen", "modelle")
_QUESTION_FRAME = re.compile(r"\bwie (?:lange|viel|viele|schnell|oft|bald)\b", re.I)
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

_SIZE_WORDS = {"extra klein": "XS", "sehr klein": "XS", "klein": "S", "mittel": "M", "groß": "L",
               "gross": "L", "extra groß": "XL", "extra gross": "XL", "sehr groß": "XL"}
_SIZE_RES = (
    re.compile(r"\b(?:größe|groesse|grösse|gr\.)\s*(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|\d{1,2}(?:[.,]5)?)\b", re.I),
    re.compile(r"\b(xxs|xs|xl|xxl|xxxl|2xl|3xl)\b", re.I),
    re.compile(r"\b(?:in |eine?n? )(S|M|L)\b"),
    re.compile(r"\b(?:in|größe|groesse)\s+(extra (?:klein|groß|gross)|klein|mittel|groß|gross)\b"
               r"(?!\s+(?:karton|paket|bestellung|menge|zelt|rucksack))", re.I),
    re.compile(r"\bin (?:einer |größe )?(\d{1,2}(?:[.,]5)?)(?=\s*(?:[?.!,]|$|\b(?:bitte|auch|dann|stattdessen)\b))",
               re.I),
)


# a short yes / no reply (the order desk's confirmation): its first word says which
AGREE = re.compile(r"^\s*(?:ja|jawohl|genau|klar|gerne|ok(?:ay)?|einverstanden|richtig|mach(?:en sie)? das|bitte ja|best[äa]tigt?)\b", re.I)
REFUSE = re.compile(r"^\s*(?:nein|nee|ne|lieber nicht|doch nicht|stopp|warte|bitte nicht)\b", re.I)

# how a message of several questions is split (assistant/answers/questions.py): "…? und wie schwer sind die"
_QUESTION_WORDS = (r"wie|was|wo|wann|warum|wieso|weshalb|welche[rsnm]?|wer|wieviel|wieviele|woraus|"
                   r"wof(?:ü|ue)r|womit|wohin|woher")
_QUESTION_OPENERS = (r"gibt|ist|sind|hat|haben|habt|kann|kannst|k(?:ö|oe)nnen|k(?:ö|oe)nnt|passt|passen|"
                     r"h(?:ä|ae)lt|geht|muss|darf|wird|werden|liefert|liefern|verschickt|bietet")
_QUESTION_JOINERS = r"und|oder|au(?:ß|ss)erdem|dazu"

LEXICON = Lexicon(
    language="de",
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
    price_ask=PRICE_ASK, yes_no=YES_NO, asked_noun=ASKED_NOUN, use_preposition=USE_PREPOSITION, agree=AGREE, refuse=REFUSE,
    followup_about="{rest} ({target})", followup_aside="{text} ({target})",
    followup_values="{question} ({values})",
    similar_ask=SIMILAR_ASK, complement_ask=COMPLEMENT_ASK,
    question_words=_QUESTION_WORDS, question_openers=_QUESTION_OPENERS, question_joiners=_QUESTION_JOINERS,
)
