"""Spanish shop words: what the rules match a Spanish-speaking shopper's text against.

The same shape as ``en.py``: stopwords, spec synonyms, colours, sizes, budgets ("menos de 100 €"),
follow-ups ("¿y en negro?"), asks for a person ("quiero hablar con una persona") and their
negations, anger, cancels ("déjalo"), sensitive topics. The store's pages and catalog are written
in English, so what names the catalog's own things maps onto the English names: colours to the
variant names ("negro" -> "black"), kinds of product to categories, countries to the shipping
pages' names ("Alemania" -> "germany"), spec words to the same spec keys English uses.
Patterns accept the written accents and their absence ("envío"/"envio"), as shoppers type both.
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon
from assistant.lexicon.text import stem


def _one_of(*alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, any of them, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


# Colour words (all genders and numbers) -> the English names the catalog's variants use.
_COLOUR_FORMS = {
    "black": "negro negra negros negras", "white": "blanco blanca blancos blancas",
    "grey": "gris grises", "red": "rojo roja rojos rojas", "blue": "azul azules",
    "navy": "azul marino", "green": "verde verdes", "yellow": "amarillo amarilla amarillos amarillas",
    "orange": "naranja naranjas anaranjado anaranjada", "pink": "rosa rosas rosado rosada",
    "purple": "morado morada morados moradas violeta lila", "brown": "marrón marron marrones",
    "beige": "beis beige", "olive": "verde oliva", "silver": "plateado plateada",
    "gold": "dorado dorada", "burgundy": "burdeos granate",
    "khaki": "caqui", "turquoise": "turquesa", "ivory": "marfil", "sand": "arena",
    "charcoal": "gris oscuro", "light blue": "azul claro celeste", "dark green": "verde oscuro",
}
_MULTI = ("azul marino", "verde oliva", "gris oscuro", "azul claro", "verde oscuro")
COLOR_ALIASES: dict[str, str] = {}
for _english, _forms in _COLOUR_FORMS.items():
    for _multi in _MULTI:
        if _multi in _forms:
            COLOR_ALIASES[_multi] = _english
            _forms = _forms.replace(_multi, "")
    COLOR_ALIASES.update({form: _english for form in _forms.split()})
COLORS = tuple(dict.fromkeys(form for form in COLOR_ALIASES if " " not in form))
COLOR_PHRASES = COLORS + _MULTI

STOPWORDS = frozenset("""
a al algo alguien algún alguna algunas alguno algunos ante antes aquel aquella aquello aquí aqui
así asi aun aún bien cada casi como cómo con contra cual cuál cuales cuáles cualquier cuando
cuándo cuanto cuánto cuanta cuánta cuantos cuántos cuantas cuántas de del desde donde dónde dos
e y u el él ella ellas ellos en entre era eran eres es esa esas ese eso esos esta está estaba estamos
están estar estas este esto estos estoy fue fueron gracias ha haber había han has hasta hay he
hola hoy la las le les lo los más mas me mi mí mis mucho mucha muchos muchas muy nada ni no nos
nosotros o os otra otras otro otros para pero poco por porque puede pueden puedo qué que quien
quién quienes se sea ser si sí sin sobre son soy su sus también tambien tan tanto te tengo tiene
tienen tienes todo todos toda todas tu tú tus un una unas uno unos usted ustedes vale ya yo
favor porfa quiero quisiera querría necesito busco buscando estoy dame decir saber ver mirar
algo cosa cosas ahora bueno pues oye vale ok gracias hacer hace hacen tener ir va van dar
cuál hay menos sois somos
""".split())

SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "pesa": ("weight",), "peso": ("weight",), "pesado": ("weight",), "pesada": ("weight",),
    "ligero": ("weight",), "ligera": ("weight",), "liviano": ("weight",), "gramos": ("weight",),
    "kilos": ("weight",), "kg": ("weight",),
    "qué tamaño": ("dimensions", "packed_size", "capacity"), "tamaño": ("dimensions", "packed_size"),
    "cuánto mide": ("dimensions", "length", "height"), "cuanto mide": ("dimensions", "length", "height"),
    "medidas": ("dimensions",), "dimensiones": ("dimensions",), "largo": ("length", "dimensions"),
    "alto": ("height", "dimensions"), "altura": ("height", "dimensions", "peak_height"),
    "ancho": ("dimensions",),
    "hecho de": ("materials", "upper", "fabric"), "hecha de": ("materials", "upper", "fabric"),
    "material": ("materials", "upper"), "materiales": ("materials",), "tela": ("materials", "fabric"),
    "tejido": ("materials", "fabric"), "de qué está hecho": ("materials",),
    "fabricado en": ("origin",), "hecho en": ("origin",), "origen": ("origin",),
    "de dónde es": ("origin",), "país": ("origin",),
    "lavar": ("care",), "lavado": ("care",), "lavadora": ("care",), "lavavajillas": ("care",),
    "limpiar": ("care",), "planchar": ("care",), "secadora": ("care",), "cuidado": ("care",),
    "garantía": ("warranty",), "garantia": ("warranty",),
    "compatible": ("compatibility",), "compatibilidad": ("compatibility",),
    "funciona con": ("compatibility",), "sirve para": ("compatibility",), "vitrocerámica": ("compatibility",),
    "inducción": ("compatibility",), "induccion": ("compatibility",),
    "capacidad": ("capacity", "volume"), "litros": ("capacity", "volume"), "cabe": ("capacity", "volume"),
    "cuántas personas": ("capacity",), "cuantas personas": ("capacity",), "caben": ("capacity",),
    "batería": ("battery_life", "battery"), "bateria": ("battery_life", "battery"),
    "autonomía": ("battery_life",), "autonomia": ("battery_life",),
    "dura": ("battery_life", "burn_time", "keeps_cold", "keeps_hot"),
    "cargar": ("charging", "recharge_time", "battery"), "carga": ("charging", "recharge_time", "battery"),
    "impermeable": ("waterproof_rating", "waterproof", "water_resistance"),
    "resistente al agua": ("water_resistance", "waterproof_rating", "waterproof"),
    "sumergible": ("water_resistance", "waterproof_rating"), "nadar": ("water_resistance", "waterproof_rating"),
    "brillo": ("brightness",), "lúmenes": ("brightness",), "lumenes": ("brightness",),
    "ilumina": ("brightness", "beam_distance"), "alcance": ("beam_distance",),
    "avión": ("airline_safe",), "avion": ("airline_safe",), "vuelo": ("airline_safe",),
    "equipaje de mano": ("airline_safe",),
    "abriga": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "abrigado": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "caliente": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "frío": ("temperature_rating", "comfort_rating", "limit_rating", "keeps_cold", "insulation"),
    "frio": ("temperature_rating", "comfort_rating", "limit_rating", "keeps_cold", "insulation"),
    "temperatura": ("temperature_rating", "comfort_rating", "temperature_range"),
    "horno": ("oven_safe",), "vegano": ("vegan",), "vegana": ("vegan",), "ruido": ("noise_cancelling",),
    "talla": ("fit", "sizing"), "horma": ("fit", "sizing"), "ajuste": ("fit", "sizing", "torso_fit"),
    "aroma": ("scent", "fragrance"), "olor": ("scent", "fragrance"), "fragancia": ("fragrance", "scent"),
    "spf": ("spf",), "protección solar": ("spf",), "ingredientes": ("key_ingredients", "active_ingredients"),
    "tipo de piel": ("skin_type",), "caduca": ("shelf_life",), "caducidad": ("shelf_life",),
    "puertos": ("ports",), "bluetooth": ("bluetooth", "connectivity"), "vatios": ("output", "power"),
    "potencia": ("power", "output"), "carga rápida": ("fast_charge", "output"), "modelo": ("model_number",),
    "precio": ("price",), "cuesta": ("price",), "cuánto vale": ("price",),
}

DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "brillo": ("lumens", "lumen", "brightness", "light"), "lúmenes": ("lumens", "brightness"),
    "color": tuple(dict.fromkeys(COLOR_ALIASES.values())) + ("color", "colour", "colors", "colours"),
    "hecho de": ("made", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon", "polyester",
                 "cotton", "wool", "carbon", "rubber", "plastic", "wood", "bamboo", "ceramic", "glass",
                 "titanium", "canvas", "mesh", "fabric", "materials", "down"),
    "material": ("made", "materials", "aluminum", "steel", "leather", "nylon", "polyester", "cotton"),
    "impermeable": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "abriga": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "pesa": ("lightweight", "weight", "weighs", "heavy", "light"),
    "ligero": ("lightweight", "light", "weight"), "cómodo": ("comfort", "comfortable", "padded"),
}

GENERIC_NOUNS = frozenset("""
regalo regalos idea ideas algo cosa cosas artículo artículos articulo articulos producto productos
opción opciones recomendación recomendaciones sugerencia sugerencias todo uno unos oferta ofertas
rebaja rebajas descuento chollo chollos tipo tipos gama selección colección marca marcas modelo modelos
""".split())

# Spanish kinds of product -> the catalog's (English) category words (keyed by the stem the
# product directory looks up).
CATEGORY_OF: dict[str, tuple[str, ...]] = {stem(kind, plural_only=True): categories for kind, categories in {
    "zapato": ("footwear",), "zapatilla": ("footwear",), "bota": ("footwear",), "sandalia": ("footwear",),
    "chancla": ("footwear",), "calzado": ("footwear",), "deportiva": ("footwear",),
    "ropa": ("apparel", "jackets"), "chaqueta": ("jackets",), "abrigo": ("jackets", "apparel"),
    "chamarra": ("jackets",), "cazadora": ("jackets",), "camisa": ("apparel",), "camiseta": ("apparel",),
    "sudadera": ("apparel",), "pantalón": ("apparel",), "pantalon": ("apparel",),
    "menaje": ("kitchen",), "cocina": ("kitchen",), "sartén": ("kitchen",), "sarten": ("kitchen",),
    "olla": ("kitchen",), "cosmético": ("beauty",), "cosmetico": ("beauty",), "maquillaje": ("beauty",),
    "crema": ("beauty",), "electrónica": ("electronics",), "electronica": ("electronics",),
    "auricular": ("electronics",), "cargador": ("electronics",), "mueble": ("home",),
    "decoración": ("home",), "hogar": ("home",), "bolso": ("bags",), "mochila": ("bags",),
    "bolsa": ("bags",), "maleta": ("bags",), "acampada": ("outdoor",), "camping": ("outdoor",),
    "senderismo": ("outdoor", "trekking"), "auriculares": ("electronics",), "pantalones": ("apparel",),
}.items()}

# Spanish country names -> the English names the store's shipping pages use.
COUNTRY_ALIASES: dict[str, str] = {
    "reino unido": "united kingdom", "inglaterra": "united kingdom", "gran bretaña": "united kingdom",
    "escocia": "united kingdom", "estados unidos": "united states", "eeuu": "united states",
    "ee.uu.": "united states", "ee. uu.": "united states", "nueva zelanda": "new zealand",
    "corea del sur": "south korea", "corea": "south korea", "sudáfrica": "south africa",
    "holanda": "netherlands", "países bajos": "netherlands", "paises bajos": "netherlands",
    "alemania": "germany", "francia": "france", "españa": "spain", "espana": "spain", "italia": "italy",
    "portugal": "portugal", "bélgica": "belgium", "belgica": "belgium", "austria": "austria",
    "irlanda": "ireland", "suecia": "sweden", "dinamarca": "denmark", "finlandia": "finland",
    "grecia": "greece", "polonia": "poland", "chequia": "czechia", "república checa": "czechia",
    "hungría": "hungary", "rumanía": "romania", "rumania": "romania", "luxemburgo": "luxembourg",
    "croacia": "croatia", "bulgaria": "bulgaria", "eslovaquia": "slovakia", "eslovenia": "slovenia",
    "lituania": "lithuania", "letonia": "latvia", "estonia": "estonia", "chipre": "cyprus",
    "canadá": "canada", "canada": "canada", "méxico": "mexico", "mexico": "mexico",
    "japón": "japan", "japon": "japan", "brasil": "brazil", "suiza": "switzerland",
    "noruega": "norway", "islandia": "iceland", "turquía": "turkey", "rusia": "russia",
    "ucrania": "ukraine", "egipto": "egypt", "filipinas": "philippines", "tailandia": "thailand",
    "singapur": "singapore", "perú": "peru", "china": "china", "india": "india",
    "argentina": "argentina", "chile": "chile", "colombia": "colombia", "australia": "australia",
    "hong kong": "hong kong",
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
    (_one_of(r"devolu\w+ (?:de )?(?:mi |el )?dinero", r"reembols\w+", r"me devuelvan", r"recuperar (?:mi |el )?dinero"), "refund"),
    (_one_of(r"devolver", r"devolución", r"devolucion", r"mandarlo de vuelta", r"enviarlo de vuelta"), "return"),
    (_one_of(r"cambiar(?:lo|la|los|las)? por", r"cambio de talla", r"cambio"), "exchange"),
    (_one_of(r"env[ií]\w*", r"mand(?:an|áis|ais)", r"llega\w*", r"entrega\w*"), "shipping"),
    (_one_of(r"bitcoin", r"btc", r"criptomonedas?", r"cripto"), "cryptocurrency"),
    (_one_of(r"horario", r"a qué hora abren", r"cuándo abren", r"cuando abren"), "hours"),
    (_one_of(r"teléfono", r"telefono", r"llamar(?:les|os)?"), "contact phone"),
    (_one_of(r"pago", r"pagar", r"tarjeta"), "payment"),
)

# --- budgets and money: "menos de 100 €", "máximo 50 euros", "hasta 80€" ----------------------
AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_NOT_MONEY = (r"(?!\s?(?:%|kg|g|gr|gramos|kilos|l|ml|litros|grados|°|días?|dias?|semanas?|meses|"
              r"mes|años?|anos?|horas?|minutos?|km|m|cm|mm|pulgadas?|artículos?|articulos?|"
              r"pedidos?|personas?)\b)")
BUDGET_RE = re.compile(
    r"\b(?:menos de|por debajo de|no más de|no mas de|como mucho|como máximo|como maximo|máximo|"
    r"maximo|máx\.?|max\.?|hasta|presupuesto(?: es)?(?: de)?(?: unos| unas)?|que no pase de|"
    r"que no supere|inferior a|más barato que|mas barato que|alrededor de|unos|sobre los)\s*"
    r"[$€£]?\s?" + AMOUNT + r"(?:\s?(?:€|euros?|dólares|dolares|\$|pesos))?" + _NOT_MONEY, re.I)
_BUDGET_FILLER = frozenset("""
mi el la presupuesto es de unos unas alrededor más mas o menos máximo maximo como mucho puedo
gastar quiero hasta no que pase supere euros euro dólares dolares pesos algo por debajo y pero
bueno vale pues tengo sería seria tener un una
""".split())
_MONEY_RE = re.compile(r"(?:[$€£]\s?" + AMOUNT + r"|" + AMOUNT +
                       r"\s?(?:euros?|dólares|dolares|pesos|usd|eur)\b|" + AMOUNT + r"\s?[$€£])", re.I)
_REFUND_CONTEXT = _one_of(r"reembols\w*", r"devol\w*", r"devuelv\w*", r"me cobraron", r"cobrado",
                          r"pagué", r"pague", r"pagado", r"me costó", r"compensaci\w+", r"abono", r"crédito")
_REFUND_BARE = re.compile(r"\b(?:reembolso|devolución|devolucion) de\s+" + AMOUNT + r"\b", re.I)

# --- follow-ups: "¿y en negro?", "¿y el otro?", "¿qué tal en azul?" ------------------------------
_OTHER_ONE_RE = re.compile(r"\b(?:el|la|los|las) otr[oa]s?\b|\bel primero\b|\bla primera\b|"
                           r"\bel anterior\b|\bla anterior\b", re.I)
_ELLIPSIS_LEAD = (r"(?:¿\s*)?(?:y qué tal|y que tal|y qué hay de|y que hay de|qué tal|que tal|"
                  r"lo mismo (?:para|con)|y|también|tambien|o|además|ademas)\b")
_ELLIPSIS_RE = re.compile(rf"^\s*{_ELLIPSIS_LEAD}|^\s*¿?\s*(?:en|para|de)\s+\w+\s*\??\s*$", re.I)
_PRONOUN_RES = (
    re.compile(r"\b(?:el|la|los|las) otr[oa]s?\b|\b(?:el|la) (?:primer[oa]|anterior)\b", re.I),
    re.compile(r"\b(?:este|esta|ese|esa|aquel|aquella|el mismo|la misma) (?:modelo|artículo|"
               r"articulo|producto)\b", re.I),
    re.compile(r"\b(?P<lead>(?:de|para|sobre|con|en) )(?:este|esta|ese|esa|eso|esto)\b(?!\s+\w)", re.I),
    re.compile(r"\b(?:lo|la|los|las)\b(?=\s+(?:tienen|tenéis|teneis|hay|venden|puedo|quiero|devuelvo|"
               r"cambio|lavo|uso|cargo)\b)", re.I),
    re.compile(r"\b(?:este|esta|ese|esa|estos|estas|esos|esas)\b(?=\s*[?.!,]|\s*$)", re.I),
)
_ORDER_WORDS = _one_of(r"pedido\w*", r"paquete", r"envío", r"envio", r"entrega", r"seguimiento",
                       r"compra", r"llega\w*")

# --- how shoppers ask -------------------------------------------------------------------------------
LISTING = re.compile(r"\b(?:tienen|venden|tenéis|teneis|vendéis|vendeis|hay)\b|\bmuéstrame|\bmuestrame|"
                     r"\bbusco\b|\bbuscando\b|\brecomi[ée]nd\w*|\brecomendaci\w+|\bsugi[ée]r\w*|"
                     r"\bnecesito (?:un|una)\b|\bel mejor .* para\b|\bla mejor .* para\b|"
                     r"\bopciones (?:de|para)\b|\balgún\b.*\b(?:menos de|por debajo)\b", re.I)
STORE_OVERVIEW = re.compile(r"\bqu[ée] (?:venden|vendéis|vendeis|tienen|ofrecen)(?: ustedes)?\s*[?.!]*$|"
                            r"\bqu[ée] (?:tipos?|clases?) de (?:cosas|productos|artículos|articulos) "
                            r"(?:venden|tienen|ofrecen)\b", re.I)
ALTERNATIVE = re.compile(r"\b(?:en (?:su|vez) lugar|en vez de|otro|otra|otros|otras|diferente|"
                         r"distint[oa]|alternativ\w+|algo más|algo mas)\b", re.I)
SIMILAR_ASK = re.compile(r"\b(?:parecid[oa]s?|similar(?:es)?|semejantes?|algo (?:así|asi|igual)|"
                         r"(?:algo|otr[oa]s?|alguno|alguna) como (?:est[eoa]s?|es[eoa]s?|él|ella)|"
                         r"como (?:este|esta|esto|ese|esa|eso)|del mismo (?:tipo|estilo)|alternativas?)\b", re.I)
COMPLEMENT_ASK = re.compile(r"\b(?:combin\w+ (?:bien )?con|van? (?:bien )?con|quedan? (?:bien )?con|"
                            r"acompañ\w+|complement\w+|accesorios? (?:para|de)|comprar con|"
                            r"junto con (?:est[eoa]|él|ella))\b", re.I)
COMPARE = re.compile(r"\b(?:cuál|cual|cuáles|cuales|compar\w+|versus|vs\.?|diferencia\w*|mejor|"
                     r"o)\b", re.I)
SIZING = re.compile(r"\b(?:qué talla|que talla|guía de tallas|guia de tallas|tabla de tallas|"
                    r"talla (?:pequeño|pequeña|grande|normal)|tallan?|viene (?:pequeño|grande)|"
                    r"queda (?:pequeño|grande|justo|ancho)|entre dos tallas|una talla (?:más|menos|"
                    r"mas))\b", re.I)
POLICY_WORDS = re.compile(r"\b(?:devol\w+|devuelv\w+|reembols\w+|cambi\w+|env[ií]\w*|entreg\w+|"
                          r"pedido\w*|pag\w+|garant[ií]\w*|reclam\w+|roto|rota|rotos|dañad\w+|"
                          r"agrietad\w+|falta|equivocad\w+|lleg\w+|seguimiento|descuento|cupón|"
                          r"cupon|código promocional|tarjeta regalo)\b", re.I)
OTHERS_DATA = re.compile(
    r"\b(?:nombre|dirección|direccion|teléfono|telefono|correo|e-?mail|datos(?: personales)?|"
    r"información|informacion|contacto)\b[^.?!]{0,60}?\bde (?:otro|otra|el|la|ese|esa|aquel|un|una) "
    r"(?:cliente|persona|comprador|compradora|usuario|usuaria)\b|"
    r"\b(?:otros|otras) clientes\b[^.?!]{0,30}\b(?:nombres?|direcci\w+|tel[ée]fonos?|correos?|datos|"
    r"pedidos)\b|\bquién (?:compró|pidió|hizo)\b", re.I)
FREEBIE = re.compile(r"\b(?:dame|dar|genera\w*|crea\w*|envía\w*|envia\w*|mánda\w*|manda\w*)\b[^.?!]{0,30}"
                     r"\b(?:descuento|cupón|cupon|código|codigo|vale)\b|\b100 ?% de descuento\b|"
                     r"\bgratis\b.*\b(?:dame|envía|envia|manda)\b", re.I)
PRICE_ASK = re.compile(r"\b(?:precio|precios|cuesta|cuestan|cuánto vale|cuanto vale|cuánto valen|"
                       r"cuánto es|cuanto es|cuánto cuesta|cuanto cuesta|caro|cara|barato|barata)\b", re.I)
YES_NO = re.compile(r"^\s*¿?\s*(?:y\s+)?(?:es|son|está|esta|están|estan|tiene|tienen|puedo|puede|"
                    r"se puede|sirve|vale|funciona|hay|lleva|incluye)\b", re.I)
ASKED_NOUN = re.compile(
    r"(?:tienen|venden|tenéis|teneis|vendéis|vendeis|hay|muéstrame|muestrame|busco|buscando|"
    r"recomiendas?|recomiendan|recomiéndame|recomiendame|necesito|quiero)\s+"
    r"(?:(?:algún|alguna|algunos|algunas|algun|un|una|unos|unas|el|la|los|las|buen|buena|buenos|"
    r"buenas|otro|otra|otros|otras)\s+)*"
    r"(?P<np>[^\W\d][\w '\-]*?)(?=\s+(?:para|por|de menos|menos|que|con|en|sobre|desde|alrededor|"
    r"hasta|como|o|también|tambien)\b|\s*[?.!,;]|\s*$)"
    r"|qu[ée] (?:tipos? de |clases? de )?(?P<np2>[^\W\d][\w '\-]*?) (?:tienen|venden|hay)", re.I)
USE_PREPOSITION = re.compile(r"\b(?:para|en|con|durante|mientras|desde|tras|después de)\s+(?:\w+\s+){0,2}$")

# --- sentiment ---------------------------------------------------------------------------------
_NEG_PHRASES = {
    "harto de": -2.5, "harta de": -2.5, "estoy harto": -2.5, "estoy harta": -2.5,
    "hasta las narices": -3, "me tienen hart": -3, "una estafa": -3, "es un robo": -3,
    "nunca más": -2.5, "nunca mas": -2.5, "pérdida de tiempo": -2.5, "perdida de tiempo": -2.5,
    "no estoy contento": -2, "no estoy contenta": -2, "no es aceptable": -3, "una vergüenza": -3,
    "una broma": -2, "me estás tomando el pelo": -2.5, "se me acaba la paciencia": -2.5,
    "he perdido la paciencia": -3, "colmo": -2.5, "se rompió": -1, "se ha roto": -1,
    "no funciona": -1.5, "nadie me": -1, "qué desastre": -3, "que desastre": -3,
    "de mal en peor": -2.5, "ya basta": -2.5, "no puede ser": -1.5,
}
_NEG_WORDS = {
    "peor": -2, "pésimo": -3, "pesimo": -3, "pésima": -3, "pesima": -3, "terrible": -3, "horrible": -3,
    "fatal": -2.5, "asqueroso": -3, "inaceptable": -3, "indignante": -3, "ridículo": -3, "ridiculo": -3,
    "patético": -3, "patetico": -3, "furioso": -3, "furiosa": -3, "indignado": -3, "indignada": -3,
    "incompetentes": -3, "incompetente": -3, "basura": -3, "odio": -3, "inútil": -3, "inutil": -3,
    "inútiles": -3, "vergüenza": -3, "verguenza": -3, "estafa": -3, "estafadores": -3, "timo": -3,
    "enfadado": -2.5, "enfadada": -2.5, "enojado": -2.5, "enojada": -2.5, "molesto": -2,
    "molesta": -2, "frustrado": -2.5, "frustrada": -2.5, "frustrante": -2.5, "decepcionado": -2,
    "decepcionada": -2, "decepcionante": -2, "decepción": -2, "malo": -1.5, "mala": -1.5, "mal": -1.5,
    "grosero": -2, "maleducado": -2, "engañoso": -2, "mentira": -2.5, "mentiras": -2.5,
    "mentirosos": -3, "ignorado": -2, "ignorada": -2, "desastre": -3, "vergonzoso": -3,
    "tarde": -1, "retraso": -1, "retrasado": -1, "equivocado": -1, "problema": -0.5,
    "dañado": -1, "roto": -1, "rota": -1, "falta": -1, "lento": -1, "desgraciadamente": -1,
    "lamentablemente": -1, "preocupado": -1, "preocupada": -1, "confundido": -1, "todavía": -0.5,
    "aún": -0.5, "cabreado": -3, "cabreada": -3, "chapuza": -2.5, "timado": -3, "robado": -3,
}
_POS_WORDS = {
    "encanta": 2, "encantado": 2, "encantada": 2, "genial": 2, "excelente": 2.5, "increíble": 2.5,
    "increible": 2.5, "perfecto": 2, "perfecta": 2, "fantástico": 2.5, "fantastico": 2.5,
    "maravilloso": 2.5, "gracias": 1.5, "bueno": 1, "buena": 1, "bien": 1, "contento": 1.5,
    "contenta": 1.5, "útil": 2, "util": 2, "agradezco": 2, "amable": 1.5, "estupendo": 2,
    "estupenda": 2, "satisfecho": 1.5, "satisfecha": 1.5, "resuelto": 1, "rápido": 1, "rapido": 1,
    "fácil": 1, "facil": 1, "mejor": 1.5, "guay": 1.5, "chévere": 1.5, "gusta": 1.5, "gustan": 1.5,
}
_INTENSIFIERS = {"muy", "muchísimo", "muchisimo", "super", "súper", "totalmente", "completamente",
                 "absolutamente", "realmente", "tan", "demasiado", "increíblemente", "jodidamente"}
_DOWNTONERS = ("un poco", "algo", "un poquito", "ligeramente", "un tanto", "más o menos")
_NEGATORS = {"no", "nunca", "jamás", "jamas", "ni", "tampoco", "sin"}

_ABUSE_RE = re.compile(
    r"\b(?:mierda\w*|joder|jodid[oa]s?|gilipollas|imbécil\w*|imbecil\w*|idiota\w*|estúpid[oa]s?|"
    r"estupid[oa]s?|cabr[oó]n\w*|cabrones|pendej\w+|puta\w*|puto\w*|hij[oa]s? de (?:puta|perra)|"
    r"coño|capullo\w*|subnormal\w*|tarad[oa]s?|carajo|chinga\w*|cállate|callate|vete a la mierda|"
    r"que te jodan|me cago en)\b", re.I)
_DISSATISFIED_RE = re.compile(
    r"\beso no es lo que (?:pregunté|pregunte|he preguntado|pedí|pedi|quería|queria|dije)\b|"
    r"\bno es lo que (?:pregunté|pregunte|pedí|pedi|quería|queria)\b|"
    r"\b(?:no|nada) (?:me )?(?:ayuda|sirve|responde|contesta)\b|\bno me has (?:ayudado|respondido|entendido)\b|"
    r"\bno (?:me )?(?:entiendes|escuchas|lees)\b|\bno has entendido\b|\brespuesta (?:incorrecta|equivocada)\b|"
    r"\beso (?:está|esta|es) mal\b|\beso no es (?:correcto|cierto|verdad)\b|\bya te lo (?:dije|he dicho)\b|"
    r"\bresponde a mi pregunta\b|\blee mi (?:mensaje|pregunta)\b|\bla misma respuesta\b|"
    r"\bsiempre dices lo mismo\b|\bno tiene sentido\b|\bdamos vueltas\b|\bno sirves para nada\b|"
    r"\bin[uú]til\b|\bperder el tiempo\b|\bno,? eso no\b", re.I)
_CANCEL_RE = re.compile(
    r"\bdéjalo\b|\bdejalo\b|\bdéjelo\b|\bdejelo\b|\bolvídalo\b|\bolvidalo\b|\bolvídelo\b|"
    r"\bno importa\b|\bda igual\b|\bcancela(?:r|lo)? (?:eso|la solicitud|la petición|la peticion|"
    r"el traspaso)\b|\bya (?:está|esta) (?:resuelto|solucionado|bien)\b|\bya (?:lo )?(?:he )?"
    r"(?:resuelto|solucionado|arreglado)\b|\bya no (?:hace falta|lo necesito|necesito)\b|"
    r"\bno hace falta ya\b|\btodo bien ya\b|\bya todo bien\b|\bno pasa nada\b", re.I)

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(
        r"\b(?:denunci\w+|demand(?:ar|aré|are|aremos|arte|arles|arlos|aros)|poner una demanda|"
        r"acciones? legal\w*|"
        r"llevar(?:los|les|te)? a(?:l)? (?:juicio|tribunales|juzgado)|nos vemos en (?:el juicio|los "
        r"tribunales)|juzgado|tribunal\w*|pleito|(?:oficina|autoridades?|organismo) de consumo|"
        r"oficina del consumidor|omic|facua|"
        r"defensa del consumidor|profeco|hoja de reclamaciones)\b", re.I),
    "lawyer": _one_of(r"abogad[oa]s?", r"bufete", r"asesor(?:ía|ia)? legal", r"asesoramiento jurídico",
                      r"mi letrado"),
    "chargeback": re.compile(
        r"\b(?:contracargo\w*|retroceder el cargo|anular el cargo|disputa(?:r)? (?:el|del|ese|este) "
        r"(?:cargo|pago)|reclamar? al banco|reclamaci[oó]n (?:con|a|al) (?:mi )?(?:banco|paypal|tarjeta)|"
        r"(?:llamar|avisar|decirle) a mi banco|mi banco (?:va a|lo va a) (?:anular|devolver|retroceder)|"
        r"disputa (?:en|con) paypal)\b", re.I),
    "safety_issue": re.compile(
        r"\b(?:se (?:ha )?incendi\w+|(?:ha )?(?:salido|salió|salio) ardiendo|prendi[óo] fuego|"
        r"en llamas|explot\w+|chispas?|sobrecalent\w+|(?:se )?(?:derriti[óo]|derretido)|"
        r"(?:sal|ech)\w* humo|humea\w*|olor a quemado|descarga el[ée]ctrica|calambrazo|"
        r"me dio (?:la )?corriente|peligro de asfixia|t[oó]xic\w+|humos|peligros\w+|inseguro|"
        r"riesgo de incendio|retirad[oa] del mercado)\b", re.I),
    "injury": re.compile(
        r"\b(?:lesi[oó]n\w*|lesionad[oa]|herid[oa]s?|me (?:he )?(?:cortado|quemado|hecho daño|lastimado)|"
        r"me (?:cort[eé]|quem[eé]|lastim[eé])|se (?:ha )?(?:cortado|quemado|hecho daño|lastimado)|"
        r"sangr\w+|hospital|urgencias|puntos de sutura|me romp[ií] (?:el|la) \w+|reacci[oó]n al[ée]rgica|"
        r"sarpullido|esguince|conmoci[oó]n)\b", re.I),
    "fraud": re.compile(
        r"\b(?:fraude\w*|fraudulent[oa]s?|estafa\w*|cargos? no autorizad[oa]s?|compras? no autorizadas?|"
        r"(?:yo )?no (?:hice|realic[ée]|ped[ií]|autoric[ée]) (?:este|ese|esta|esa|el|la|ning[uú]n)|"
        r"tarjeta robada|me (?:han )?robado (?:la tarjeta|los datos|la cuenta|el dinero)|"
        r"robo de identidad|suplantaci[oó]n|(?:cuenta|tarjeta) (?:hackeada|pirateada|comprometida)|"
        r"hackea\w+|phishing|sin mi (?:permiso|autorizaci[oó]n|consentimiento)|"
        r"alguien (?:ha )?usad[oa] mi (?:tarjeta|cuenta)|alguien us[óo] mi (?:tarjeta|cuenta))\b", re.I),
}

# --- asks for a person ------------------------------------------------------------------------
_PERSON = (r"(?:(?:una?|el|la|algún|alguna|algun|un[ao]? de (?:sus|vuestros|tus)|alguien|persona|"
           r"de verdad|real|humana?|físic[ao]|del equipo)\s+)*"
           r"(?:persona|humano|humana|agente|asesor|asesora|operador|operadora|encargado|encargada|"
           r"gerente|responsable|supervisor|supervisora|alguien|empleado|empleada|representante|"
           r"atención al cliente|atencion al cliente|servicio al cliente|soporte|personal|"
           r"comercial|trabajador|trabajadora|ser humano)(?:e?s)?\b(?!\s+(?:más|mas)\b)")
_HUMAN_RES = tuple(re.compile(pattern, re.I) for pattern in (
    r"\b(?:hablar|habla|charlar|comunicarme|comunicar|contactar|chatear|conversar|tratar)\b"
        r"(?:\s+\w+){0,3}?\s+(?:con|a)\s+" + _PERSON,
    r"\b(?:pásame|pasame|pásenme|pasenme|páseme|paseme|pasar|pasarme|ponme|ponerme|póngame|pongame|"
        r"poner|comunicar|comunicarme|transferir|transferirme|derivar|derivarme|conectar|conectarme|comunícame|"
        r"comunicame|transfiéreme|transfiereme|transfiérame|transfiérame|transfiérame|transfiere|"
        r"deriva|derívame|derivame|conéctame|conectame|conécteme)\b(?:\s+\w+){0,2}?\s+(?:con|a)\s+" + _PERSON,
    r"\b(?:persona|humano|agente|operador|asesor)\s+(?:real|de verdad|físic[ao])\b",
    r"^\W*(?:una?\s+)?(?:persona|humano|agente|operador|asesor|representante)(?:\s+(?:real|de verdad))?"
        r"(?:\s*,?\s*(?:por favor|porfa|ya|ahora))?\W*$",
    r"\b(?:quiero|necesito|exijo|pido|solicito|prefiero|quisiera|querría|queria)\s+(?:hablar\s+)?"
        r"(?:con\s+)?(?:una?\s+|el\s+|la\s+)?(?:persona|humano|agente|asesor|asesora|operador|operadora|"
        r"encargado|encargada|gerente|responsable|supervisor|representante)\b",
    r"\b(?:que me llame|llámenme|llamenme|llamadme|me pueden llamar|me puede llamar|pueden llamarme|"
        r"puede llamarme|me llamen)\b",
    r"\b(?:que (?:me atienda|me ayude|se encargue|lo revise|intervenga))\s+(?:una?\s+|el\s+|la\s+)?"
        r"(?:persona|humano|agente|asesor|encargado|gerente|responsable|supervisor)\b",
    r"\bhay (?:alguien|alguna persona|algún humano|algun humano)\b[^?.!]{0,20}\b(?:con quien|que)\b"
        r"[^?.!]{0,20}\b(?:hablar|atender|ayudar)",
))
# Negations, questions about the bot and past mentions ("ayer hablé con un agente") cancel a
# match in their clause; the learned readings are cancelled by them anywhere.
_HUMAN_NEGATED = re.compile(
    r"\b(?:no|nunca|sin|tampoco|ni|no hace falta|no es necesario|eres|es usted|estoy hablando con|"
    r"hablo con|hablé|hable con|hablamos|he hablado|había hablado|me dijo|me dijeron)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,.;!?¡¿]|\bpero\b|\bsolo\b|\bsólo\b|\bsino\b", re.I)

_ARRIVAL_RE = _one_of(
    r"lleg\w*", r"recib\w*", r"me (?:lo |la )?(?:mandaron|enviaron|entregaron)", r"entregad[oa]",
    r"en la caja", r"en el paquete", r"al abrir(?:lo|la)?", r"al desembalar", r"a estrenar",
    r"sin estrenar", r"reci[ée]n (?:llegad|recibid|comprad)\w*",
    r"desde (?:el primer día|que lo abrí)")
_IN_USE_RE = _one_of(
    r"después de (?:\w+ ){0,2}(?:días|semanas|meses|años|usos|lavados|viajes|salidas)",
    r"tras (?:\w+ ){0,2}(?:días|semanas|meses|años|usos|lavados)", r"usándol[oa]s?", r"usandol[oa]s?",
    r"uso normal", r"dejó de funcionar", r"dejo de funcionar", r"se (?:ha )?desgastad[oa]",
    r"(?:en|durante) (?:mi|una|la) (?:excursión|excursion|ruta|salida|viaje)", r"meses de uso",
    r"al cargar(?:lo|la)?", r"lo he usado", r"la he usado")
_GREETING_WORDS = {
    "hola", "buenas", "buenos", "días", "dias", "tardes", "noches", "buen", "día", "dia", "gracias",
    "muchas", "mil", "muchísimas", "vale", "ok", "perfecto", "genial", "estupendo", "adiós", "adios",
    "hasta", "luego", "pronto", "chao", "saludos", "qué", "que", "tal", "cómo", "como", "estás",
    "estas", "está", "esta", "todo", "bien", "muy", "amable", "por", "tu", "su", "ayuda", "equipo",
    "hay", "alguien", "ahí", "ahi", "de", "nada", "un", "saludo", "igualmente", "encantado",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:hola|buenas(?: tardes| noches)?|buenos días|buenos dias|buen día|buen dia|qué tal|"
    r"que tal|saludos)(?:\s+(?:equipo|a todos|chicos))?\s*[,.!:;¡-]*\s*)+", re.I)

VARIANT_WORDS = ("en stock", "disponible", "disponibilidad", "existencias", "quedan", "agotado",
                 "agotada", "viene en", "color", "colores", "talla", "tallas", "tamaño", "tamaños",
                 "pequeño", "mediano", "grande", "opciones", "variantes", "versiones", "modelos")
_QUESTION_FRAME = re.compile(r"\bcu[aá]nt[oa]s? (?:tiempo|tarda|tardan|dura|duran|cuesta|cuestan|"
                             r"vale|valen|pesa|pesan)\b|\bcada cu[aá]nto\b|\bqu[eé] tan pronto\b", re.I)
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

_SIZE_WORDS = {"extra pequeña": "XS", "extra pequeño": "XS", "muy pequeña": "XS", "pequeña": "S",
               "pequeño": "S", "chica": "S", "mediana": "M", "mediano": "M", "grande": "L",
               "extra grande": "XL", "muy grande": "XL"}
_SIZE_RES = (
    re.compile(r"\btalla\s+(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|\d{1,2}(?:[.,]5)?)\b", re.I),
    re.compile(r"\b(xxs|xs|xl|xxl|xxxl|2xl|3xl)\b", re.I),
    re.compile(r"\b(?:en (?:una? )?|una? |la )(S|M|L)\b"),
    re.compile(r"\b(?:en|talla|la)\s+(?:una?\s+)?(extra (?:pequeña|pequeño|grande)|pequeña|pequeño|"
               r"mediana|mediano|grande)\b(?!\s+(?:caja|bolsa|pedido|cantidad|número|tienda|mochila))", re.I),
    re.compile(r"\b(?:en (?:el |la |un |una )?|del )(\d{1,2}(?:[.,]5)?)(?=\s*(?:[?.!,]|$|\b(?:por favor|"
               r"entonces|también)\b))", re.I),
)


# a short yes / no reply (the order desk's confirmation): its first word says which
AGREE = re.compile(r"^\s*¡?(?:s[ií]|vale|claro|de acuerdo|adelante|correcto|confirmo|perfecto|ok(?:ay)?|dale|h[aá]zlo|por supuesto)\b", re.I)
REFUSE = re.compile(r"^\s*¡?(?:no|nop|mejor no|d[eé]jalo|espera)\b", re.I)

# how a message of several questions is split (assistant/answers/questions.py): "…cuánto factor tiene y cuánto dura"
# (qué/cómo/cuándo/dónde only with their accents: without, they are also "that", "as", "when", "where")
_QUESTION_WORDS = r"cu[aá]nt[oa]s?|qu[eé] tal|qué|cómo|dónde|cuándo|cu[aá]l(?:es)?|por qu[eé]"
_QUESTION_OPENERS = r"tiene|tienen|ten[eé]is|hay|es|son|est[aá]|est[aá]n|puedo|puede|pueden|se puede|hac[eé]is|hacen|viene|vienen|sirve|incluye"
_QUESTION_JOINERS = r"y|e|adem[aá]s|tambi[eé]n"

LEXICON = Lexicon(
    language="es",
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
