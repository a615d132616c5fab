"""Chinese (Simplified) shop words: what the rules match a Chinese-speaking shopper's text against.

The same shape as ``en.py``, written for a script without spaces: every pattern matches on the
characters themselves (no ``\\b``, which never falls between two Chinese characters), and the
word sets hold the tokens ``assistant.lexicon.text.words`` cuts a run into (Han pairs, cut at the
stopwords here). Asks for a person ("转人工", "我要找人工客服") with their negations ("不用转人工"),
anger, cancels ("算了"), sensitive topics, follow-ups ("那黑色的呢?"), budgets ("100元以下",
"预算200块"), sizes ("M码", "42码"). The store's pages and catalog are English, so colours,
kinds of product, countries and spec words map onto the English names the store uses
("黑色" -> "black", "德国" -> "germany", "防水" -> the waterproof spec keys).
"""
from __future__ import annotations

import re

from assistant.lexicon import Lexicon
from assistant.lexicon.text import stem, words


def _any(*alternatives: str) -> re.Pattern[str]:
    """Any of the phrases, anywhere (Chinese has no word boundaries); Latin letters any case."""
    return re.compile("(?:" + "|".join(alternatives) + ")", re.I)


# Colour words -> the English names the catalog's variants use. Bare one-character colours are
# left out where they sit inside common words (蓝牙 is Bluetooth, 明白 is "understood").
_COLOUR_FORMS = {
    "black": "黑色 黑的 黑款 纯黑", "white": "白色 白的 白款 纯白", "grey": "灰色 灰的 浅灰",
    "red": "红色 红的 大红", "blue": "蓝色 蓝的", "navy": "藏青色 藏青 藏蓝色 藏蓝 海军蓝 深蓝色 深蓝",
    "green": "绿色 绿的", "yellow": "黄色 黄的", "orange": "橙色 橘色 橙的", "pink": "粉色 粉红色 粉红 粉的",
    "purple": "紫色 紫的", "brown": "棕色 咖啡色 褐色", "beige": "米色 米白色 米白", "olive": "橄榄绿 军绿色 军绿",
    "silver": "银色", "gold": "金色", "burgundy": "酒红色 酒红 枣红", "charcoal": "深灰色 深灰 炭灰",
    "cream": "奶油色 奶白", "khaki": "卡其色 卡其", "teal": "青色 蓝绿色", "turquoise": "绿松石色 松石绿",
    "ivory": "象牙白", "sand": "沙色", "light blue": "浅蓝色 浅蓝 天蓝色 天蓝", "dark green": "深绿色 深绿 墨绿",
}
COLOR_ALIASES = {form: english for english, forms in _COLOUR_FORMS.items() for form in forms.split()}
COLORS = tuple(COLOR_ALIASES)
COLOR_PHRASES = COLORS

STOPWORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 嘛 么 哦 哈 嗯 是 在 和 与 或 也 都 就 这 那 哪 些 我 你 您 他 她 它 们 请
我们 你们 他们 这个 那个 哪个 这些 那些 什么 怎么 怎样 如何 为什么 多少 请问 谢谢 麻烦 一下 一个
一款 一些 可以 能不能 可不可以 会不会 需要 想要 知道 告诉 看看 问一下 问下 没有 现在 今天 已经
还是 还有 如果 因为 所以 但是 然后 以下 以内 之内 左右 块钱 是否 有没有 帮我 给我 我想 我要
有吗 有没 很 太 非常 能 想 要 有 还 不 没 个 元 块
""".split())

SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "多重": ("weight",), "重量": ("weight",), "重不重": ("weight",), "轻便": ("weight",), "轻不轻": ("weight",),
    "多少克": ("weight",), "几克": ("weight",), "公斤": ("weight",), "几斤": ("weight",), "多少斤": ("weight",),
    "多大": ("dimensions", "packed_size", "capacity"), "尺寸": ("dimensions",), "大小": ("dimensions", "packed_size"),
    "多长": ("length", "dimensions"), "长度": ("length", "dimensions"), "多高": ("height", "dimensions", "peak_height"),
    "高度": ("height", "dimensions", "peak_height"), "多宽": ("dimensions",), "宽度": ("dimensions",),
    "收纳": ("packed_size",), "材质": ("materials", "upper", "fabric"), "材料": ("materials", "upper"),
    "面料": ("materials", "fabric"), "什么做的": ("materials",), "用什么做": ("materials",),
    "产地": ("origin",), "哪里产": ("origin",), "哪里生产": ("origin",), "哪国": ("origin",), "在哪生产": ("origin",),
    "清洗": ("care",), "洗涤": ("care",), "机洗": ("care",), "手洗": ("care",), "洗碗机": ("care",),
    "熨烫": ("care",), "烘干": ("care",), "保养": ("care",), "怎么洗": ("care",),
    "保修": ("warranty",), "质保": ("warranty",), "保固": ("warranty",),
    "兼容": ("compatibility",), "适配": ("compatibility",), "适用于": ("compatibility",), "能用在": ("compatibility",),
    "电磁炉": ("compatibility",), "燃气灶": ("compatibility",),
    "容量": ("capacity", "volume"), "几升": ("capacity", "volume"), "多少升": ("capacity", "volume"),
    "装多少": ("capacity", "volume"), "几个人": ("capacity",), "几人": ("capacity",),
    "电池": ("battery_life", "battery"), "续航": ("battery_life",), "电量": ("battery_life", "battery"),
    "能用多久": ("battery_life", "burn_time"), "保冷": ("keeps_cold",), "保温": ("keeps_hot", "insulation"),
    "充电": ("charging", "recharge_time", "battery"), "充满": ("recharge_time", "charging"),
    "防水": ("waterproof_rating", "waterproof", "water_resistance"),
    "防泼水": ("water_resistance", "waterproof_rating", "waterproof"),
    "耐水": ("water_resistance", "waterproof_rating", "waterproof"), "游泳": ("water_resistance", "waterproof_rating"),
    "亮度": ("brightness",), "多亮": ("brightness",), "流明": ("brightness",), "照多远": ("beam_distance",),
    "射程": ("beam_distance",), "飞机": ("airline_safe",), "登机": ("airline_safe",), "随身携带": ("airline_safe",),
    "托运": ("airline_safe",),
    "保暖": ("insulation", "temperature_rating", "comfort_rating", "fill", "temperature_range"),
    "暖和": ("insulation", "temperature_rating", "comfort_rating", "fill"),
    "怕冷": ("temperature_rating", "comfort_rating", "limit_rating", "insulation"),
    "耐寒": ("temperature_rating", "comfort_rating", "limit_rating", "insulation"),
    "零下": ("temperature_rating", "comfort_rating", "limit_rating"),
    "温度": ("temperature_rating", "comfort_rating", "temperature_range"),
    "烤箱": ("oven_safe",), "素食": ("vegan",), "纯素": ("vegan",), "降噪": ("noise_cancelling",),
    "噪音": ("noise_cancelling",), "合身": ("fit", "sizing"), "版型": ("fit", "sizing", "torso_fit"),
    "尺码": ("fit", "sizing"), "偏大": ("fit", "sizing"), "偏小": ("fit", "sizing"),
    "气味": ("scent", "fragrance"), "味道": ("scent", "fragrance"), "香味": ("fragrance", "scent"),
    "防晒": ("spf",), "spf": ("spf",), "成分": ("key_ingredients", "active_ingredients"), "肤质": ("skin_type",),
    "保质期": ("shelf_life",), "过期": ("shelf_life",), "接口": ("ports",), "端口": ("ports",),
    "蓝牙": ("bluetooth", "connectivity"), "多少瓦": ("output", "power"), "瓦数": ("output", "power"),
    "功率": ("power", "output"), "快充": ("fast_charge", "output"), "型号": ("model_number",),
}

DESCRIPTION_HINTS: dict[str, tuple[str, ...]] = {
    "亮度": ("lumens", "lumen", "brightness", "light"), "流明": ("lumens", "brightness"),
    "颜色": tuple(dict.fromkeys(COLOR_ALIASES.values())) + ("color", "colour", "colors", "colours"),
    "材质": ("made", "aluminum", "aluminium", "steel", "stainless", "leather", "nylon", "polyester",
             "cotton", "wool", "carbon", "rubber", "plastic", "wood", "bamboo", "ceramic", "glass",
             "titanium", "canvas", "mesh", "fabric", "materials", "down"),
    "面料": ("made", "materials", "nylon", "polyester", "cotton", "wool", "fabric"),
    "防水": ("waterproof", "water-resistant", "water", "resistant", "rain"),
    "保暖": ("warm", "insulated", "insulation", "fleece", "down", "thermal"),
    "重量": ("lightweight", "weight", "weighs", "heavy", "light"), "轻便": ("lightweight", "light", "weight"),
    "舒适": ("comfort", "comfortable", "padded"), "舒服": ("comfort", "comfortable", "padded"),
}

GENERIC_NOUNS = frozenset("""
礼物 礼品 东西 产品 商品 选择 推荐 建议 款式 类型 种类 品牌 系列 优惠 特价 打折 活动 新品 好物
""".split())

# Chinese kinds of product -> the catalog's (English) category words, keyed by the token the
# product directory looks up (the last one ``words`` cuts the kind into: 运动鞋 -> 动鞋).
CATEGORY_OF: dict[str, tuple[str, ...]] = {stem(words(kind)[-1], plural_only=True): categories
                                           for kind, categories in {
    "鞋子": ("footwear",), "鞋": ("footwear",), "跑鞋": ("footwear",), "运动鞋": ("footwear",), "靴子": ("footwear",),
    "凉鞋": ("footwear",), "拖鞋": ("footwear",), "登山鞋": ("footwear",), "徒步鞋": ("footwear",),
    "衣服": ("apparel", "jackets"), "服装": ("apparel", "jackets"), "外套": ("jackets",), "夹克": ("jackets",),
    "冲锋衣": ("jackets",), "雨衣": ("jackets",), "羽绒服": ("jackets",), "大衣": ("jackets", "apparel"),
    "衬衫": ("apparel",), "T恤": ("apparel",), "上衣": ("apparel",), "裤子": ("apparel",), "卫衣": ("apparel",),
    "厨具": ("kitchen",), "锅": ("kitchen",), "炒锅": ("kitchen",), "餐具": ("kitchen",), "护肤品": ("beauty",),
    "化妆品": ("beauty",), "彩妆": ("beauty",), "电子产品": ("electronics",), "耳机": ("electronics",),
    "充电器": ("electronics",), "数码": ("electronics",), "家具": ("home",), "家居": ("home",), "装饰": ("home",),
    "包": ("bags",), "背包": ("bags",), "双肩包": ("bags",), "包包": ("bags",), "行李箱": ("bags",),
    "露营": ("outdoor",), "帐篷": ("outdoor",), "徒步": ("outdoor", "trekking"), "登山": ("outdoor", "trekking"),
}.items()}

COUNTRY_ALIASES: dict[str, str] = {
    "英国": "united kingdom", "英格兰": "united kingdom", "苏格兰": "united kingdom", "美国": "united states",
    "新西兰": "new zealand", "韩国": "south korea", "南非": "south africa", "荷兰": "netherlands",
    "德国": "germany", "法国": "france", "西班牙": "spain", "意大利": "italy", "奥地利": "austria",
    "比利时": "belgium", "爱尔兰": "ireland", "瑞典": "sweden", "丹麦": "denmark", "芬兰": "finland",
    "希腊": "greece", "波兰": "poland", "捷克": "czechia", "匈牙利": "hungary", "罗马尼亚": "romania",
    "卢森堡": "luxembourg", "克罗地亚": "croatia", "保加利亚": "bulgaria", "斯洛伐克": "slovakia",
    "斯洛文尼亚": "slovenia", "立陶宛": "lithuania", "拉脱维亚": "latvia", "爱沙尼亚": "estonia",
    "塞浦路斯": "cyprus", "葡萄牙": "portugal", "马耳他": "malta", "加拿大": "canada", "墨西哥": "mexico",
    "澳大利亚": "australia", "澳洲": "australia", "日本": "japan", "中国": "china", "大陆": "china",
    "印度": "india", "巴西": "brazil", "阿根廷": "argentina", "智利": "chile", "挪威": "norway",
    "瑞士": "switzerland", "冰岛": "iceland", "新加坡": "singapore", "以色列": "israel", "土耳其": "turkey",
    "俄罗斯": "russia", "乌克兰": "ukraine", "埃及": "egypt", "菲律宾": "philippines", "印尼": "indonesia",
    "印度尼西亚": "indonesia", "马来西亚": "malaysia", "泰国": "thailand", "越南": "vietnam",
    "哥伦比亚": "colombia", "秘鲁": "peru", "香港": "hong kong", "台湾": "taiwan", "澳门": "macau",
}
COUNTRIES = frozenset("""
canada mexico australia japan china india brazil argentina chile norway switzerland iceland
singapore israel turkey russia ukraine egypt nigeria kenya philippines indonesia malaysia thailand
vietnam colombia peru taiwan macau
""".split()) | {"new zealand", "south korea", "south africa", "united kingdom", "hong kong"}
EU_COUNTRIES = frozenset("""
austria belgium bulgaria croatia cyprus czechia czech denmark estonia finland france germany greece
hungary ireland italy latvia lithuania luxembourg malta netherlands poland portugal romania
slovakia slovenia spain sweden
""".split())

PHRASE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_any("退款", "退钱", "把钱退", "钱退回", "返还"), "refund"),
    (_any("退货", "退回", "寄回", "退掉", "七天无理由"), "return"),
    (_any("换货", "换一件", "换个尺码", "换尺码", "换颜色", "调换"), "exchange"),
    (_any("发货", "快递", "物流", "运费", "包邮", "配送", "寄到", "送到", "邮寄"), "shipping"),
    (_any("比特币", "加密货币", "虚拟货币", "bitcoin"), "cryptocurrency"),
    (_any("营业时间", "几点上班", "几点下班", "什么时候上班"), "hours"),
    (_any("电话", "打给你们", "客服热线"), "contact phone"),
    (_any("付款", "支付", "支付宝", "微信支付", "信用卡", "花呗"), "payment"),
)

# --- budgets and money: "100元以下", "不超过200块", "预算300左右", "¥50以内" ----------------------------
AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?[万千]?)"
_CURRENCY = r"(?:元|块钱|块|人民币|rmb|美元|刀|欧元|欧)"
BUDGET_RE = re.compile(
    r"(?:预算(?:是|在|大概|大约|只有|为|差不多)?|不超过|不要超过|别超过|不高于|低于|少于|最多|顶多|"
    r"最高|便宜于|以内的?价格?)\s*(?:[¥￥$€]|人民币)?\s*" + AMOUNT + r"\s*" + _CURRENCY + "?"
    r"|(?:[¥￥$€])?\s*" + AMOUNT + r"\s*" + _CURRENCY + r"?\s*(?:以下|以内|之内|内|左右|上下|封顶)", re.I)
_BUDGET_FILLER = frozenset("""
预算 大概 大约 差不多 只有 最多 顶多 不超过 不要 超过 以内 以下 左右 我 的 是 在 能 可以 花 想 元 块 钱
块钱 人民币 吧 呢 啊 哦 嗯 就 也 不 高于 低于 之内 上下 为 只 要 一下 价格 价位
""".split())
_MONEY_RE = re.compile(r"(?:[¥￥$€£]\s?" + AMOUNT + r"|" + AMOUNT + r"\s?" + _CURRENCY + ")", re.I)
_REFUND_CONTEXT = _any("退款", "退钱", "退货", "退回", "付了", "花了", "扣了", "扣款", "扣费", "赔偿",
                       "补偿", "返还", "钱退", "收费")
_REFUND_BARE = re.compile(r"(?:退款|退钱|退)\s*(?:[¥￥$]\s*)?" + AMOUNT, re.I)

# --- follow-ups: "那黑色的呢?", "另一个呢?", "那XL的有吗?" --------------------------------------------
_OTHER_ONE_RE = _any("另一个", "另外一个", "另一款", "另外那个", "另外那款", "第一个", "第一款",
                     "前一个", "上一个", "之前那个", "刚才那个", "刚才那款")
_ELLIPSIS_LEAD = r"(?:那么|那|还有|另外|再|也|或者|那如果)"
# "那黑色的呢?", "还有别的吗", "有红色的吗" (a kind of the one in focus: "...的" with no noun)
_ELLIPSIS_RE = re.compile(r"^\s*(?:那么|那(?!个|款|些|里)|还有|另外|或者)|呢\s*[?？]?\s*$|"
                          r"^\s*有(?:没有)?[^\s，,。？?]{1,6}的(?:吗|么|嘛|没有)?\s*[?？]?\s*$", re.I)
_PRONOUN_RES = (
    _any("另一个", "另外一个", "另一款", "另外那个", "第一个", "前一个", "上一个", "之前那个", "刚才那个"),
    _any("这个产品", "这款产品", "这个商品", "同一款", "同款"),
    _any("它们", "它", "这款", "那款", "这件", "那件", "这双", "那双", "这个", "那个", "这只", "那只", "这台", "那台"),
    _any("这些", "那些"),
)
_ORDER_WORDS = _any("订单", "包裹", "快递", "物流", "发货", "送达", "到货", "单号", "运单")

# --- how shoppers ask -------------------------------------------------------------------------------
LISTING = _any("有没有", "有卖", "卖不卖", "推荐", "介绍一下", "给我看看", "想买", "想找", "找一款", "找一个",
               "求推荐", "哪款好", "有什么好", "有哪些", r"有.{1,12}吗", "需要一[个款双件]")
STORE_OVERVIEW = re.compile(r"你们(?:都|店里?|这里)?(?:卖|有)(?:些)?(?:什么|啥|哪些)(?:东西|产品|商品)?\s*[?？]?\s*$|"
                            r"都有(?:什么|哪些)(?:产品|商品|东西)")
ALTERNATIVE = _any("换一个", "换个", "换一款", "别的", "其他", "其它", "另外的", "替代", "不同的", "还有别")
SIMILAR_ASK = _any("类似", "相似", "差不多的", "像这(?:个|款|样)", "像它", "同类", "同款", "相近的", "替代品", "一样的(?:东西|商品|产品)")
COMPLEMENT_ASK = _any("搭配", "配什么", "配套", "一起买", "配件", "相配", "搭什么", "(?:和|跟|与)它配", "适合.{0,4}一起")
COMPARE = _any("哪个", "哪款", "哪一个", "哪一款", "比较", "对比", "区别", "差别", "不同", "更好", "还是", r"\bvs\b", "相比")
SIZING = _any("尺码", "码数", "偏大", "偏小", "正码", "尺码表", "选多大", "穿多大", "什么码", "哪个码",
              "大一码", "小一码", "大一号", "小一号", "标准码")
POLICY_WORDS = _any("退货", "退款", "换货", "退换", "发货", "快递", "运费", "配送", "物流", "订单", "付款",
                    "支付", "保修", "质保", "索赔", "坏了", "损坏", "破损", "缺件", "发错", "到货", "追踪",
                    "单号", "寄回", "优惠", "折扣", "优惠券", "礼品卡")
OTHERS_DATA = re.compile(r"(?:别人|其他(?:客户|顾客|用户|买家)|另一个(?:客户|顾客|买家)|那个(?:客户|顾客|买家))"
                         r".{0,20}(?:姓名|名字|地址|电话|手机号|邮箱|信息|资料|订单)|谁(?:买了|下单了|订了|买过)")
FREEBIE = re.compile(r"(?:给我|发我|生成|弄个|送我|来个|发个|给个).{0,10}(?:优惠码|折扣码|优惠券|代金券|折扣)|"
                     r"免单|白送|免费送|100%折扣|零元购")
PRICE_ASK = _any("多少钱", "价格", "价钱", "售价", "贵不贵", "贵吗", "便宜", "怎么卖", "几块钱", "什么价", "报价", "费用")
YES_NO = re.compile(r"吗\s*[?？]?\s*$|^\s*(?:是不是|能不能|可不可以|有没有|会不会|支不支持|是否)")
ASKED_NOUN = re.compile(
    r"(?:有没有|有卖|想买|想找|推荐(?:一下)?|给我看看|找一[款个双件]|需要)\s*"
    r"(?:一些|一[款个双件]|几款|什么|好的|便宜的|好用的|其他的?)?"
    r"(?P<np>[^\s，,。.？?！!吗呢的]{1,12}?)(?=吗|呢|么|嘛|，|,|。|？|\?|！|!|$|适合|用于|给|在|以下|以内|左右|\d)"
    r"|你们(?:有|卖)(?:哪些|什么)(?P<np2>[^\s，,。？?]{1,8}?)(?=吗|呢|？|\?|$)")
USE_PREPOSITION = re.compile(r"(?:用于|适合|用来|用在|在)\s*\S{0,6}$")

# --- sentiment (phrases are matched anywhere, before the words) ----------------------------------
_NEG_PHRASES = {
    "太差了": -3, "气死我了": -3, "气死了": -3, "受够了": -3, "再也不": -2.5, "浪费时间": -2.5,
    "不满意": -2, "很不满": -2.5, "不能接受": -3, "无法接受": -3, "开什么玩笑": -2.5, "搞什么": -2.5,
    "什么破": -2.5, "烂透了": -3, "没人理": -2, "没人回": -2, "没人管": -2, "坑人": -3, "骗人": -3,
    "太慢了": -2, "失望透顶": -3, "不靠谱": -2, "不好用": -1.5, "忍无可忍": -3, "没耐心": -2.5,
    "什么鬼": -2.5, "服务差": -2.5, "质量差": -2.5, "很差": -2.5, "真差": -2.5, "太烂": -3,
    "不能用": -1.5, "用不了": -1.5, "还没到": -1, "到现在还": -1.5,
}
_NEG_WORDS = {
    "垃圾": -3, "糟糕": -3, "恶心": -3, "离谱": -2.5, "过分": -2.5, "可笑": -2.5, "愤怒": -3, "生气": -2.5,
    "气愤": -3, "恼火": -2.5, "烦死": -2.5, "烦人": -2, "郁闷": -2, "失望": -2, "难用": -2, "骗子": -3,
    "欺骗": -2.5, "撒谎": -2.5, "敷衍": -2.5, "无语": -2, "坑爹": -3, "无能": -3, "废物": -3, "破烂": -2.5,
    "差劲": -3, "最差": -3, "讨厌": -2.5, "崩溃": -2.5, "急死": -2.5, "投诉": -2, "迟到": -1, "延迟": -1,
    "错了": -1, "问题": -0.5, "损坏": -1, "坏了": -1, "破了": -1, "缺少": -1, "少了": -1, "可惜": -1,
    "担心": -1, "着急": -1.5, "很慢": -1.5, "不爽": -2, "火大": -2.5, "吐槽": -1.5, "丢人": -2,
}
_POS_WORDS = {
    "谢谢": 1.5, "感谢": 2, "多谢": 1.5, "很好": 1.5, "不错": 1.5, "满意": 1.5, "喜欢": 2, "太棒了": 2.5,
    "很棒": 2, "棒": 2, "完美": 2, "优秀": 2, "厉害": 1.5, "方便": 1, "有用": 1.5, "有帮助": 2,
    "专业": 1.5, "耐心": 1.5, "开心": 1.5, "高兴": 1.5, "赞": 2, "给力": 2, "解决了": 1, "好评": 2,
    "靠谱": 1.5, "贴心": 2, "好用": 1.5, "划算": 1,
}
_INTENSIFIERS = {"很", "非常", "太", "特别", "超", "超级", "真", "真的", "极其", "十分", "相当", "完全",
                 "实在", "简直", "巨", "贼", "好"}
_DOWNTONERS = ("有点", "有一点", "稍微", "有些", "一点点", "略")
_NEGATORS = {"不", "没", "没有", "别", "从不", "从来没", "并不", "毫不", "绝不", "不太", "不是"}

_ABUSE_RE = re.compile(
    r"傻逼|傻b|傻屄|煞笔|沙比|(?<![a-z])sb(?![a-z])|他妈的?|妈的|你妈|操你|草你|卧槽|我靠|滚蛋|滚开|给我滚|"
    r"去死|脑残|白痴|蠢货|蠢猪|混蛋|王八蛋|狗屎|狗东西|智障|闭嘴|贱人|死骗子|畜生|尼玛|nmsl|cnm", re.I)
_DISSATISFIED_RE = re.compile(
    r"答非所问|不是我问的|我问的不是|没用(?!过)|没有用(?!过)|没帮助|帮不上忙|没帮上|听不懂|没听懂|你不懂|"
    r"理解错了|答错了|回答(?:不对|错了)|^\s*不对|说过了|我已经说了|已经告诉你|重复(?:了|的|同样)|一直说同样|"
    r"文不对题|没回答(?:我的)?问题|回答我的问题|看清楚我的问题|废话|浪费时间|牛头不对马嘴|"
    r"说了等于没说|没解决(?:我的)?问题|机器人听不懂")
_CANCEL_RE = re.compile(
    r"算了(?!一下|算)|没事了|不用了|不需要了|已经解决了?|问题解决了|搞定了|没关系了|取消吧|取消转人工|"
    r"不用转了|我自己解决|我找到了|忽略(?:吧|刚才)|当我没说|不麻烦了|好了好了")

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(r"起诉|告你们|告到|法院|打官司|法律途径|法律手段|追究法律责任|诉讼|"
                               r"投诉到(?:消协|工商|12315|市场监管)|消协|消费者协会|12315|工商局|市场监管|报警"),
    "lawyer": re.compile(r"律师|法务|律所|法律顾问"),
    "chargeback": re.compile(r"拒付|撤销(?:这笔)?(?:交易|付款|扣款)|(?:联系|找|打给|通知)(?:我的)?(?:银行|发卡行|"
                             r"信用卡中心)|信用卡(?:争议|申诉)|(?:支付宝|微信支付|paypal)(?:投诉|申诉|争议)|"
                             r"银行(?:追回|拒付|撤回)", re.I),
    "safety_issue": re.compile(r"着火|起火|冒火|自燃|爆炸|炸了|火花|过热|发烫|烫手|融化|熔化|冒烟|烧焦|焦味|"
                               r"触电|漏电|电到我|窒息|有毒|毒性|危险|安全隐患|召回"),
    "injury": re.compile(r"受伤|伤到|割伤|划伤|烫伤|烧伤|流血|出血|医院|急诊|缝针|骨折|过敏反应|过敏|"
                         r"起疹子|皮疹|红肿|扭伤|脑震荡"),
    "fraud": re.compile(r"诈骗|欺诈|被骗|盗刷|未经授权|未授权|不是我(?:下|买|订)的|我(?:没有?|从来没)(?:下过|买过|"
                        r"订过|下单)|被盗|盗号|账号被黑|被黑了|钓鱼|身份盗用|冒用|没有?经过我(?:的)?(?:同意|允许)|"
                        r"有人(?:用|盗用|冒用)了?我的(?:卡|账号|信用卡|银行卡)"),
}

# --- asks for a person ------------------------------------------------------------------------
_WHO = (r"(?:人工客服|人工服务|人工坐席|人工(?!智能)|真人客服|真人|活人|客服人员|工作人员|真正的(?:人|客服)|"
        r"你们的?(?:客服|经理|主管|负责人|工作人员|店长)|经理|主管|负责人|店长|售后人员)")
_HUMAN_RES = (
    re.compile(r"(?:转|转接|接|找|要|换|叫|呼叫|联系|切换到?|给我|请求)\s*(?:一下|一个|个)?\s*" + _WHO),
    re.compile(r"(?:跟|和|与|同)\s*(?:一个|个)?\s*" + _WHO + r"\s*(?:说话|聊|谈|沟通|通话|对话|讲|联系)"),
    re.compile(r"^\W*(?:转人工|人工|人工客服|真人|真人客服|人工服务)(?:\s*(?:吧|啊|呀|谢谢|快点|服务))?\W*$"),
    re.compile(r"人工客服|人工服务|真人客服"),
    re.compile(r"(?:打电话给我|给我打(?:个)?电话|回(?:个)?电话给我|给我回电|回电话)"),
    re.compile(r"让\s*" + _WHO + r"\s*(?:来|处理|看看|跟进|接手|联系我)"),
)
# Negations, questions about the bot and past mentions ("跟客服说过了") cancel a
# match in their clause; the learned readings are cancelled by them anywhere.
_HUMAN_NEGATED = re.compile(r"不(?:需|要|用|想|必)|别|无需|没必要|用不着|甭|你是|是不是|你们是|我是在跟|"
                            r"(?:说|聊|谈|联系|沟通)过")
_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?、~～]|但是|可是|不过|只是|就是")

_ARRIVAL_RE = _any("收到", "到货", "送到", "寄来", "一打开", "开箱", "拆开", "刚买", "全新", "包装里",
                   "快递到", "到手", "签收")
_IN_USE_RE = re.compile(r"用了(?:\S{0,3})(?:天|周|星期|个月|月|年|次)|使用(?:了)?(?:一段时间|几天|几周|几个月)|"
                        r"正常使用|用着用着|穿了(?:\S{0,3})(?:天|周|次|个月)|洗了(?:几|一|两)次|突然坏了|"
                        r"不工作了|不能用了|充电的时候|用了一段时间|用久了|没用多久")
_GREETING_WORDS = {
    "你好", "您好", "嗨", "哈喽", "哈啰", "早上好", "上午好", "下午好", "晚上好", "早", "谢谢", "多谢",
    "感谢", "谢啦", "再见", "拜拜", "好的", "好", "嗯", "嗯嗯", "在吗", "在不在", "有人吗", "hello", "hi",
    "ok", "客服", "你们", "辛苦了", "没问题", "收到", "知道了", "明白了", "你", "您", "大家", "啦", "呀",
    "啊", "哈", "了", "吗", "呢", "哦", "非常", "太",
}
_LEADING_GREETING = re.compile(r"^\s*(?:(?:你好|您好|嗨|哈喽|哈啰|hello|hi|早上好|下午好|晚上好|在吗|亲)"
                               r"\s*[，,.!！。:：~～]*\s*)+", re.I)

VARIANT_WORDS = ("有货", "现货", "库存", "缺货", "售罄", "断货", "颜色", "尺码", "码数", "大小", "规格",
                 "款式", "型号", "选项", "版本", "小号", "中号", "大号")
_QUESTION_FRAME = _any("多长时间", "多久", "多少", "多快", "多常", "几天")
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

_SIZE_WORDS = {"特小号": "XS", "加小": "XS", "小号": "S", "小码": "S", "中号": "M", "中码": "M",
               "大号": "L", "大码": "L", "加大号": "XL", "加大": "XL", "特大号": "XXL"}
_SIZES = r"xxs|xs|xxxl|xxl|xl|2xl|3xl|s|m|l"
_SIZE_RES = (
    re.compile(r"(?:尺码|码数|尺寸|号码|size)\s*(?:是|为|要|选)?\s*(" + _SIZES + r"|\d{1,2}(?:\.5)?)(?![a-z\d])", re.I),
    re.compile(r"(?<![a-z])(" + _SIZES + r")\s*(?:码|号)", re.I),
    re.compile(r"(?<![a-z\d])(xxs|xs|xxxl|xxl|xl|2xl|3xl)(?![a-z\d])", re.I),
    re.compile(r"(?<!\d)(\d{2}(?:\.5)?)\s*(?:码|号)(?!码)"),
    re.compile(r"(特小号|加小|小号|小码|中号|中码|加大号|特大号|大号|大码|加大)"),
)


# a short yes / no reply (the order desk's confirmation): its first word says which
AGREE = re.compile(r"^\s*(?:是的|是|好的|好|对的|对|可以|确认|没问题|行|嗯)", re.I)
REFUSE = re.compile(r"^\s*(?:不|别|算了)", re.I)

# how a message of several questions is split (assistant/answers/questions.py): "多重？多少升？",
# "多少钱，还有多重": question words and particles anywhere in a clause, and what joins a second one on
_QUESTION_WORDS = r"多少|多久|多重|多大|多长|多高|多宽|几|什么|啥|怎么|怎样|如何|哪|吗|嘛|呢|是否|能否|有没有|是不是|可不可以|能不能"
_QUESTION_OPENERS = r"请问"
_QUESTION_JOINERS = r"还有|另外|以及|并且|而且|顺便问一下|顺便"

LEXICON = Lexicon(
    language="zh",
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
