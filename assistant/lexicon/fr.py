"""French shop words: what the rules match a French-speaking shopper's text against.

The same shape as ``en.py``: stopwords, spec synonyms, colours in their genders and numbers,
sizes ("taille M"), budgets ("moins de 80 €"), follow-ups ("et en noir ?"), asks for a person
("je veux parler à un conseiller") and their negations ("je n'ai pas besoin d'un humain"), anger,
cancels ("laissez tomber"), sensitive topics. The store's pages and catalog are English, so the
catalog's own things map onto their English names: colours to the variant names ("noir" ->
"black"), kinds of product to categories, countries to the shipping pages' names ("Allemagne"
-> "germany"), spec words to the spec keys English uses. Elisions ("l'autre", "j'veux") and
missing accents are accepted, as shoppers type both.
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon
from assistant.lexicon.text import stem


def _one_of(*alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, any of them, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


_COLOUR_FORMS = {
    "black": "noir noire noirs noires", "white": "blanc blanche blancs blanches", "grey": "gris grise grises",
    "red": "rouge rouges", "blue": "bleu bleue bleus bleues", "navy": "bleu marine|marine",
    "green": "vert verte verts vertes", "yellow": "jaune jaunes", "orange": "orange oranges",
    "pink": "rose roses", "purple": "violet violette violets violettes mauve", "brown": "marron brun brune bruns",
    "beige": "beige beiges", "olive": "kaki olive|vert olive", "silver": "argent argenté argentée",
    "gold": "doré dorée dorés or", "burgundy": "bordeaux", "charcoal": "anthracite",
    "cream": "crème creme écru", "turquoise": "turquoise", "ivory": "ivoire", "sand": "sable",
    "light blue": "bleu clair|bleu ciel", "dark green": "vert foncé|vert fonce",
}
COLOR_ALIASES: dict[str, str] = {}
for _english, _forms in _COLOUR_FORMS.items():
    for _group in _forms.split("|"):
        # "bleu marine" is one colour of two words; other groups are single-word forms
        names = [_group] if _group.count(" ") == 1 and _group.split()[0] in ("bleu", "vert") else _group.split()
        COLOR_ALIASES.update({name: _english for name in names})
COLOR_ALIASES.pop("or", None)   # "or" is mostly the conjunction ("or, ...")
COLORS = tuple(name for name in COLOR_ALIASES if " " not in name)
COLOR_PHRASES = tuple(COLOR_ALIASES)

STOPWORDS = frozenset("""
à a au aux avec avez avoir ai as avons ce ceci cela ça ca ces cet cette celui celle ceux celles
chez comme comment combien d de des du dans donc dont elle elles en encore est et été etre être
eu fait faire il ils je j jusqu l la le les leur leurs lui m ma mais me même meme mes moi mon
n ne ni nos notre nous on ont ou où par pas peu peut peux plus pour pourquoi qu quand que quel
quelle quelles quels qui quoi s sa sans se ses si son sont sur t ta te tes toi ton tous tout
toute toutes très tres tu un une unes uns vos votre vous vers voici voilà y c est-ce qu'est
bonjour salut merci svp stp plait plaît ok oui non alors bien juste aussi déjà deja encore
cherche veux voudrais voudrait aimerais besoin dire savoir voir montrer montrez donner donnez
chose choses quelque quelqu vraiment maintenant aujourd hui là la-bas ici faut fais êtes
etes suis vais va allez sommes moins peuvent pouvez puis-je
""".split())

SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "pèse": ("weight",), "pese": ("weight",), "poids": ("weight",), "lourd": ("weight",), "lourde": ("weight",),
    "léger": ("weight",), "leger": ("weight",), "légère": ("weight",), "grammes": ("weight",), "kg": ("weight",),
    "quelle taille": ("dimensions", "packed_size", "capacity"), "grand comment": ("dimensions",),
    "dimensions": ("dimensions",), "mesure": ("dimensions", "length", "height"), "longueur": ("length", "dimensions"),
    "hauteur": ("height", "dimensions", "peak_height"), "largeur": ("dimensions",), "encombrement": ("packed_size",),
    "en quoi": ("materials", "upper", "fabric"), "matière": ("materials", "upper"), "matiere": ("materials", "upper"),
    "matériau": ("materials",), "materiau": ("materials",), "tissu": ("materials", "fabric"),
    "fabriqué en": ("origin",), "fabrique en": ("origin",), "fabriqué": ("origin",), "origine": ("origin",),
    "provenance": ("origin",), "pays": ("origin",), "produit en": ("origin",),
    "laver": ("care",), "lavage": ("care",), "machine à laver": ("care",), "lave-vaisselle": ("care",),
    "nettoyer": ("care",), "repasser": ("care",), "sèche-linge": ("care",), "entretien": ("care",),
    "garantie": ("warranty",), "garanti": ("warranty",),
    "compatible": ("compatibility",), "compatibilité": ("compatibility",), "fonctionne avec": ("compatibility",),
    "marche avec": ("compatibility",), "induction": ("compatibility",), "plaque": ("compatibility",),
    "capacité": ("capacity", "volume"), "capacite": ("capacity", "volume"), "litres": ("capacity", "volume"),
    "contenance": ("capacity", "volume"), "combien de personnes": ("capacity",), "places": ("capacity",),
    "batterie": ("battery_life", "battery"), "autonomie": ("battery_life",), "pile": ("battery",),
    "tient": ("battery_life", "burn_time", "keeps_cold", "keeps_hot"), "dure": ("battery_life", "burn_time"),
    "charger": ("charging", "recharge_time", "battery"), "recharge": ("charging", "recharge_time", "battery"),
    "imperméable": ("waterproof_rating", "waterproof", "water_resistance"),
    "impermeable": ("waterproof_rating", "waterproof", "water_resistance"),
    "étanche": ("waterproof_rating", "waterproof", "water_resistance"),
    "etanche": ("waterproof_rating", "waterproof", "water_resistance"),
    "résistant à l'eau": ("water_resistance", "waterproof_rating", "waterproof"),
    "nager": ("water_resistance", "waterproof_rating"),
    "lumineux": ("brightness",), "luminosité": ("brightness",), "lumens": ("brightness",),
    "portée": ("beam_distance",), "éclaire": ("brightness", "beam_distance"),
    "avion": ("airline_safe",), "vol": ("airline_safe",), "bagage cabine": ("airline_safe",),
    "bagage à main": ("airline_safe",),
    "chaud": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "chaude": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "froid": ("temperature_rating", "comfort_rating", "limit_rating", "keeps_cold", "insulation"),
    "température": ("temperature_rating", "comfort_rating", "temperature_range"),
    "four": ("oven_safe",), "végan": ("vegan",), "vegan": ("vegan",), "végane": ("vegan",),
    "bruit": ("noise_cancelling",), "réduction de bruit": ("noise_cancelling",),
    "taille": ("fit", "sizing"), "coupe": ("fit", "sizing", "torso_fit"), "taille petit": ("fit", "sizing"),
    "parfum": ("scent", "fragrance"), "odeur": ("scent", "fragrance"), "sent": ("scent", "fragrance"),
    "spf": ("spf",), "indice": ("spf",), "protection solaire": ("spf",),
    "ingrédients": ("key_ingredients", "active_ingredients"), "ingredients": ("key_ingredients", "active_ingredients"),
    "type de peau": ("skin_type",), "péremption": ("shelf_life",), "date limite": ("shelf_life",),
    "ports": ("ports",), "bluetooth": ("bluetooth", "connectivity"), "watts": ("output", "power"),
    "puissance": ("power", "output"), "puissant": ("power", "output"), "charge rapide": ("fast_charge", "output"),
    "référence": ("model_number",), "numéro de modèle": ("model_number",),
}

DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "lumineux": ("lumens", "lumen", "brightness", "light"), "lumens": ("lumens", "brightness"),
    "couleur": tuple(dict.fromkeys(COLOR_ALIASES.values())) + ("color", "colour", "colors", "colours"),
    "en quoi": ("made", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon", "polyester",
                "cotton", "wool", "carbon", "rubber", "plastic", "wood", "bamboo", "ceramic", "glass",
                "titanium", "canvas", "mesh", "fabric", "materials", "down"),
    "matière": ("made", "materials", "aluminum", "steel", "leather", "nylon", "polyester", "cotton"),
    "imperméable": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "chaud": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "lourd": ("lightweight", "weight", "weighs", "heavy", "light"),
    "léger": ("lightweight", "light", "weight"), "confortable": ("comfort", "comfortable", "padded"),
}

GENERIC_NOUNS = frozenset("""
cadeau cadeaux idée idées idee idees quelque chose truc trucs article articles produit produits
option options recommandation recommandations suggestion suggestions tout offre offres promo promos
soldes bonne affaire genre type types gamme sélection selection collection marque marques modèle modèles
""".split())

CATEGORY_OF: dict[str, tuple[str, ...]] = {stem(kind, plural_only=True): categories for kind, categories in {
    "chaussure": ("footwear",), "chaussures": ("footwear",), "botte": ("footwear",), "bottes": ("footwear",),
    "basket": ("footwear",), "baskets": ("footwear",), "sandale": ("footwear",), "tong": ("footwear",),
    "chausson": ("footwear",), "vêtement": ("apparel", "jackets"), "vêtements": ("apparel", "jackets"),
    "veste": ("jackets",), "blouson": ("jackets",), "manteau": ("jackets", "apparel"), "doudoune": ("jackets",),
    "chemise": ("apparel",), "t-shirt": ("apparel",), "pull": ("apparel",), "pantalon": ("apparel",),
    "ustensile": ("kitchen",), "casserole": ("kitchen",), "poêle": ("kitchen",), "cuisine": ("kitchen",),
    "cosmétique": ("beauty",), "maquillage": ("beauty",), "soin": ("beauty",), "électronique": ("electronics",),
    "casque": ("electronics",), "écouteurs": ("electronics",), "chargeur": ("electronics",),
    "meuble": ("home",), "déco": ("home",), "décoration": ("home",), "sac": ("bags",), "sacoche": ("bags",),
    "valise": ("bags",), "camping": ("outdoor",), "tente": ("outdoor",), "randonnée": ("outdoor", "trekking"),
}.items()}

COUNTRY_ALIASES: dict[str, str] = {
    "royaume-uni": "united kingdom", "royaume uni": "united kingdom", "angleterre": "united kingdom",
    "grande-bretagne": "united kingdom", "écosse": "united kingdom", "états-unis": "united states",
    "etats-unis": "united states", "etats unis": "united states", "amérique": "united states",
    "nouvelle-zélande": "new zealand", "corée du sud": "south korea", "corée": "south korea",
    "afrique du sud": "south africa", "hollande": "netherlands", "pays-bas": "netherlands",
    "allemagne": "germany", "france": "france", "espagne": "spain", "italie": "italy",
    "autriche": "austria", "belgique": "belgium", "irlande": "ireland", "suède": "sweden",
    "suede": "sweden", "danemark": "denmark", "finlande": "finland", "grèce": "greece",
    "pologne": "poland", "tchéquie": "czechia", "république tchèque": "czechia", "hongrie": "hungary",
    "roumanie": "romania", "luxembourg": "luxembourg", "croatie": "croatia", "bulgarie": "bulgaria",
    "slovaquie": "slovakia", "slovénie": "slovenia", "lituanie": "lithuania", "lettonie": "latvia",
    "estonie": "estonia", "chypre": "cyprus", "portugal": "portugal", "malte": "malta",
    "canada": "canada", "mexique": "mexico", "australie": "australia", "japon": "japan",
    "chine": "china", "inde": "india", "brésil": "brazil", "bresil": "brazil", "suisse": "switzerland",
    "norvège": "norway", "islande": "iceland", "turquie": "turkey", "russie": "russia",
    "ukraine": "ukraine", "égypte": "egypt", "singapour": "singapore", "thaïlande": "thailand",
    "argentine": "argentina", "chili": "chile", "colombie": "colombia", "pérou": "peru",
    "israël": "israel", "maroc": "morocco", "algérie": "algeria", "tunisie": "tunisia",
    "hong kong": "hong kong",
}
COUNTRIES = frozenset("""
canada mexico australia japan china india brazil argentina chile norway switzerland iceland
singapore israel turkey russia ukraine egypt nigeria kenya philippines indonesia malaysia thailand
vietnam colombia peru morocco algeria tunisia
""".split()) | {"new zealand", "south korea", "south africa", "united kingdom", "hong kong"}
EU_COUNTRIES = frozenset("""
austria belgium bulgaria croatia cyprus czechia czech denmark estonia finland france germany greece
hungary ireland italy latvia lithuania luxembourg malta netherlands poland portugal romania
slovakia slovenia spain sweden
""".split())

PHRASE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_one_of(r"rembours\w*", r"récupérer (?:mon|mes) argent", r"recuperer (?:mon|mes) argent", r"mon argent"), "refund"),
    (_one_of(r"retourn\w*", r"renvoy\w*", r"renvoi", r"rétractation"), "return"),
    (_one_of(r"échang\w*", r"echang\w*"), "exchange"),
    (_one_of(r"livr\w*", r"expédi\w*", r"expedi\w*", r"envoi\w*", r"envoy\w*", r"frais de port"), "shipping"),
    (_one_of(r"bitcoin", r"btc", r"crypto\w*"), "cryptocurrency"),
    (_one_of(r"horaires?", r"heures d'ouverture", r"quand (?:êtes|etes)-vous ouverts"), "hours"),
    (_one_of(r"téléphone", r"telephone", r"appeler", r"vous joindre"), "contact phone"),
    (_one_of(r"paiement", r"payer", r"carte bancaire", r"cb"), "payment"),
)

# --- budgets and money: "moins de 80 €", "pas plus de 100 euros", "jusqu'à 50 €" -------------------
AMOUNT = r"(\d{1,3}(?:[.,\s]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_NOT_MONEY = (r"(?!\s?(?:%|kg|g|grammes|kilos|l|ml|litres|degrés|°|jours?|semaines?|mois|ans?|"
              r"années?|heures?|minutes?|km|m|cm|mm|pouces?|articles?|commandes?|personnes?)\b)")
BUDGET_RE = re.compile(
    r"(?:\b(?:moins de|en dessous de|en-dessous de|sous les|pas plus de|au maximum|maximum|max\.?|"
    r"au plus|tout au plus|jusqu'à|jusqu'a|jusqu’à|budget(?: est)?(?: de| d'environ)?|ne dépassant pas|"
    r"inférieur à|inferieur a|moins cher que|autour de|environ|dans les)\s*[$€£]?\s?" + AMOUNT +
    r"(?:\s?(?:€|euros?|\$|dollars?|francs?|chf))?" + _NOT_MONEY + ")", re.I)
_BUDGET_FILLER = frozenset("""
mon ma le la budget est de d environ autour dans les maximum max je peux veux voudrais dépenser
depenser pas plus moins jusqu euros euro dollars francs quelque chose et mais alors ok bien ça ca
doit devrait être etre serait ne dépassant j ai à a
""".split())
_MONEY_RE = re.compile(r"(?:[$€£]\s?" + AMOUNT + r"|" + AMOUNT +
                       r"\s?(?:euros?|dollars?|francs?|usd|eur|chf)\b|" + AMOUNT + r"\s?[$€£])", re.I)
_REFUND_CONTEXT = _one_of(r"rembours\w*", r"payé", r"paye", r"payée", r"débité", r"debite", r"prélevé",
                          r"preleve", r"facturé", r"coûté", r"coute", r"retourn\w*", r"avoir",
                          r"dédommag\w*", r"indemnis\w*", r"mon argent")
_REFUND_BARE = re.compile(r"\bremboursement (?:de|d'un montant de)\s+" + AMOUNT + r"\b", re.I)

# --- follow-ups: "et en noir ?", "et l'autre ?", "et pour le bleu ?" ---------------------------------
_OTHER_ONE_RE = re.compile(r"\bl['’]autre\b|\b(?:les|des) autres\b(?=\s*[?.!,]|\s*$)|\ble premier\b|"
                           r"\bla première\b|\bla premiere\b|\ble précédent\b|\bla précédente\b", re.I)
_ELLIPSIS_LEAD = (r"(?:et qu['’]en est-il de|et pour|et en ce qui concerne|et quant à|et avec|"
                  r"et si|pareil pour|même chose pour|et|aussi|ou|ou bien|sinon)\b")
_ELLIPSIS_RE = re.compile(rf"^\s*{_ELLIPSIS_LEAD}|^\s*(?:en|pour)\s+\w+\s*\??\s*$", re.I)
_PRONOUN_RES = (
    re.compile(r"\bl['’]autre\b|\b(?:le|la) (?:premier|première|premiere|précédent|précédente)\b", re.I),
    re.compile(r"\b(?:ce|cet|cette|le même|la même) (?:modèle|modele|article|produit)\b", re.I),
    re.compile(r"\b(?:il|elle)\b(?=\s+(?:est|existe|fait|pèse|pese|coûte|coute|tient|va|marche|"
               r"fonctionne|a|se|taille)\b)", re.I),
    re.compile(r"\b(?:l['’]|le |la |les )(?:avez|avez-vous|auriez|faites|vendez|prendre|prends|"
               r"retourner|renvoyer|laver|utiliser|charger)\b", re.I),
    re.compile(r"\b(?P<lead>(?:pour|de|sur|avec|à propos de) )(?:celui-ci|celle-ci|celui-là|celle-là|"
               r"ça|ca|cela)\b", re.I),
    re.compile(r"\b(?:celui-ci|celle-ci|celui-là|celle-là|ceux-ci|celles-ci|ils|elles)\b", re.I),
)
_ORDER_WORDS = _one_of(r"commande\w*", r"colis", r"livraison\w*", r"suivi", r"envoi", r"expédition",
                       r"arrivé\w*")

# --- how shoppers ask -------------------------------------------------------------------------------
LISTING = re.compile(r"\b(?:avez-vous|vous avez|vendez-vous|vous vendez|est-ce que vous (?:avez|vendez|"
                     r"proposez)|proposez-vous|vous proposez|montrez-moi|montre-moi|je cherche|cherche|"
                     r"recommand\w*|conseill\w*|suggér\w*|suggere\w*|j'ai besoin d'une?|il me faut|"
                     r"(?:le|la) meilleure? .* pour|options pour|quelque chose (?:à|a) moins de)\b", re.I)
STORE_OVERVIEW = re.compile(r"\bqu['’]est-ce que vous (?:vendez|avez|proposez)\s*[?.!]*$|"
                            r"\bque (?:vendez|proposez)-vous\s*[?.!]*$|\bquels? (?:genres?|types?|sortes?) "
                            r"(?:de )?(?:produits|articles|choses) (?:vendez|avez|proposez)", re.I)
ALTERNATIVE = re.compile(r"\b(?:à la place|a la place|plutôt|plutot|autre|autres|différent\w*|"
                         r"different\w*|alternati\w+|sinon|autre chose)\b", re.I)
SIMILAR_ASK = re.compile(r"\b(?:similaires?|semblables?|pareil(?:le)?s?|ressembl\w+|"
                         r"(?:quelque chose|un autre|une autre|d'autres) comme|comme (?:celui-ci|celle-ci|celui-là|"
                         r"celle-là|ça|ca|lui|elle)|du même (?:genre|type|style)|dans le même genre|"
                         r"alternatives?)(?!\w)", re.I)
COMPLEMENT_ASK = re.compile(r"\b(?:va(?:nt)? (?:bien )?avec|vont (?:bien )?avec|aller avec|associer (?:avec|à)|"
                            r"assorti\w*|complément\w*|complement\w*|accessoires? (?:pour|de)|"
                            r"acheter avec|(?:se )?marient? (?:bien )?avec)\b", re.I)
COMPARE = re.compile(r"\b(?:lequel|laquelle|lesquels|lesquelles|quel|quelle|compar\w+|versus|vs\.?|"
                     r"différence\w*|difference\w*|meilleur\w*|mieux|ou)\b", re.I)
SIZING = re.compile(r"\b(?:quelle taille|taille (?:petit|grand|normalement)|taillent (?:petit|grand)|"
                    r"guide des tailles|tableau des tailles|entre deux tailles|une taille (?:au-dessus|"
                    r"au-dessous|en dessous|de plus|de moins)|prendre la taille|chausse (?:petit|grand))\b", re.I)
POLICY_WORDS = re.compile(r"\b(?:retour\w*|rembours\w*|échang\w*|echang\w*|livr\w*|expédi\w*|commande\w*|"
                          r"pa(?:ie|yer|yé|iement)\w*|garantie|réclamation|reclamation|cassé\w*|casse|"
                          r"abîmé\w*|abime\w*|endommagé\w*|fissuré\w*|manquant\w*|erreur|mauvais|arrivé\w*|"
                          r"suivi|renvoy\w*|réduction|code promo|bon d'achat|carte cadeau)\b", re.I)
OTHERS_DATA = re.compile(
    r"\b(?:nom|adresse|téléphone|telephone|e-?mail|coordonnées|données|informations)\b[^.?!]{0,60}?"
    r"\b(?:d['’]un|d['’]une|de l['’]|du|de ce|de cette|d['’]un autre|d['’]une autre) ?(?:autre )?"
    r"(?:client\w*|personne|acheteur\w*|utilisat\w+)\b|\bautres clients\b[^.?!]{0,30}\b(?:noms?|"
    r"adresses?|données|commandes)\b|\bqui a (?:commandé|acheté)\b", re.I)
FREEBIE = re.compile(r"\b(?:donne[zs]?|génér\w*|gener\w*|crée[zs]?|cree[zs]?|envoie[zs]?|envoyez)\b[^.?!]{0,30}"
                     r"\b(?:réduction|reduction|code promo|coupon|bon de réduction|remise)\b|"
                     r"\b100 ?% de réduction\b|\bgratuit\w*\b.*\b(?:donne|envoie)\w*\b", re.I)
PRICE_ASK = re.compile(r"\b(?:prix|coûte|coute|coûtent|coutent|combien (?:coûte|coute|ça coûte|ca coute|"
                       r"est-ce|pour)|tarif\w*|cher|chère|chere|bon marché)\b", re.I)
YES_NO = re.compile(r"^\s*(?:et\s+)?(?:est-ce que|est-il|est-elle|est-ce|peut-on|puis-je|pouvez-vous|"
                    r"avez-vous|y a-t-il|va-t-il|fait-il|existe-t-il|c'est|il est|elle est)\b", re.I)
ASKED_NOUN = re.compile(
    r"(?:avez-vous|vous avez|vendez-vous|vous vendez|proposez-vous|vous proposez|montrez-moi|montre-moi|"
    r"je cherche|cherche|recommandez-moi|conseillez-moi|j['’]ai besoin d['’]|il me faut)\s*"
    r"(?:(?:des|du|de la|de l['’]|de|d['’]|un|une|le|la|les|l['’]|bons?|bonnes?|autres?)\s*)*"
    r"(?P<np>[^\W\d][\w '\-]*?)(?=\s+(?:pour|à|a|de moins|moins|qui|avec|en|sur|dans|vers|environ|"
    r"plutôt|ou|comme|aussi)\b|\s*[?.!,;]|\s*$)"
    r"|quels? (?:genres? de |types? de )?(?P<np2>[^\W\d][\w '\-]*?) (?:avez|vendez|proposez)", re.I)
USE_PREPOSITION = re.compile(r"\b(?:pour|en|avec|pendant|lors de|après|apres)\s+(?:\w+\s+){0,2}$")

# --- sentiment ---------------------------------------------------------------------------------
_NEG_PHRASES = {
    "en ai marre": -3, "ras le bol": -3, "ras-le-bol": -3, "j'en peux plus": -2.5, "j'en ai assez": -2.5,
    "plus jamais": -2.5, "perte de temps": -2.5, "pas content": -2, "pas contente": -2,
    "pas satisfait": -2, "pas satisfaite": -2, "pas acceptable": -3, "se fout de": -3,
    "se moque de": -2.5, "foutez de": -3, "moquez de": -2.5, "à bout": -2.5, "c'est une blague": -2.5,
    "c'est n'importe quoi": -3, "n'importe quoi": -2.5, "ça suffit": -2.5, "ca suffit": -2.5,
    "ne fonctionne pas": -1.5, "ne marche pas": -1.5, "personne ne": -1.5, "toujours pas": -1.5,
    "service client déplorable": -3, "c'est honteux": -3,
}
_NEG_WORDS = {
    "pire": -3, "horrible": -3, "affreux": -3, "nul": -2.5, "nulle": -2.5, "nuls": -3, "lamentable": -3,
    "inadmissible": -3, "inacceptable": -3, "scandaleux": -3, "scandale": -3, "honteux": -3, "honte": -3,
    "ridicule": -3, "pathétique": -3, "furieux": -3, "furieuse": -3, "énervé": -2.5, "enervé": -2.5,
    "enerve": -2.5, "énervée": -2.5, "fâché": -2.5, "fache": -2.5, "fâchée": -2.5, "agacé": -2,
    "agacée": -2, "frustré": -2.5, "frustrée": -2.5, "frustrant": -2.5, "déçu": -2, "decu": -2,
    "déçue": -2, "décevant": -2, "decevant": -2, "déception": -2, "mauvais": -1.5, "mauvaise": -1.5,
    "médiocre": -2, "grossier": -2, "impoli": -2, "mensonge": -2.5, "menteurs": -3, "escroquerie": -3,
    "escrocs": -3, "arnaque": -3, "arnaqué": -3, "ignoré": -2, "ignorée": -2, "inutile": -3,
    "incompétent": -3, "incompétents": -3, "incompetents": -3, "catastrophe": -3, "catastrophique": -3,
    "déplorable": -3, "deplorable": -3, "inadmissibles": -3, "retard": -1, "en retard": -1,
    "problème": -0.5, "probleme": -0.5, "endommagé": -1, "cassé": -1, "casse": -1, "manquant": -1,
    "lent": -1, "malheureusement": -1, "inquiet": -1, "inquiète": -1, "perdu": -1, "toujours": -0.5,
    "mécontent": -2.5, "mecontent": -2.5, "mécontente": -2.5, "galère": -2, "bordel": -2.5,
}
_POS_WORDS = {
    "génial": 2, "genial": 2, "super": 2, "excellent": 2.5, "parfait": 2, "parfaite": 2,
    "formidable": 2.5, "merveilleux": 2.5, "magnifique": 2.5, "merci": 1.5, "bien": 1, "bon": 1,
    "bonne": 1, "content": 1.5, "contente": 1.5, "ravi": 2, "ravie": 2, "utile": 2, "aimable": 1.5,
    "sympa": 1.5, "top": 2, "satisfait": 1.5, "satisfaite": 1.5, "résolu": 1, "rapide": 1,
    "facile": 1, "adore": 2, "aime": 1.5, "meilleur": 1.5, "impeccable": 2, "nickel": 2,
}
_INTENSIFIERS = {"très", "tres", "vraiment", "tellement", "trop", "super", "complètement",
                 "completement", "totalement", "absolument", "extrêmement", "extremement", "si",
                 "carrément", "vachement", "hyper", "franchement"}
_DOWNTONERS = ("un peu", "un petit peu", "légèrement", "legerement", "plutôt", "plutot", "assez")
_NEGATORS = {"pas", "ne", "n", "jamais", "aucun", "aucune", "rien", "sans", "ni", "guère"}

_ABUSE_RE = re.compile(
    r"\b(?:merde\w*|putain\w*|connard\w*|connasse\w*|con|cons|conne|salaud\w*|salope\w*|enculé\w*|"
    r"encule\w*|bâtard\w*|batard\w*|abruti\w*|crétin\w*|cretin\w*|idiot\w*|imbécile\w*|imbecile\w*|"
    r"débile\w*|debile\w*|ta gueule|fermez? (?:la|ta gueule)|va te faire (?:foutre|voir)|nique\w*|"
    r"niquer|fils de pute|pute\w*|foutez-moi la paix|bande de (?:nuls|cons|voleurs|incapables))\b", re.I)
_DISSATISFIED_RE = re.compile(
    r"\bce n['’]est pas (?:ce que|ça que|ca que) (?:j['’]ai demandé|je demande|je voulais|j['’]ai dit)\b|"
    r"\bpas ce que j['’]ai demandé\b|\b(?:ça|ca|cela) ne (?:m['’])?(?:aide|sert|répond) (?:pas|à rien)\b|"
    r"\bvous ne (?:m['’])?(?:comprenez|écoutez|lisez|aidez) pas\b|\btu ne (?:me )?(?:comprends|lis|"
    r"écoutes) pas\b|\bmauvaise réponse\b|\bc['’]est faux\b|\bce n['’]est pas (?:vrai|correct|juste)\b|"
    r"\bje (?:vous )?l['’]ai déjà dit\b|\bje viens de (?:le )?dire\b|\brépondez à ma question\b|"
    r"\blisez mon message\b|\btoujours la même (?:réponse|chose)\b|\bn['’]a aucun sens\b|"
    r"\bon tourne en rond\b|\binutile\b|\bne sert à rien\b|\bperte de temps\b|"
    r"\bnon,? ce n['’]est pas (?:ça|ca)\b|\bvous ne répondez pas\b", re.I)
_CANCEL_RE = re.compile(
    r"\blaisse[zr]? tomber\b|\blaisse tomber\b|\boublie[zr]? (?:ça|ca|cela)\b|\boubliez\b|\bpeu importe\b|"
    r"\bc['’]est bon(?:,| maintenant| finalement| j['’]ai trouvé)\b|\bc['’]est réglé\b|\bc['’]est regle\b|"
    r"\bc['’]est résolu\b|\bplus besoin\b|\bje n['’]en ai plus besoin\b|\bannule[zr]? (?:ça|ca|la demande|"
    r"le transfert)\b|\bj['’]ai trouvé (?:tout seul|toute seule|la réponse)\b|\bproblème réglé\b|"
    r"\bça ira\b|\btout va bien maintenant\b|\bnon merci,? c['’]est bon\b", re.I)

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(
        r"\b(?:porter plainte|je porte plainte|déposer (?:une )?plainte|plainte contre|poursuites?|"
        r"poursuivre en justice|vous poursuivre|action en justice|en justice|au tribunal|devant les "
        r"tribunaux|procès|mise en demeure|association de consommateurs|ufc[- ]que choisir|"
        r"dgccrf|signal ?conso|répression des fraudes|saisir la justice|médiateur)\b", re.I),
    "lawyer": _one_of(r"avocats?", r"mon avocat", r"juriste", r"conseil juridique", r"protection juridique",
                      r"cabinet d['’]avocats", r"huissier"),
    "chargeback": re.compile(
        r"\b(?:rétrofacturation|retrofacturation|chargeback|contester (?:le|la|ce|cette) (?:prélèvement|"
        r"paiement|débit|transaction|achat)|contestation (?:de paiement|bancaire|auprès de ma banque)|"
        r"faire opposition|opposition (?:sur|à) (?:ma carte|le paiement)|(?:appeler|contacter|prévenir) "
        r"ma banque|ma banque (?:va|vais) (?:rembourser|annuler|contester)|litige paypal|"
        r"ouvrir un litige)\b", re.I),
    "safety_issue": re.compile(
        r"\b(?:pris feu|prend feu|a brûlé|en flammes|incendie|explos\w+|étincelles?|etincelles?|"
        r"surchauff\w+|fondu|fondre|fum(?:ée|e|er|ait|é)|odeur de brûlé|odeur de brule|décharge électrique|"
        r"electrocut\w+|électrocut\w+|risque d['’]étouffement|toxique\w*|émanations|dangereu\w+|"
        r"pas sûr|risque d['’]incendie|rappel (?:de produit|produit)|rappelé)\b", re.I),
    "injury": re.compile(
        r"\b(?:bless\w+|je me suis (?:coupé|coupée|brûlé|brûlée|fait mal)|il s['’]est (?:coupé|brûlé|fait mal)|"
        r"elle s['’]est (?:coupée|brûlée|fait mal)|m['’]a (?:coupé|brûlé)|saign\w+|hôpital|hopital|urgences|"
        r"points de suture|cassé (?:le|la) (?:bras|jambe|poignet|cheville|pied|main)|réaction allergique|"
        r"allergie|eczéma|plaques rouges|entorse|commotion)\b", re.I),
    "fraud": re.compile(
        r"\b(?:fraude\w*|frauduleu\w+|escroqu\w+|arnaqu\w+|non autorisé\w*|non autorise\w*|"
        r"je n['’]ai (?:jamais|pas) (?:commandé|passé cette commande|fait cet achat|autorisé)|"
        r"carte (?:volée|piratée)|vol d['’]identité|usurpation d['’]identité|compte (?:piraté|hacké)|"
        r"piraté|piratage|hameçonnage|phishing|sans mon (?:accord|autorisation|consentement)|"
        r"quelqu['’]un a utilisé ma (?:carte|compte))\b", re.I),
}

# --- asks for a person ------------------------------------------------------------------------
_PERSON = (r"(?:(?:un|une|le|la|l['’]|votre|vos|des|de|d['’]|vrai|vraie|véritable|veritable)\s*)*"
           r"(?:humain|humaine|être humain|personne|conseiller|conseillère|conseillere|agent|"
           r"opérateur|operateur|opératrice|responsable|manager|superviseur|supérieur|superieur|"
           r"quelqu['’]un|employé|employée|service client|service clients|sav|support|équipe|"
           r"interlocuteur|interlocutrice|vendeur|vendeuse|technicien)s?\b"
           r"(?!\s+d['’]autre)")
_HUMAN_RES = tuple(re.compile(pattern, re.I) for pattern in (
    r"\b(?:parler|discuter|échanger|echanger|chatter|communiquer)\b(?:\s+\w+){0,2}?\s+(?:à|a|avec)\s+" + _PERSON,
    r"\b(?:passez|passe|passer|mettez|mets|mettre|transférez|transferez|transfère|transférer|transferer|"
        r"redirigez|redirige|rediriger|orientez|orienter|connectez|connecter|joindre|contacter)[- ]?(?:moi|-moi)?\b(?:\s+\w+){0,2}?\s+(?:à|a|avec|vers)?\s*" + _PERSON,
    r"\b(?:vrai|vraie|véritable|veritable)\s+(?:humain|personne|conseiller|conseillère|agent)\b|"
        r"\b(?:conseiller|conseillère|agent|opérateur|operateur|interlocuteur)\s+humain\b|"
        r"\b(?:personne|humain|conseiller)\s+(?:réel|réelle|reel|reelle|en chair et en os)\b",
    r"^\W*(?:un\s+|une\s+)?(?:humain|conseiller|conseillère|agent|opérateur|operateur|service client)"
        r"(?:\s*,?\s*(?:svp|s'il vous pla[iî]t|stp|maintenant|vite))?\W*$",
    r"\b(?:veux|voudrais|aimerais|exige|demande|préfère|prefere|souhaite|souhaiterais)\s+"
        r"(?:parler\s+)?(?:à|a|avec)?\s*(?:un|une|le|la)\s+(?:vrai\s+|vraie\s+)?(?:humain|humaine|"
        r"personne|conseiller|conseillère|agent|opérateur|responsable|manager|superviseur)\b",
    r"\b(?:rappelez-moi|rappelle-moi|me rappeler|qu['’]on me rappelle|quelqu['’]un peut (?:me )?"
        r"(?:rappeler|appeler|contacter)|pouvez-vous (?:me )?rappeler|être rappelé|etre rappele)\b",
    r"\b(?:un|une)\s+(?:humain|conseiller|conseillère|agent|responsable)\s+(?:peut|pourrait|doit)\s+"
        r"(?:prendre le relais|s['’]en occuper|regarder|intervenir)\b",
    r"\b(?:j['’]ai besoin d['’]|il me faut)\s*(?:un|une)\s+(?:vrai\s+)?(?:humain|conseiller|"
        r"conseillère|agent|personne|responsable)\b",
))
# Negations, questions about the bot and past mentions ("j'ai parlé à un conseiller") cancel a
# match in their clause; the learned readings are cancelled by them anywhere.
_HUMAN_NEGATED = re.compile(
    r"\b(?:ne|n['’]|pas|jamais|sans|aucun|aucune|plus besoin|êtes-vous|etes-vous|es-tu|est-ce un|"
    r"suis-je|je parle à|je parle a|c['’]est un|parlé|discuté|eu au téléphone)\b|\bn['’]", re.I)
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\bmais\b|\bjuste\b|\bseulement\b", re.I)

_ARRIVAL_RE = _one_of(
    r"arriv\w*", r"livr\w*", r"reçu\w*", r"recu\w*", r"(?:je l['’]ai|on l['’]a) reçu", r"dans le colis",
    r"dans la boîte", r"dans le carton", r"au déballage", r"en ouvrant", r"à l['’]ouverture", r"neuf", r"neuve")
_IN_USE_RE = _one_of(
    r"après (?:\w+ ){0,2}(?:jours|semaines|mois|ans|utilisations|lavages|sorties|randonnées|voyages)",
    r"(?:utilisé|porté|utilisée|portée)s?", r"utilisation normale", r"depuis que je l['’]ai",
    r"ne fonctionne plus", r"ne marche plus", r"s['’]est usé\w*", r"usé\w*",
    r"pendant (?:ma|une|la) (?:\w+ )?(?:randonnée|sortie|balade|course|voyage)",
    r"en (?:charge|chargeant|utilisant|portant)", r"mois d['’]utilisation", r"ans d['’]utilisation")
_GREETING_WORDS = {
    "bonjour", "bonsoir", "salut", "coucou", "hello", "merci", "beaucoup", "mille", "fois", "ok",
    "d'accord", "daccord", "super", "parfait", "génial", "top", "au", "revoir", "bonne", "journée",
    "soirée", "à", "a", "bientôt", "plus", "tard", "bien", "très", "tres", "vous", "toi", "pour",
    "votre", "ton", "aide", "l'aide", "c'est", "gentil", "sympa", "il", "y", "quelqu'un", "équipe",
    "tout", "le", "monde", "madame", "monsieur", "encore", "ça", "ca", "va", "comment", "allez", "excellent",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:bonjour|bonsoir|salut|coucou|hello)(?:\s+(?:à tous|tout le monde|l['’]équipe|madame|"
    r"monsieur))?\s*[,.!:;-]*\s*)+", re.I)

VARIANT_WORDS = ("en stock", "disponible", "disponibilité", "disponibilite", "rupture", "épuisé",
                 "existe en", "couleur", "couleurs", "coloris", "taille", "tailles", "pointure", "petit",
                 "moyen", "grand", "options", "variantes", "versions", "modèles")
_QUESTION_FRAME = re.compile(r"\b(?:combien de (?:temps|jours)|combien (?:coûte|coute|pèse|pese)|"
                             r"à quelle fréquence|dans combien de temps|combien)\b", re.I)
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

_SIZE_WORDS = {"très petit": "XS", "tres petit": "XS", "petit": "S", "petite": "S", "moyen": "M",
               "moyenne": "M", "grand": "L", "grande": "L", "très grand": "XL", "tres grand": "XL"}
_SIZE_RES = (
    re.compile(r"\b(?:taille|pointure)\s+(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|\d{1,2}(?:[.,]5)?)\b", re.I),
    re.compile(r"\b(xxs|xs|xl|xxl|xxxl|2xl|3xl)\b", re.I),
    re.compile(r"\b(?:en |un |une |le |la )(S|M|L)\b"),
    re.compile(r"\b(?:en|taille)\s+(très petit|tres petit|petit|petite|moyen|moyenne|grand|grande|"
               r"très grand|tres grand)\b(?!\s+(?:carton|colis|format|nombre|quantité|sac|tente))", re.I),
    re.compile(r"\ben (\d{1,2}(?:[.,]5)?)(?=\s*(?:[?.!,]|$|\b(?:svp|aussi|alors|plutôt)\b))", re.I),
)


# a short yes / no reply (the order desk's confirmation): its first word says which
AGREE = re.compile(r"^\s*(?:oui|ouais|d'accord|dac|ok(?:ay)?|vas-y|allez-y|c'est bon|exact|je confirme|parfait|volontiers)\b", re.I)
REFUSE = re.compile(r"^\s*(?:non|pas maintenant|laisse tomber|laissez tomber|attends|attendez|surtout pas)\b", re.I)

# how a message of several questions is split (assistant/answers/questions.py): "…combien ça coûte et combien de temps"
_QUESTION_WORDS = r"combien|comment|quel(?:le)?s?|quand|o[uù]|pourquoi|qu['’]est-ce|est-ce"
_QUESTION_OPENERS = r"peut-on|puis-je|pouvez-vous|y a-t-il|avez-vous|faites-vous|livrez-vous|est-il|est-elle|sont-ils|sont-elles"
_QUESTION_JOINERS = r"et|aussi|puis"

LEXICON = Lexicon(
    language="fr",
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
