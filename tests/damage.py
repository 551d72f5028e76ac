"""A reproducible generator of encoding damage on clean Chinese text (issue #4).

Clean paragraphs are our own (``PARAGRAPHS``, Simplified, with digits, Latin letters, URLs and
legitimate question marks), their Traditional forms (OpenCC ``s2t``, ``s2tw``, ``s2hk``) and
sentences synthesised from templates filled with words of jieba's dictionary. :func:`cases` picks a
paragraph and a damage class and damages one to three random spans of it, all from
``random.Random(seed)``. Every class is a function ``(rng, span) -> damaged span | None`` (``None``
when the span cannot carry that damage, e.g. a character GBK lacks); ``REVERSIBLE`` classes lose no
information and must be repaired exactly, ``LOSSY`` ones lose bytes and must at least be flagged.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
import opencc

from pipeline.charmodel import is_han, lexicon
from pipeline.clean import UNREPAIRED, _repair
from pipeline.config import Config
from pipeline.records import Block
from pipeline.repair import find_corruption

PARAGRAPHS = """\
本周三上午，市交通运输局召开新闻发布会，介绍今年城市公交线网优化的进展情况。截至目前，全市已调整线路46条，新开通社区微循环巴士12条，市民平均候车时间缩短约3分钟。
受冷空气南下影响，预计未来三天我省大部分地区将出现明显降温，局地降幅可达10℃以上。气象部门提醒，外出请注意添衣保暖，驾车途经山区路段时要减速慢行。
在昨晚结束的省运会男子100米决赛中，来自沿海地市的小将以10秒35的成绩夺冠，这也是他本赛季第三次跑进10秒40。赛后他说：“我还有很大的提升空间。”
据了解，这座新建的图书馆总建筑面积约2.8万平方米，藏书容量超过150万册，设有少儿阅览区、古籍修复室和24小时自助借还区，预计明年春节前对外开放。
一家本地科技公司近日发布了新款智能手表，支持心率、血氧和睡眠监测，续航时间可达14天。公司负责人表示，产品首批订单已超过5万台，主要销往东南亚市场。
老街改造工程启动以来，施工方坚持“修旧如旧”的原则，保留了青砖灰瓦和木质门窗。不少老居民感慨：终于又看到了小时候熟悉的样子。
今年前三个季度，全省外贸进出口总值达到1.86万亿元，同比增长7.3%。其中，机电产品出口增长明显，新能源汽车、锂电池和光伏产品成为新的增长点。
为什么这条路总是堵车?市民王先生在热线中反映，早高峰时段路口信号灯配时不合理，左转车辆排队经常超过两百米。交警部门回复称，将在下月完成调整。
夜幕降临，江边的步行街热闹起来。烤串、米粉、糖水铺一字排开，游客们边走边吃，不时举起手机拍照。一位来自北方的游客说，这里的烟火气让人流连忘返。
医院近期上线了“先诊疗后付费”服务，患者在自助机上签约后，检查、取药都不用再排队缴费，就诊结束后通过手机一次性结算即可。
这场展览汇集了近百件明清时期的书画作品，其中不少是首次公开展出。策展人介绍，展品按照山水、花鸟、人物三个单元陈列，观众可以扫描二维码收听讲解。
运动员们在训练馆里挥汗如雨。主教练告诉记者，队伍正在针对下个月的亚洲锦标赛进行体能和技术强化，目标是至少拿下两枚金牌。
怎么才能让孩子爱上阅读?几位一线语文教师给出了建议：家长以身作则，每天固定半小时亲子共读，并且允许孩子自己挑选喜欢的书。
高速公路服务区新增了40个充电桩，电动汽车车主充电排队的问题得到缓解。工作人员说，节假日期间还会安排流动充电车支援。
研究团队利用卫星遥感数据，对过去二十年湿地面积的变化进行了分析，发现退耕还湿工程实施后，候鸟栖息地面积增加了约三成。
她在社区开了一间小小的修鞋铺，一干就是十八年。街坊邻居都说，鞋子坏了找她准没错，价格公道，手艺也好。
今年的农产品展销会吸引了来自23个省区市的800多家企业参展，现场签约金额超过9亿元。展会还首次设立了直播带货专区。
专家提醒，夏季是溺水事故高发期，家长要看护好孩子，不要到没有安全保障的水域游泳。一旦发现有人落水，应立即拨打110或120求助。
该市启动老旧小区加装电梯工作，符合条件的住户可申请每部最高20万元的财政补贴。相关政策可登录http://www.example.gov.cn/notice查询。
新赛季中超联赛将于3月初开幕，各队正在抓紧冬训。记者在训练基地看到，几名新援已经随队合练，与队友磨合得不错。
这款国产大飞机已累计交付用户30余架，安全运送旅客超过百万人次。航空公司表示，乘客对客舱的舒适度评价很高。
暴雨过后，志愿者们连夜清理河道里的淤泥和垃圾，确保第二天的汛期排水畅通。一位年过六旬的老党员说：“能出一份力，心里踏实。”
根据最新发布的报告，我国数字经济规模已连续多年位居世界第二，占GDP比重超过40%。报告预测，人工智能和云计算仍将保持较快增长。
学校食堂推出了“光盘行动”积分卡，学生每吃完一餐可盖一个章，集满二十个章就能兑换文具。一个学期下来，剩饭剩菜明显减少。
山区的茶农们正忙着采摘春茶。今年雨水充足，茶叶品质好，收购价比去年每斤高出15元左右，不少农户通过网店把茶叶卖到了全国各地。
你听说了吗?下周末体育中心有一场大型音乐节，门票开售不到一小时就被抢光了。主办方提醒，请勿从非官方渠道购买，以免上当受骗。
为保障春运安全，铁路部门将增开临时旅客列车120对，并在重点车站增设爱心服务台，为老人、孕妇和残疾旅客提供帮助。
博物馆推出的文创产品很受年轻人欢迎，一款以馆藏青铜器为原型设计的冰箱贴，上线三天销量就突破了1万件。
记者从海关获悉，今年1至8月，口岸共查验出入境旅客超过600万人次，同比增长近两倍，日均通关车辆达1.2万辆次。
他把退休后的时间都用在了种花上，阳台上摆满了月季、茉莉和三角梅。每到花开时节，总有邻居上门讨教养花经验。
The city's new metro line will open in December, with 18 stations over 25 km.
""".splitlines()

# Templates for synthesised sentences; each {} is filled with a random lexicon word.
TEMPLATES = (
    "{}和{}是{}的重要内容，{}部门要加强{}。",
    "据{}介绍，{}项目总投资{}亿元，预计{}年建成。",
    "记者{}日从{}获悉，{}已经{}，共有{}人参加。",
    "在{}的带动下，{}{}持续{}，{}明显提高。",
    "“{}，{}。”{}说，{}还需要{}。",
    "{}期间，{}共{}{}万人次，同比增长{}%。",
    "怎样{}?{}表示，关键在于{}和{}。",
    "{}({})是一种{}，主要用于{}。",
)


@cache
def _words() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Lexicon words of two to four Han characters common enough to read as news (count >= 200)."""
    items = [(w, n) for w, n in lexicon().items() if 2 <= len(w) <= 4 and n >= 200 and all(map(is_han, w))]
    items.sort()
    return tuple(w for w, _ in items), tuple(n for _, n in items)


def synthesize(rng: random.Random) -> str:
    """One sentence from a template, its slots filled by lexicon words (numbers for numeric slots)."""
    words, weights = _words()
    template = rng.choice(TEMPLATES)
    fill = []
    for i, _ in enumerate(re.findall(r"\{\}", template)):
        after = template.split("{}")[i + 1][:1]
        if after in "亿年人万%":
            fill.append(str(rng.choice([rng.randint(1, 2030), round(rng.uniform(0, 100), 1)])))
        else:
            fill.append(rng.choices(words, weights)[0])
    return template.format(*fill)


@cache
def _converters() -> tuple[opencc.OpenCC, ...]:
    return tuple(opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk"))


def variants(paragraph: str) -> list[str]:
    """A paragraph in Simplified and three Traditional standards."""
    return list(dict.fromkeys([paragraph] + [c.convert(paragraph) for c in _converters()]))


def clean_texts(seed: int, size: int) -> list[str]:
    """At least ``size`` bytes (UTF-8) of clean paragraphs: ours in every script, then synthesised
    paragraphs of three to six sentences, in Simplified or Traditional."""
    rng = random.Random(seed)
    out = [v for p in PARAGRAPHS for v in variants(p)]
    total = sum(len(p.encode()) for p in out)
    while total < size:
        para = "".join(synthesize(rng) for _ in range(rng.randint(3, 6)))
        if rng.random() < 0.4:
            para = rng.choice(_converters()).convert(para)
        out.append(para)
        total += len(para.encode())
    return out


# ---------------------------------------------------------------------------------------------
# Damage classes: (rng, span) -> damaged span, or None when the span cannot carry the damage.


def _encodes(text: str, codec: str) -> bytes | None:
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return None


def _as_single_byte(raw: bytes, rng: random.Random) -> str:
    """Bytes shown as Windows-1252 (its five undefined bytes as C1 controls, as browsers do) or Latin-1."""
    if rng.random() < 0.5:
        return raw.decode("latin-1")
    return "".join(bytes((b,)).decode("cp1252", "ignore") or chr(b) for b in raw)


def utf8_as_latin(rng: random.Random, span: str) -> str | None:
    """UTF-8 read as Windows-1252 or Latin-1 (``ä¸\\xadå\\x9b½`` for ``中国``)."""
    return _as_single_byte(span.encode(), rng) if rng.random() < 0.5 else span.encode().decode("sloppy-windows-1252")


def utf8_as_gbk(rng: random.Random, span: str) -> str | None:
    """UTF-8 read as GB18030 without a lost byte (``鍒颁綅`` for ``到位``)."""
    out = span.encode().decode("gb18030", "replace")
    return out if "\ufffd" not in out and out != span else None


def utf8_as_gbk_lost(rng: random.Random, span: str) -> str | None:
    """UTF-8 read as GBK where odd bytes were lost: U+FFFD, ``?`` or nothing in their place."""
    out = span.encode().decode("gbk", "replace")
    if "\ufffd" not in out:
        return None
    form = rng.choice(["\ufffd", "?", ""])
    return out.replace("\ufffd", form)


def gbk_as_latin(rng: random.Random, span: str) -> str | None:
    """GBK read as Windows-1252 or Latin-1 (``ÖÐ¹ú`` for ``中国``)."""
    raw = _encodes(span, "gbk")
    return _as_single_byte(raw, rng) if raw and raw != span.encode() else None


def big5_as_gbk(rng: random.Random, span: str) -> str | None:
    """Big5 read as GB18030 (``い瓣`` for ``中國``)."""
    raw = _encodes(span, "big5")
    return raw.decode("gb18030") if raw and raw != span.encode() else None


def gbk_as_big5(rng: random.Random, span: str) -> str | None:
    """GBK read as Big5-HKSCS (``笢弊`` for ``中国``); only spans every byte pair of which Big5 reads."""
    raw = _encodes(span, "gbk")
    if not raw or raw == span.encode():
        return None
    out = raw.decode("big5hkscs", "replace")
    ok = "\ufffd" not in out and len(out) == len(span) and _encodes(out, "big5hkscs") == raw
    return out if ok else None


def lossy_gbk(raw: bytes) -> str:
    """GBK decoded the way scraped pages were: an invalid pair becomes ``?`` and swallows the byte
    after its lead when that is ASCII."""
    out, i = [], 0
    while i < len(raw):
        if raw[i] < 0x80:
            out.append(chr(raw[i]))
            i += 1
            continue
        try:
            out.append(raw[i : i + 2].decode("gbk"))
            i += 2
        except UnicodeDecodeError:
            out.append("?")
            i += 2 if i + 1 < len(raw) and raw[i + 1] < 0x80 else 1
    return "".join(out)


def gbk_shift(rng: random.Random, span: str) -> str | None:
    """A GBK stream that lost the lead byte of one character (``?`` in its place) and is read one
    byte off after it (``公?居媱澝`` for ``公司計劃明``). The span's first character is kept, so the
    damage sits inside Han text."""
    raw = _encodes(span, "gbk")
    if not raw or len(span) < 3 or not all(map(is_han, span[:2])):
        return None
    lead = span[1].encode("gbk")
    if 0x40 <= lead[1] <= 0x7E:  # an ASCII trail byte keeps the stream in step: lost-bytes, not a shift
        return None
    return lossy_gbk(span[0].encode("gbk") + b"?" + raw[len(span[0].encode("gbk")) + 1 :])


_TRANSCODINGS: tuple[Callable[[random.Random, str], str | None], ...] = (utf8_as_latin, utf8_as_gbk, gbk_as_latin)


def double(rng: random.Random, span: str) -> str | None:
    """Two rounds of mojibake: a damaged span saved as UTF-8 and read as Windows-1252/Latin-1 again."""
    inner = rng.choice(_TRANSCODINGS)(rng, span)
    return utf8_as_latin(rng, inner) if inner else None


def entities(rng: random.Random, span: str) -> str | None:
    """Characters left as HTML numeric references, or escaped twice (``&amp;quot;``)."""
    out = []
    for ch in span:
        if ch in "&\"<>":
            out.append("&amp;" + html.escape(ch)[1:])
        elif ord(ch) > 0x7F:
            out.append(f"&#{ord(ch)};" if rng.random() < 0.5 else f"&#x{ord(ch):X};")
        else:
            out.append(ch)
    return "".join(out)


def escapes(rng: random.Random, span: str) -> str | None:
    r"""Characters left as JSON ``\uXXXX`` escapes."""
    if not any(ord(c) > 0x7F for c in span):
        return None
    return "".join(f"\\u{ord(c):04x}" if ord(c) > 0x7F else c for c in span)


# Lossy: the bytes are gone. Each is placed inside Han text, where the damage is visible.
_QUESTION_WORDS = "吗呢吧啊呀嘛么谁哪啥嗎麼誰"


def replacement(rng: random.Random, span: str) -> str | None:
    """Characters replaced by U+FFFD."""
    return "\ufffd" * rng.randint(1, 2) + span[1:] if is_han(span[0]) else None


def kunkao(rng: random.Random, span: str) -> str | None:
    """``锟斤拷``: U+FFFD written as UTF-8 and read as GBK."""
    return "锟斤拷" * rng.randint(1, 3) + span[2:] if is_han(span[0]) else None


def tangtang(rng: random.Random, span: str) -> str | None:
    """``烫烫烫``: uninitialised memory (0xCC) read as GBK."""
    return "烫" * rng.randint(3, 8) + span if is_han(span[0]) else None


def question_marks(rng: random.Random, span: str) -> str | None:
    """A character lost whole: its two GBK bytes became ``??``. Not after a question word, where
    ``??`` is as likely a real double question mark (``为什么??这件事``) and nothing can tell."""
    return "??" + span[1:] if is_han(span[0]) else None


REVERSIBLE: dict[str, Callable[[random.Random, str], str | None]] = {
    "utf8-as-latin": utf8_as_latin,
    "utf8-as-gbk": utf8_as_gbk,
    "gbk-as-latin": gbk_as_latin,
    "big5-as-gbk": big5_as_gbk,
    "gbk-as-big5": gbk_as_big5,
    "double": double,
    "entities": entities,
    "escapes": escapes,
}
LOSSY: dict[str, Callable[[random.Random, str], str | None]] = {
    "utf8-as-gbk-lost": utf8_as_gbk_lost,
    "gbk-shift": gbk_shift,
    "replacement": replacement,
    "kunkao": kunkao,
    "tangtang": tangtang,
    "question-marks": question_marks,
}
CLASSES = REVERSIBLE | LOSSY


@dataclass(frozen=True)
class Case:
    """One damaged paragraph: its class, the clean original and the damaged text."""

    kind: str
    clean: str
    damaged: str


def _span(rng: random.Random, text: str, kind: str) -> tuple[int, int]:
    """A random span: for lossy damage it starts at a Han character preceded by a Han character
    that is no question word; otherwise two to forty characters anywhere."""
    if kind in LOSSY:
        starts = [i for i in range(1, len(text) - 2) if is_han(text[i]) and is_han(text[i - 1])
                  and text[i - 1] not in _QUESTION_WORDS and is_han(text[i + 1])]
        if not starts:
            return 0, 0
        start = rng.choice(starts)
        return start, min(len(text), start + rng.randint(3, 12))
    length = rng.randint(2, min(40, len(text)))
    start = rng.randrange(0, len(text) - length + 1)
    return start, start + length


def damage(rng: random.Random, text: str, kind: str) -> str | None:
    """``text`` with one to three non-overlapping spans damaged by ``kind`` (one for lossy kinds),
    or ``None`` when no span could carry it."""
    fn = CLASSES[kind]
    spans: list[tuple[int, int, str]] = []
    for _ in range(1 if kind in LOSSY else rng.randint(1, 3)):
        for _attempt in range(8):
            start, end = _span(rng, text, kind)
            if end - start < 2 or any(start < e and end > s for s, e, _ in spans):
                continue
            if (out := fn(rng, text[start:end])) is not None and out != text[start:end]:
                spans.append((start, end, out))
                break
    if not spans:
        return None
    pieces, pos = [], 0
    for start, end, out in sorted(spans):
        pieces += [text[pos:start], out]
        pos = end
    return "".join([*pieces, text[pos:]])


def cases(seed: int, n: int) -> list[Case]:
    """``n`` damaged paragraphs, the classes taken in turn, each on a random clean paragraph (our
    own in any script, or a synthesised one)."""
    rng = random.Random(seed)
    ours = [v for p in PARAGRAPHS for v in variants(p)]
    kinds = list(CLASSES)
    out: list[Case] = []
    while len(out) < n:
        kind = kinds[len(out) % len(kinds)]
        if rng.random() < 0.5:
            text = rng.choice(ours)
        else:
            text = "".join(synthesize(rng) for _ in range(rng.randint(2, 4)))
            if rng.random() < 0.5:
                text = rng.choice(_converters()).convert(text)
        if (damaged := damage(rng, text, kind)) is not None:
            out.append(Case(kind, text, damaged))
    return out


def repaired(text: str, config: Config) -> Block:
    """``text`` through the pipeline's repair stage (with its ``repaired-guess`` flag), flagged
    ``unrepaired-corruption`` the way the normalize stage flags what find_corruption finds."""
    block = Block("body", text, 0, len(text))
    _repair([block], config)
    if find_corruption(block.text):
        block.flag(UNREPAIRED)
    return block


def judge(case: Case, config: Config) -> str:
    """``exact`` when the repair gives back the clean original, else ``flagged`` when the pipeline
    flags the paragraph, else ``wrong`` (a wrong repair, or damage nobody will know of)."""
    block = repaired(case.damaged, config)
    return "exact" if block.text == case.clean else "flagged" if block.flags else "wrong"
