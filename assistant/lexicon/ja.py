"""Japanese shop words: what the rules match a Japanese-speaking shopper's text against.

The same shape as ``en.py``, written for a script without spaces: patterns match on the
characters themselves (no ``\\b``), and since Japanese puts its negation after the verb
("担当者と話したくない"), an ask for a person only counts when no negative ending follows it
(the clause before it is checked too, as in every language). Anger, cancels ("やっぱりいいです"),
sensitive topics, follow-ups ("黒はありますか", "じゃあ、赤は？"), budgets ("1万円以下",
"予算は5000円くらい"), sizes ("Mサイズ", "27cm"). The store's pages and catalog are English, so
colours, kinds of product, countries and spec words map onto the English names the store uses
("黒" -> "black", "ドイツ" -> "germany", "防水" -> the waterproof spec keys).
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon
from assistant.lexicon.text import stem, words


def _any(*alternatives: str) -> re.Pattern[str]:
    """Any of the phrases, anywhere (Japanese has no word boundaries); Latin letters any case."""
    return re.compile("(?:" + "|".join(alternatives) + ")", re.I)


def _bare(kanji: str) -> list[str]:
    """A one-kanji colour with the particle after it ("黒は", "赤の"): alone it sits inside other
    words (面白い is "interesting", 赤ちゃん a baby)."""
    return [kanji + tail for tail in ("色", "の", "は", "で", "が", "も", "を", "系")]


_COLOUR_FORMS: dict[str, list[str]] = {
    "black": _bare("黒") + ["黒い", "ブラック"], "white": _bare("白") + ["ホワイト"], "grey": ["グレー", "グレイ", "灰色"],
    "red": _bare("赤") + ["赤い", "レッド"], "blue": _bare("青") + ["青い", "ブルー"], "navy": ["ネイビー", "紺色", "紺"],
    "green": _bare("緑") + ["グリーン"], "yellow": ["黄色", "イエロー"], "orange": ["オレンジ", "橙色"],
    "pink": ["ピンク", "桃色"], "purple": ["紫色", "紫", "パープル"], "brown": ["茶色", "ブラウン"],
    "beige": ["ベージュ"], "olive": ["オリーブ"], "silver": ["シルバー", "銀色"], "gold": ["ゴールド", "金色"],
    "burgundy": ["ボルドー", "ワインレッド"], "charcoal": ["チャコール"], "cream": ["クリーム色"],
    "khaki": ["カーキ"], "teal": ["ティール"], "turquoise": ["ターコイズ"], "ivory": ["アイボリー"],
    "sand": ["サンド"], "light blue": ["水色", "ライトブルー"], "dark green": ["深緑", "ダークグリーン"],
}
COLOR_ALIASES = {form: english for english, forms in _COLOUR_FORMS.items() for form in forms}
COLORS = tuple(COLOR_ALIASES)
COLOR_PHRASES = COLORS

# Kanji and katakana small words (hiragana is dropped from keywords as grammar anyway).
STOPWORDS = frozenset("""
私 僕 俺 自分 何 今日 以下 以内 未満 前後 程度 円 万 千 予算 約 大体 ください
お願い 教えて 質問 一つ 一番 全部 本当 普通 場合 ため 感じ さん 商品 製品 こちら そちら
""".split()) | frozenset("""
これ それ あれ この その あの ここ そこ どこ どれ どの です ます でした ません ある あります
ありますか いる います する します して した ない なに なん どう どんな いくら ください くださ
おねがい よろしく ちょっと すみません すいません ありがとう はい いいえ ええ うん
""".split())

SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "重さ": ("weight",), "重量": ("weight",), "何グラム": ("weight",), "何キロ": ("weight",), "重い": ("weight",),
    "軽い": ("weight",), "軽量": ("weight",), "グラム": ("weight",),
    "大きさ": ("dimensions", "packed_size", "capacity"), "寸法": ("dimensions",), "サイズは": ("dimensions", "packed_size"),
    "長さ": ("length", "dimensions"), "高さ": ("height", "dimensions", "peak_height"), "幅": ("dimensions",),
    "収納サイズ": ("packed_size",), "素材": ("materials", "upper", "fabric"), "材質": ("materials", "upper"),
    "生地": ("materials", "fabric"), "何でできて": ("materials",), "原産国": ("origin",), "生産国": ("origin",),
    "製造国": ("origin",), "どこ製": ("origin",), "産地": ("origin",), "どこで作": ("origin",),
    "洗濯": ("care",), "洗え": ("care",), "食洗機": ("care",), "手洗い": ("care",), "アイロン": ("care",),
    "乾燥機": ("care",), "お手入れ": ("care",), "保証": ("warranty",), "保障": ("warranty",),
    "互換": ("compatibility",), "対応機種": ("compatibility",), "対応して": ("compatibility",), "ih": ("compatibility",),
    "ガス火": ("compatibility",), "使えますか": ("compatibility",),
    "容量": ("capacity", "volume"), "リットル": ("capacity", "volume"), "何人": ("capacity",), "人用": ("capacity",),
    "バッテリー": ("battery_life", "battery"), "電池": ("battery_life", "battery"), "電池持ち": ("battery_life",),
    "連続使用": ("battery_life", "burn_time"), "持続時間": ("battery_life", "burn_time", "keeps_cold", "keeps_hot"),
    "保冷": ("keeps_cold",), "保温": ("keeps_hot", "insulation"), "充電": ("charging", "recharge_time", "battery"),
    "防水": ("waterproof_rating", "waterproof", "water_resistance"),
    "耐水": ("water_resistance", "waterproof_rating", "waterproof"),
    "撥水": ("water_resistance", "waterproof_rating", "waterproof"), "泳げ": ("water_resistance", "waterproof_rating"),
    "明るさ": ("brightness",), "明るい": ("brightness",), "ルーメン": ("brightness",), "照射距離": ("beam_distance",),
    "飛行機": ("airline_safe",), "機内": ("airline_safe",), "機内持ち込み": ("airline_safe",),
    "暖かい": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "あたたかい": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "防寒": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "寒さ": ("temperature_rating", "comfort_rating", "limit_rating", "insulation"),
    "氷点下": ("temperature_rating", "comfort_rating", "limit_rating"),
    "温度": ("temperature_rating", "comfort_rating", "temperature_range"),
    "オーブン": ("oven_safe",), "ヴィーガン": ("vegan",), "ビーガン": ("vegan",),
    "ノイズキャンセリング": ("noise_cancelling",), "ノイキャン": ("noise_cancelling",), "騒音": ("noise_cancelling",),
    "サイズ感": ("fit", "sizing"), "フィット": ("fit", "sizing", "torso_fit"), "着心地": ("fit",),
    "香り": ("scent", "fragrance"), "におい": ("scent", "fragrance"), "匂い": ("scent", "fragrance"),
    "日焼け止め": ("spf",), "spf": ("spf",), "成分": ("key_ingredients", "active_ingredients"), "肌質": ("skin_type",),
    "使用期限": ("shelf_life",), "消費期限": ("shelf_life",), "ポート": ("ports",), "端子": ("ports",),
    "bluetooth": ("bluetooth", "connectivity"), "ブルートゥース": ("bluetooth", "connectivity"),
    "ワット": ("output", "power"), "出力": ("output", "power"), "パワー": ("power", "output"),
    "急速充電": ("fast_charge", "output"), "型番": ("model_number",),
}

DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "明るさ": ("lumens", "lumen", "brightness", "light"), "ルーメン": ("lumens", "brightness"),
    "色": tuple(dict.fromkeys(COLOR_ALIASES.values())) + ("color", "colour", "colors", "colours"),
    "素材": ("made", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon", "polyester",
             "cotton", "wool", "carbon", "rubber", "plastic", "wood", "bamboo", "ceramic", "glass",
             "titanium", "canvas", "mesh", "fabric", "materials", "down"),
    "防水": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "暖かい": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "重さ": ("lightweight", "weight", "weighs", "heavy", "light"), "軽い": ("lightweight", "light", "weight"),
    "快適": ("comfort", "comfortable", "padded"), "履き心地": ("comfort", "comfortable", "padded"),
}

GENERIC_NOUNS = frozenset("""
プレゼント ギフト 贈り物 もの 物 商品 製品 アイテム おすすめ オススメ 選択肢 種類 タイプ ブランド
シリーズ セール 特価 お買い得 人気 新作
""".split())

CATEGORY_OF: dict[str, tuple[str, ...]] = {stem(words(kind)[-1], plural_only=True): categories
                                           for kind, categories in {
    "靴": ("footwear",), "シューズ": ("footwear",), "スニーカー": ("footwear",), "ブーツ": ("footwear",),
    "サンダル": ("footwear",), "スリッパ": ("footwear",), "登山靴": ("footwear",), "服": ("apparel", "jackets"),
    "洋服": ("apparel", "jackets"), "衣類": ("apparel", "jackets"), "ジャケット": ("jackets",), "コート": ("jackets", "apparel"),
    "レインコート": ("jackets",), "ダウン": ("jackets",), "シャツ": ("apparel",), "tシャツ": ("apparel",),
    "パンツ": ("apparel",), "パーカー": ("apparel",), "調理器具": ("kitchen",), "キッチン": ("kitchen",),
    "鍋": ("kitchen",), "フライパン": ("kitchen",), "化粧品": ("beauty",), "コスメ": ("beauty",),
    "スキンケア": ("beauty",), "家電": ("electronics",), "ガジェット": ("electronics",), "イヤホン": ("electronics",),
    "ヘッドホン": ("electronics",), "充電器": ("electronics",), "家具": ("home",), "インテリア": ("home",),
    "バッグ": ("bags",), "かばん": ("bags",), "鞄": ("bags",), "リュック": ("bags",), "バックパック": ("bags",),
    "スーツケース": ("bags",), "キャンプ": ("outdoor",), "テント": ("outdoor",), "登山": ("outdoor", "trekking"),
    "ハイキング": ("outdoor", "trekking"),
}.items()}

COUNTRY_ALIASES: dict[str, str] = {
    "イギリス": "united kingdom", "英国": "united kingdom", "イングランド": "united kingdom",
    "スコットランド": "united kingdom", "アメリカ": "united states", "米国": "united states",
    "ニュージーランド": "new zealand", "韓国": "south korea", "南アフリカ": "south africa",
    "オランダ": "netherlands", "ドイツ": "germany", "フランス": "france", "スペイン": "spain",
    "イタリア": "italy", "オーストリア": "austria", "ベルギー": "belgium", "アイルランド": "ireland",
    "スウェーデン": "sweden", "デンマーク": "denmark", "フィンランド": "finland", "ギリシャ": "greece",
    "ポーランド": "poland", "チェコ": "czechia", "ハンガリー": "hungary", "ルーマニア": "romania",
    "ルクセンブルク": "luxembourg", "クロアチア": "croatia", "ブルガリア": "bulgaria", "スロバキア": "slovakia",
    "スロベニア": "slovenia", "リトアニア": "lithuania", "ラトビア": "latvia", "エストニア": "estonia",
    "キプロス": "cyprus", "ポルトガル": "portugal", "マルタ": "malta", "カナダ": "canada",
    "メキシコ": "mexico", "オーストラリア": "australia", "日本": "japan", "中国": "china", "インド": "india",
    "ブラジル": "brazil", "アルゼンチン": "argentina", "チリ": "chile", "ノルウェー": "norway",
    "スイス": "switzerland", "アイスランド": "iceland", "シンガポール": "singapore", "イスラエル": "israel",
    "トルコ": "turkey", "ロシア": "russia", "ウクライナ": "ukraine", "エジプト": "egypt",
    "フィリピン": "philippines", "インドネシア": "indonesia", "マレーシア": "malaysia", "タイ": "thailand",
    "ベトナム": "vietnam", "コロンビア": "colombia", "ペルー": "peru", "香港": "hong kong", "台湾": "taiwan",
}
COUNTRIES = frozenset("""
canada mexico australia japan china india brazil argentina chile norway switzerland iceland
singapore israel turkey russia ukraine egypt nigeria kenya philippines indonesia malaysia thailand
vietnam colombia peru taiwan
""".split()) | {"new zealand", "south korea", "south africa", "united kingdom", "hong kong"}
EU_COUNTRIES = frozenset("""
austria belgium bulgaria croatia cyprus czechia czech denmark estonia finland france germany greece
hungary ireland italy latvia lithuania luxembourg malta netherlands poland portugal romania
slovakia slovenia spain sweden
""".split())

PHRASE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_any("返金", "払い戻し", "お金を返", "お金返"), "refund"),
    (_any("返品", "送り返", "返送"), "return"),
    (_any("交換", "取り替え", "取替", "サイズ変更"), "exchange"),
    (_any("配送", "発送", "送料", "配達", "届く", "届け", "送って", "海外発送"), "shipping"),
    (_any("ビットコイン", "仮想通貨", "暗号資産"), "cryptocurrency"),
    (_any("営業時間", "何時から", "何時まで"), "hours"),
    (_any("電話番号", "電話で"), "contact phone"),
    (_any("支払い", "支払方法", "決済", "クレジットカード", "代引き", "コンビニ払い"), "payment"),
)

# --- budgets and money: "1万円以下", "5000円以内", "予算は3,000円くらい", "¥2000まで" --------------------
AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?万(?:\d+千?)?|\d+(?:\.\d+)?千?)"
_YEN = r"(?:円|えん|ドル|ユーロ)"
BUDGET_RE = re.compile(
    r"(?:予算(?:は|が)?(?:だいたい|大体|約|およそ|最大)?|高くても|多くても|最大|上限(?:は)?)\s*(?:[¥￥$])?\s*"
    + AMOUNT + r"\s*" + _YEN + "?"
    r"|(?:[¥￥$])?\s*" + AMOUNT + r"\s*" + _YEN + r"?\s*(?:以下|以内|未満|まで|程度|くらい|ぐらい|前後|"
    r"を超えない|に収まる)", re.I)
_BUDGET_FILLER = frozenset("""
予算 円 以下 以内 未満 程度 前後 大体 約 最大 上限 万 千 ドル ユーロ 高 多 くらい ぐらい まで で です
""".split())
_MONEY_RE = re.compile(r"(?:[¥￥$]\s?" + AMOUNT + r"|" + AMOUNT + r"\s?" + _YEN + ")", re.I)
_REFUND_CONTEXT = _any("返金", "払い戻し", "返品", "支払った", "払った", "請求された", "引き落とされ", "補償",
                       "弁償", "お金を返", "お金返")
_REFUND_BARE = re.compile(r"返金\s*(?:[¥￥]\s*)?" + AMOUNT)

# --- follow-ups: "黒はありますか", "じゃあ赤は？", "もう一つの方は？" ------------------------------------------
_OTHER_ONE_RE = _any("もう一つの方", "もうひとつの方", "もう一方", "もう一つ", "もうひとつ", "別の方",
                     "最初の(?:方|もの|やつ|商品)", "前の(?:方|もの|やつ|商品)", "さっきの(?:方|もの|やつ|商品)",
                     "先ほどの(?:方|もの|商品)")
_ELLIPSIS_LEAD = r"(?:じゃあ|じゃ|では|それでは|それなら|なら|あと|他に|ほかに|それと|また|ちなみに)[、,]?"
_ELLIPSIS_RE = re.compile(r"^\s*(?:じゃあ|じゃ|では|それでは|それなら|なら|あと|他に|ほかに|それと|ちなみに)|"
                          r"(?:は|も|の方は|のほうは)\s*(?:ありますか|あります[？?]|ある[？?]|ありませんか|"
                          r"どうですか|どう[？?]|いかがですか|[？?])\s*[？?]?\s*$")
_PRONOUN_RES = (
    _OTHER_ONE_RE,
    _any("この商品", "その商品", "あの商品", "この製品", "その製品", "同じもの", "同じ商品"),
    _any("それら", "これら", "それ(?!で|と|なら|に|から|より|ぞれ|じゃ)", "これ(?!から|まで)",
         "あれ(?!ば)", "こちらの商品", "そちらの商品"),
    _any("この(?=[\u30a0-\u30ff\u4e00-\u9fff])", "その(?=[\u30a0-\u30ff\u4e00-\u9fff])"),
)
_ORDER_WORDS = _any("注文", "荷物", "配送", "発送", "配達", "追跡", "お届け", "届く", "届か", "届い", "伝票番号")

# --- how shoppers ask -------------------------------------------------------------------------------
LISTING = _any("ありますか", "ありませんか", "置いて(?:います|ます)か", "扱って(?:います|ます)か",
               "売って(?:います|ます)か", "おすすめ", "オススメ", "お勧め", "探して(?:います|ます|いる)",
               "見せて", "欲しい", "ほしい", "紹介して")
STORE_OVERVIEW = re.compile(r"何を(?:売って|扱って|販売して)|どんな(?:商品|もの|製品)(?:が|を)(?:あります|扱って|売って|"
                            r"販売して)|何が(?:あります|売って)か")
ALTERNATIVE = _any("代わり", "かわり", "他の", "ほかの", "別の", "違う(?:もの|の|商品)", "代替", "以外")
SIMILAR_ASK = _any("似た", "似て(?:る|いる)", "同じような", "同じ(?:種類|タイプ)", "(?:この|これ|それ|あれ)みたいな",
                   "(?:この|その)ような", "類似", "近い(?:もの|商品)")
COMPLEMENT_ASK = _any("に合う", "合わせ", "一緒に(?:買|使)", "組み合わせ", "コーディネート", "アクセサリー", "付属品",
                      "相性")
COMPARE = _any("どちら", "どっち", "どれが", "どれの方", "比較", "比べ", "違い", "より(?:いい|良い)",
               "または", "それとも", r"\bvs\b")
SIZING = _any("サイズ感", "サイズ表", "サイズガイド", "何サイズ", "どのサイズ", "小さめ", "大きめ",
              "ワンサイズ(?:上|下)", "普段(?:の)?サイズ", "ジャストサイズ", "サイズ選び")
POLICY_WORDS = _any("返品", "返金", "交換", "配送", "発送", "送料", "配達", "注文", "支払", "決済", "保証",
                    "クレーム", "壊れ", "破損", "欠品", "不良", "間違", "届い", "追跡", "割引", "クーポン",
                    "ギフトカード", "ポイント")
OTHERS_DATA = re.compile(r"(?:他の|ほかの|別の)(?:お客|客|人|ユーザー|購入者|方).{0,20}(?:名前|氏名|住所|電話|"
                         r"メール|情報|注文)|誰が(?:買った|注文した|購入した)")
FREEBIE = re.compile(r"(?:クーポン|割引コード|クーポンコード|プロモコード|割引券).{0,8}(?:ください|下さい|ちょうだい|"
                     r"発行して|送って|作って|くれ)|無料にして|タダにして|100%オフ|100％オフ")
PRICE_ASK = _any("いくら", "値段", "価格", "料金", "高い", "安い", "何円", "費用", "おいくら")
YES_NO = re.compile(r"^(?!.*(?:何|なに|なん|どの|どれ|どこ|いつ|いくら|どう|どんな|誰|だれ|なぜ|どちら|どっち))"
                    r".*(?:ですか|ますか|でしょうか|ますか|か)\s*[?？]?\s*$")
ASKED_NOUN = re.compile(
    r"(?P<np>[^\s、。？?！!はがをのにでもと]{1,12}?)(?:は|が|を)?(?:ありますか|あります[？?]|ある[？?]|"
    r"ありませんか|置いて|扱って|売って|探して|欲しい|ほしい)"
    r"|(?:おすすめの|オススメの|お勧めの)(?P<np2>[^\s、。？?！!はがをの]{1,12}?)(?=は|を|が|[？?]|$)")
USE_PREPOSITION = re.compile(r"(?:用の|向けの|のための|で使う|に使う)\S{0,4}$")

# --- sentiment (phrases are matched anywhere, before the words) ----------------------------------
_NEG_PHRASES = {
    "ふざけるな": -3, "ふざけんな": -3, "ふざけてる": -3, "いい加減にして": -3, "いいかげんにして": -3,
    "最悪": -3, "ひどすぎ": -3, "酷すぎ": -3, "ひどい": -2.5, "酷い": -2.5, "腹が立つ": -3, "腹立つ": -3, "むかつく": -3, "ムカつく": -3,
    "イライラ": -2, "頭にくる": -3, "頭に来る": -3, "信じられない": -2.5, "ありえない": -2.5, "あり得ない": -2.5,
    "がっかり": -2, "許せない": -3, "二度と": -2.5, "時間の無駄": -2.5, "話にならない": -3, "対応が悪い": -2.5,
    "遅すぎる": -2, "返事がない": -1.5, "まだ届いて": -1.5, "届かない": -1, "困って": -1.5, "怒って": -2.5,
    "金返せ": -3, "使えない": -2, "満足していない": -2, "満足できない": -2.5, "良くない": -1.5,
    "よくない": -1.5, "うんざり": -2.5, "我慢できない": -3, "いらいら": -2, "不愉快": -2.5,
}
_NEG_WORDS = {
    "最低": -3, "不満": -2, "失望": -2, "激怒": -3, "迷惑": -2.5, "無能": -3, "無駄": -2, "嘘": -2.5,
    "ゴミ": -3, "不親切": -2.5, "不誠実": -2.5, "不良": -1, "問題": -0.5, "故障": -1, "破損": -1,
    "遅延": -1, "不便": -1, "残念": -1.5, "不安": -1, "心配": -1, "遅い": -1.5, "悪い": -1.5, "下手": -1.5,
    "ダメ": -1.5, "だめ": -1.5, "クレーム": -1.5, "詐欺": -3, "苦情": -2,
}
_POS_WORDS = {
    "ありがとう": 1.5, "ありがとうございます": 1.5, "助かりました": 2, "助かる": 2, "嬉しい": 2, "うれしい": 2,
    "素晴らしい": 2.5, "最高": 2.5, "完璧": 2, "良い": 1, "便利": 1, "満足": 1.5, "丁寧": 1.5, "親切": 2,
    "感謝": 2, "好き": 2, "気に入": 2, "早い": 1, "解決": 1, "素敵": 2, "すごい": 1.5, "快適": 1.5,
}
_INTENSIFIERS = {"とても", "すごく", "凄く", "非常に", "本当に", "ほんとに", "めちゃくちゃ", "めっちゃ",
                 "かなり", "超", "全く", "まったく", "完全に", "ものすごく", "大変"}
_DOWNTONERS = ("少し", "ちょっと", "やや", "多少", "若干")
_NEGATORS = {"不", "非", "無", "未", "全然"}

_ABUSE_RE = re.compile(
    r"馬鹿|バカ|ばか(?!り)|アホ|あほ|クソ|くそ(?!っ)|糞|死ね|殺す|うざい|ウザい|ウザイ|きもい|キモい|黙れ|"
    r"ボケ(?!て)|カス(?!タ)|クズ|くず|てめえ|てめぇ|テメェ|消えろ|ぶっ殺")
_DISSATISFIED_RE = re.compile(
    r"答えになって(?:い)?ない|聞いて(?:いる|る)ことと違う|質問と違う|そういうことじゃない|そういう意味じゃない|"
    r"^\s*(?:いや、?)?(?:違います|ちがう|違う)|役に立たない|役立たず|意味がない|意味不明|話が通じない|"
    r"(?:わかって|分かって|理解して)(?:い)?ない|さっき(?:も)?言った|(?:もう|既に)言いました|同じこと(?:ばかり|を繰り返)|"
    r"質問に答えて|ちゃんと読んで|全然(?:だめ|ダメ)|的外れ|時間の無駄|解決してない|解決していない")
_CANCEL_RE = re.compile(
    r"やっぱり(?:いい|大丈夫|結構|いらない)|もういい(?:です)?(?!か)|大丈夫です(?!か)|結構です|"
    r"(?:それ|今の|さっきの|依頼|リクエスト|問い合わせ)(?:は|を)?キャンセル|"
    r"取り消し(?:て|で)|解決しました|解決した(?!い)|自分で(?:解決|見つけ|わかり|分かり)|忘れてください|"
    r"なんでもないです|何でもないです|気にしないで|必要なくなりました|もう必要ない|いりません|不要になりました")

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(r"訴え|訴訟|裁判|法的措置|法的手段|法的に|消費者センター|消費生活センター|"
                               r"国民生活センター|警察に|通報|被害届"),
    "lawyer": re.compile(r"弁護士|法律事務所|法律相談|司法書士"),
    "chargeback": re.compile(r"チャージバック|支払い(?:を)?(?:取り消|差し止め|拒否)|カード会社に(?:連絡|相談|申し立て|"
                             r"異議)|銀行に(?:連絡|相談)|異議申し立て|決済(?:の)?取り消し|paypalで(?:異議|申し立て)", re.I),
    "safety_issue": re.compile(r"発火|火が出|火を吹|燃え(?:た|て|出)|爆発|破裂|火花|過熱|熱くなりすぎ|溶け|煙が|"
                               r"焦げ臭い|焦げた|感電|漏電|窒息|有毒|毒性|危険|危ない|安全上の問題|リコール"),
    "injury": re.compile(r"けが|怪我|ケガ|負傷|(?:指|手|顔|足)を切|やけど|火傷|血が|出血|病院|救急|縫っ|骨折|"
                         r"アレルギー反応|かぶれ|湿疹|発疹|捻挫|脳震盪"),
    "fraud": re.compile(r"詐欺|不正(?:利用|請求|アクセス|使用)|身に覚えのない|注文して(?:い)?ない|頼んで(?:い)?ない|"
                        r"勝手に(?:注文|請求|引き落と)|盗まれ|乗っ取|ハッキング|フィッシング|なりすまし|許可なく|無断で"),
}

# --- asks for a person ------------------------------------------------------------------------
_WHO = (r"(?:担当者|担当の(?:方|人)|オペレーター|オペレータ|人間|生身の人|本物の人|(?<![\u4e00-\u9fff])人|スタッフ|"
        r"係の(?:人|方)|店員|責任者|上司|店長|サポート(?:担当|の方)?|カスタマーサポート|窓口の(?:方|人)|"
        r"有人)(?:さん|様)?")
# a negative ending right after the verb ("話したくない", "つながなくていい") undoes the ask
# (or a past one, "話しました": a mention), or "no need to" ("話す必要はありません")
_NOT_AFTER = (r"(?!\S{0,6}(?:たくない|なくて|なくても|ないで|たいわけ|なく(?:て|ても)?いい|必要(?:は|が)?(?:ない|"
              r"ありません)|つもりはない|ました(?!か)|した(?:けど|が|ら)))")
_HUMAN_RES = (
    re.compile(_WHO + r"(?:と|に|へ)\s*(?:直接)?(?:お|ご)?(?:話|はな|相談|電話|代わ|かわ|替わ|変わ|つな|繋|回し|まわし|"
               r"切り替え|チャット)" + _NOT_AFTER),
    re.compile(_WHO + r"(?:を|に)?\s*(?:お願い|おねがい|呼んで|よんで|出して|出せ|だして|呼べ)" + _NOT_AFTER),
    re.compile(r"有人(?:対応|チャット|サポート)|人間の(?:担当者|オペレーター|スタッフ|方)|オペレーター(?:対応|に切り替え)"
               + _NOT_AFTER),
    re.compile(r"^\W*(?:担当者|オペレーター|人間|有人対応|スタッフ)(?:さん)?(?:を?お願い(?:します)?|で|に|と話したい)?\W*$"),
    re.compile(r"折り返し(?:電話|連絡|お電話)|電話(?:を)?(?:ください|下さい|してください|して下さい|をお願い|が(?:ほしい|欲しい))|"
               r"電話で(?:話したい|相談したい)" + _NOT_AFTER),
)
# The clause before the ask: a question about the bot ("あなたは人間ですか") or "not particularly".
_HUMAN_NEGATED = re.compile(r"別に|あなたは|あなたって|君は|これは|ボット(?:は|って)|ai(?:は|って)|"
                            r"人間(?:です|なの)か|たくない|なくていい|必要(?:は|が)?(?:ない|ありません)|いらない|"
                            r"要らない|いりません|話しました|話したけど|話したが", re.I)
_CLAUSE_BREAK = re.compile(r"[、,。.！!？?]|でも|けど|だけど|じゃなくて|ではなく(?:て)?|ただ")

_ARRIVAL_RE = _any("届いた", "届いたら", "届いて", "到着", "受け取った", "受け取り", "開封", "開けたら", "箱を開け",
                   "箱から出し", "新品", "初期不良", "最初から")
_IN_USE_RE = re.compile(r"使って(?:いたら|いるうちに|から)|使用中|使っているうちに|(?:\d+|数|一|二|三)(?:日|週間|ヶ月|か月|"
                        r"カ月|年)(?:ほど|くらい|ぐらい)?(?:使|着|履)|普通に使|洗濯(?:したら|後)|充電中|"
                        r"(?:履いて|着て)(?:いたら|から)|突然(?:動かなく|壊れ)|動かなくなった")
_GREETING_WORDS = {
    "こんにちは", "こんばんは", "おはよう", "おはようございます", "はじめまして", "ありがとう",
    "ありがとうございます", "ありがとうございました", "どうも", "よろしく", "よろしくお願いします",
    "さようなら", "またね", "お疲れ様です", "すみません", "了解", "了解です", "わかりました", "分かりました",
    "はい", "ok", "hello", "hi", "助かりました", "ございます", "ございました", "です", "ね", "よ", "本当に",
    "とても", "皆さん", "さん",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:こんにちは|こんばんは|おはようございます|おはよう|はじめまして|すみません|すいません|"
    r"お世話になっております|お世話になります|もしもし|hello|hi)\s*[、,.!！。:：~～]*\s*)+", re.I)

VARIANT_WORDS = ("在庫", "在庫あり", "品切れ", "売り切れ", "入荷", "色", "カラー", "サイズ", "種類",
                 "バリエーション", "モデル", "何色")
_QUESTION_FRAME = _any("どのくらい", "どれくらい", "どれぐらい", "何日", "いつ頃", "どれだけ", "何時間", "何回")
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

_SIZE_WORDS = {"スモール": "S", "ミディアム": "M", "ラージ": "L", "エックスエル": "XL"}
_SIZES = r"xxs|xs|xxxl|xxl|xl|2xl|3xl|s|m|l"
_SIZE_RES = (
    re.compile(r"(?<![a-z])(" + _SIZES + r")\s*サイズ", re.I),
    re.compile(r"サイズ(?:は|が|を)?\s*(" + _SIZES + r"|\d{1,2}(?:\.5)?)(?![a-z\d])", re.I),
    re.compile(r"(?<![a-z\d])(xxs|xs|xxxl|xxl|xl|2xl|3xl)(?![a-z\d])", re.I),
    re.compile(r"(?<![\d.])(2\d(?:\.5)?)\s*(?:cm|センチ)", re.I),
    re.compile(r"(?<![a-z])(s|m|l)(?=(?:で|は|の|を|が|も)(?:ありますか|ある|お願い|ください|在庫|\s*[?？]))", re.I),
    re.compile(r"(スモール|ミディアム|ラージ|エックスエル)"),
)


# a short yes / no reply (the order desk's confirmation): its first word says which
AGREE = re.compile(r"^\s*(?:はい|ええ|お願いします|お願い|そうです|了解|確認しました)", re.I)
REFUSE = re.compile(r"^\s*(?:いいえ|いや|やめて|違います)", re.I)

# how a message of several questions is split (assistant/answers/questions.py): "重さは？容量は？",
# "いくらですか、あと重さは": question words and endings anywhere in a clause, and what joins a second one on
_QUESTION_WORDS = r"いくら|どのくらい|どれくらい|どれぐらい|何|なに|なん|いつ|どこ|どう|どんな|どれ|ですか|ますか|でしょうか|かな"
_QUESTION_OPENERS = r"教えて"
_QUESTION_JOINERS = r"あと|それと|それから|また|ちなみに"

LEXICON = Lexicon(
    language="ja",
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
