"""A reproducible detection test set: Chinese pages in every encoding jinghua meets, built from a seed.

The text is our own: sentences written for this set and sentences filled from templates with
words of jieba's dictionary (place names, organisations, nouns, verbs), in Simplified and, through
OpenCC, Traditional script. Each sample is a page (HTML or plain text) encoded one way, with the
exact text a decoder should give back. Used by ``tests/test_detection.py`` and ``bench/detection.py``.
"""

from __future__ import annotations

import codecs
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pipeline.script import get_converter

SENTENCES = (
    "新修的环城绿道昨天全线贯通，沿途设置了十二个休息驿站。",
    "老街改造工程进入收尾阶段，临街商铺将在下月陆续恢复营业。",
    "气象台发布暴雨黄色预警，提醒市民减少不必要的外出。",
    "今年春耕期间，全县共投放良种八百多吨，比去年增加一成。",
    "这所乡村小学新建了图书角，孩子们课间有了读书的地方。",
    "夜间公交线路从本周起延长运营时间，末班车推迟到十一点半。",
    "社区卫生服务中心开设了老年人就诊绿色通道。",
    "河道清淤工作已经完成，两岸新栽种了三千多棵垂柳。",
    "博物馆推出青铜器特展，展出文物一百二十余件。",
    "志愿者走进敬老院，为老人们理发、量血压、打扫房间。",
    "由于道路施工，东大街部分路段将实行单向通行。",
    "农贸市场的蔬菜价格总体平稳，鸡蛋价格略有回落。",
    "这场马拉松吸引了来自二十多个省份的八千名选手参赛。",
    "新能源汽车充电桩覆盖了全部乡镇，方便群众绿色出行。",
    "专家提醒，秋冬季节是呼吸道疾病的高发期，要注意防护。",
    "高铁站改扩建后，每天可以多发送旅客约两万人次。",
    "这位退休教师二十年如一日，义务为村里孩子辅导功课。",
    "图书馆延长了周末开放时间，自习区座位经常坐满。",
    "茶农们正抓住晴好天气采摘秋茶，今年的产量好于预期。",
    "消防部门开展安全检查，督促商场整改了十一处隐患。",
)
# Cantonese in Traditional script, with characters that only Big5-HKSCS has (嘅 咗 啲 嚟 喺 㗎 嘢 哋).
CANTONESE = (
    "佢哋話呢度嘅交通改善咗好多。",
    "今日嚟參觀嘅市民比琴日多啲。",
    "呢個展覽喺週末都會開放㗎。",
    "街坊都話新開嘅街市啲嘢好新鮮。",
    "巴士公司話下個月會加開夜班車，方便佢哋返工。",
    "老師講咗好多次，落雨天要帶遮。",
)
# Names with characters outside GBK, which only GB18030 encodes (䶮 in two bytes, 㛃 㐀 𠀾 in four).
GB18030_ONLY = ("刘䶮", "王㛃", "李㐀", "陈𠀾")
TEMPLATES = (
    "{ns}{nt}近日召开座谈会，听取群众对{n}工作的意见。",
    "记者从{ns}获悉，当地今年将{v}一批{n}项目。",
    "{nr}表示，{n}和{n}是下一步工作的重点。",
    "为了{v}{n}，{ns}专门成立了工作小组。",
    "在{ns}，{n}已经成为不少年轻人的新选择。",
    "{nt}发布通知，要求各单位做好{n}准备。",
    "据{nr}介绍，这批{n}预计年底前投入使用。",
    "{ns}的{n}产业去年产值突破了十亿元。",
)
NAV = ("首页", "新闻", "本地", "财经", "体育", "图片")
FOOTER = "版权所有 本站联系电话 举报邮箱"
# Declared names that can lie about a page, by what they are not.
LIES = ("utf-8", "gb2312", "gbk", "big5", "iso-8859-1", "shift_jis", "windows-1252", "euc-kr")
FAMILY = {"gb2312": "gb", "gbk": "gb", "gb18030": "gb", "big5": "big5", "big5hkscs": "big5", "utf-8": "utf-8"}
KINDS = ("gb18030", "gbk", "big5", "big5-hkscs", "utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom",
         "utf-16le", "utf-16be", "meta-lies", "short", "mixed")


@dataclass(frozen=True)
class Sample:
    """One generated file: its bytes and the text a decoder must give back."""

    name: str
    kind: str
    data: bytes
    text: str


@cache
def _words() -> dict[str, tuple[str, ...]]:
    """jieba's most frequent two- to four-character Han words by part of speech."""
    by_tag: dict[str, list[tuple[int, str]]] = {"ns": [], "nt": [], "n": [], "v": [], "nr": []}
    for line in resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[2] in by_tag and 2 <= len(parts[0]) <= 4 and all(
                "\u4e00" <= ch <= "\u9fff" for ch in parts[0]):
            by_tag[parts[2]].append((int(parts[1]), parts[0]))
    return {tag: tuple(w for _, w in sorted(words, reverse=True)[:300]) for tag, words in by_tag.items()}


def _sentence(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(SENTENCES)
    words = _words()
    template = rng.choice(TEMPLATES)
    while "{" in template:
        start = template.index("{")
        end = template.index("}", start)
        template = template[:start] + rng.choice(words[template[start + 1:end]]) + template[end + 1:]
    return template


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeError:
        return False
    return True


def _paragraphs(rng: random.Random, n: int, traditional: bool, codec: str) -> list[str]:
    """``n`` paragraphs of one to three sentences that ``codec`` can encode."""
    s2t = get_converter("s2t")
    out: list[str] = []
    while len(out) < n:
        para = "".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
        if traditional:
            para = s2t.convert(para)
        if _encodable(para, codec):
            out.append(para)
    return out


def _page(rng: random.Random, paras: list[str], html: bool, charset: str | None, traditional: bool) -> str:
    title = paras[0][: rng.randint(8, 16)].rstrip("，。")
    if not html:
        return "\n".join([title, *paras]) + "\n"
    s2t = get_converter("s2t")
    meta = f'<meta charset="{charset}">' if charset else ""
    nav = "".join(f'<a href="/{i}">{s2t.convert(w) if traditional else w}</a>' for i, w in enumerate(NAV))
    footer = s2t.convert(FOOTER) if traditional else FOOTER
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return (f"<!DOCTYPE html>\n<html><head>{meta}<title>{title}</title></head>\n<body><nav>{nav}</nav>\n"
            f"<h1>{title}</h1>\n{body}\n<footer>{footer}</footer></body></html>\n")


def _plain(rng: random.Random, kind: str) -> tuple[bytes, str]:
    """A page in one encoding, with or without BOM or (correct) declaration."""
    codec, bom, names = {
        "gb18030": ("gb18030", b"", ("gb18030", "gbk", "gb2312")), "gbk": ("gbk", b"", ("gbk", "gb2312")),
        "big5": ("big5", b"", ("big5",)), "big5-hkscs": ("big5hkscs", b"", ("big5-hkscs", "big5")),
        "utf-8": ("utf-8", b"", ("utf-8",)), "utf-8-bom": ("utf-8", codecs.BOM_UTF8, ("utf-8",)),
        "utf-16le-bom": ("utf-16-le", codecs.BOM_UTF16_LE, ()), "utf-16be-bom": ("utf-16-be", codecs.BOM_UTF16_BE, ()),
        "utf-16le": ("utf-16-le", b"", ()), "utf-16be": ("utf-16-be", b"", ()),
    }[kind]
    traditional = kind.startswith("big5") or rng.random() < 0.3
    paras = _paragraphs(rng, rng.randint(2, 8), traditional, codec)
    if kind == "big5-hkscs":
        paras.insert(rng.randint(0, len(paras)), rng.choice(CANTONESE))
    if kind == "gb18030":
        i = rng.randrange(len(paras))
        paras[i] = rng.choice(GB18030_ONLY) + "说，" + paras[i]
    html = rng.random() < 0.5
    charset = rng.choice(names) if names and rng.random() < 0.5 else None
    text = _page(rng, paras, html, charset, traditional)
    return bom + text.encode(codec), text


def _lying(rng: random.Random) -> tuple[bytes, str]:
    """An HTML page whose ``<meta charset>`` names an encoding the bytes are not in."""
    codec = rng.choice(("gbk", "big5", "gb18030", "utf-8"))
    lie = rng.choice([name for name in LIES if FAMILY.get(name) != FAMILY[codec]])
    traditional = codec == "big5" or rng.random() < 0.3
    paras = _paragraphs(rng, rng.randint(1, 6), traditional, codec)
    text = _page(rng, paras, True, lie, traditional)
    return text.encode(codec), text


def _short(rng: random.Random) -> tuple[bytes, str]:
    """One to three lines of text without markup or declaration."""
    codec = rng.choice(("gbk", "gb18030", "big5", "big5hkscs", "utf-8", "utf-16-le", "utf-16-be"))
    lines = _paragraphs(rng, rng.randint(1, 3), codec.startswith("big5") or rng.random() < 0.3, codec)
    text = "\n".join(lines) + ("\n" if rng.random() < 0.5 else "")
    return text.encode(codec), text


def _mixed(rng: random.Random) -> tuple[bytes, str]:
    """A UTF-8 template around an article body in GBK or Big5 (or a legacy page with a UTF-8 footer)."""
    codec = rng.choice(("gbk", "big5"))
    paras = _paragraphs(rng, rng.randint(2, 6), codec == "big5", codec)
    title = paras[0][:10]
    if rng.random() < 0.5:  # UTF-8 template, legacy article
        head = f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><nav>{" ".join(NAV)}</nav>\n'
        body = "".join(f"<p>{p}</p>\n" for p in paras)
        tail = f"<footer>{FOOTER}</footer></body></html>\n"
        return head.encode() + body.encode(codec) + tail.encode(), head + body + tail
    head = "\n".join([title, *paras]) + "\n"
    return head.encode(codec) + FOOTER.encode() + b"\n", head + FOOTER + "\n"


def build(count: int = 650, seed: int = 20261123) -> list[Sample]:
    """``count`` samples spread evenly over ``KINDS``, the same for the same seed."""
    rng = random.Random(seed)
    samples = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        if kind == "meta-lies":
            data, text = _lying(rng)
        elif kind == "short":
            data, text = _short(rng)
        elif kind == "mixed":
            data, text = _mixed(rng)
        else:
            data, text = _plain(rng, kind)
        samples.append(Sample(f"{i:04d}-{kind}", kind, data, text))
    return samples
