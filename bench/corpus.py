"""A reproducible crawl-like corpus for benchmarks, generated from a seed.

Clauses of the sample pages in raw/ (our own text) are recombined into sentences, so that every
article is its own text, and wrapped in the mix a crawl gives: HTML portals and flattened text
dumps; UTF-8, GBK, Big5, UTF-16; Simplified and Traditional; portal chrome; mojibake at a low
rate; and reposts: about one article in twelve is an earlier one published again on another
site (in another encoding, script or markup), a third of those edited (a paragraph dropped or a
new headline: near duplicates). An article's text depends on (seed, number) alone, so a corpus
generated later can repost the articles of an earlier one (``reposts_of``).
"""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.clean import clean_document
from pipeline.config import load_config
from pipeline.script import get_converter

ROOT = Path(__file__).resolve().parent.parent
CHROME_HEAD = ["手机版 | 网站首页 | 返回首页", "当前位置：首页 > 新闻 > 本地", "【字体：大 中 小】 打印本页 关闭窗口",
               "点击收听 00:00/02:31", "分享到：微博 微信 QQ空间"]
CHROME_TAIL = ["相关新闻", "· 城区新增三处停车场", "· 夏季用电高峰来临", "（责任编辑：周某）",
               "版权所有 © 2023 本地新闻网 京ICP备10000000号"]


def sentence_pool() -> list[str]:
    """Clean Simplified sentences from the sample corpus."""
    config = load_config()
    pool: set[str] = set()
    for path in sorted((ROOT / "raw").rglob("*")):
        if path.is_file():
            result = clean_document(path.read_bytes(), path.name, config)
            for p in result.paragraphs:
                if p["kind"] == "body" and not p["flags"]:
                    pool.update(s + "。" for s in p["text"].split("。") if len(s) > 12)
    return sorted(pool)


def clause_pool() -> list[str]:
    """The clauses (between ``，`` and ``。``) of the sample sentences: 226 of them."""
    return sorted({c for s in sentence_pool() for c in s.rstrip("。").split("，") if len(c) >= 4})


PLACES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "重庆", "武汉", "西安", "天津", "苏州", "长沙",
          "郑州", "青岛", "厦门", "昆明", "合肥", "福州", "济南", "沈阳", "大连", "宁波", "无锡", "南宁", "贵阳",
          "兰州", "太原"]
REPOST = 1 / 12  # share of articles that are an earlier article published again
EDITED = 1 / 3  # share of reposts that were edited on the way


def article_text(seed: int, number: int, clauses: list[str]) -> tuple[str, list[str]]:
    """Headline and paragraphs of article ``number`` of the corpus of ``seed``: sentences of two to
    four clauses, paragraphs of two to four sentences."""
    rng = random.Random(f"{seed}/{number}/text")

    def sentence() -> str:
        return "，".join(rng.choice(clauses) for _ in range(rng.randint(2, 4))) + "。"

    title = f"{rng.choice(PLACES)}：{rng.choice(clauses)}，{rng.choice(clauses)}"
    return title, ["".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 12))]


def article(rng: random.Random, seed: int, number: int, clauses: list[str],
            reposts_of: tuple[int, int] | None) -> tuple[str, list[str]]:
    """The text of page ``number``: its own article, or a repost of an earlier one of this corpus
    or of ``reposts_of`` (seed, files), a third of them edited."""
    if rng.random() >= REPOST or not (number or reposts_of):
        return article_text(seed, number, clauses)
    if reposts_of and (not number or rng.random() < 0.5):
        title, paras = article_text(reposts_of[0], rng.randrange(reposts_of[1]), clauses)
    else:
        title, paras = article_text(seed, rng.randrange(number), clauses)
    if rng.random() < EDITED:
        if rng.random() < 0.5 and len(paras) > 4:
            del paras[rng.randrange(len(paras))]
        else:
            title = f"{rng.choice(PLACES)}：{rng.choice(clauses)}"
    return title, paras


def damage(rng: random.Random, text: str) -> str:
    """Mojibake (UTF-8 read as Latin-1) in about 2% of paragraphs."""
    if rng.random() < 0.02:
        return text.encode("utf-8").decode("latin-1")
    return text


def render(rng: random.Random, title: str, paras: list[str], html: bool) -> str:
    date = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    meta = f"发布时间：{date} 来源：本地新闻网"
    if html:
        body = "".join(f"<p>{p}</p>\n" for p in paras)
        return (f'<!doctype html><html><head><meta charset="{{charset}}"><title>{title}</title>'
                f"<style>p{{margin:0}}</style><script>var a=1;</script></head><body>"
                f'<nav>{"".join(f"<a href=#>{c}</a>" for c in ("首页", "新闻", "体育", "财经"))}</nav>'
                f'<div class="share">分享到：微博 微信</div><div class="article"><h1>{title}</h1>'
                f"<div>{meta}</div>\n{body}</div>"
                f'<ul class="related"><li><a href=#>{CHROME_TAIL[1]}</a></li></ul>'
                f"<footer>{CHROME_TAIL[-1]}</footer></body></html>")
    lines = [*CHROME_HEAD[: rng.randint(1, len(CHROME_HEAD))], title, meta]
    lines += ["\u3000\u3000" + p.replace("，", ",") for p in paras]
    lines += CHROME_TAIL[: rng.randint(1, len(CHROME_TAIL))]
    return "\n".join(lines) + "\n"


ENCODINGS = [("utf-8", 50), ("gbk", 25), ("big5", 12), ("utf-16", 5), ("utf-8-sig", 8)]


SEED = 20261124
GENERATOR = "g2"  # names the corpus directories: a corpus of an earlier generator is not reused


def generate(out: Path, megabytes: float, seed: int = SEED,
             reposts_of: tuple[int, int] | None = None) -> tuple[int, int]:
    """Write about ``megabytes`` of raw pages under ``out``; returns (files, bytes). With
    ``reposts_of`` (the seed and file count of an earlier corpus), reposts may come from it too."""
    clauses = clause_pool()
    s2t = get_converter("s2t")
    names, weights = zip(*ENCODINGS, strict=True)
    files = size = 0
    while size < megabytes * 1e6:
        rng = random.Random(f"{seed}/{files}")
        title, paras = article(rng, seed, files, clauses, reposts_of)
        encoding = rng.choices(names, weights)[0]
        traditional = encoding == "big5" or rng.random() < 0.1
        if encoding in ("utf-8", "utf-8-sig"):
            paras = [damage(rng, p) for p in paras]
        html = rng.random() < 0.5
        text = render(rng, title, paras, html).replace("{charset}", "big5" if encoding == "big5" else
                                                     "gbk" if encoding == "gbk" else "utf-8")
        if traditional:  # the whole page, chrome too, as a Traditional site writes it
            text = s2t.convert(text)
        data = text.encode(encoding, errors="replace")
        path = out / f"site{files % 37:02d}" / f"{files:06d}.{'html' if html else 'txt'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files += 1
        size += len(data)
    return files, size
