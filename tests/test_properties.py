"""Properties of the pure core, over generated input (hypothesis):

- ``clean_document`` never raises, whatever the bytes, and accounts for every line: in a text dump
  each non-blank line's span is covered by exactly one paragraph or reject; in a page the spans of
  paragraphs and rejects are disjoint;
- ``clean_paragraph`` is idempotent: cleaning clean output changes nothing;
- a paragraph's span in the decoded text is where its trace starts.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean_document, clean_paragraph
from pipeline.config import Config, load_config
from pipeline.decoding import decode
from pipeline.normalize import normalize_steps

CONFIG = load_config()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SIMPLIFIED = "中国人民发展经济会议这个们来说时要就出也得里后自以为记者报道市场县区社统计数据显示"
TRADITIONAL = "發揮國際經濟會議這個們來說時後裡與學習歷史實際體驗統計數據顯示縣區華東認真貫徹落實"
CHINESE_PUNCT = "，。！？；：“”‘’（）《》、…—·"
TOKENS = [
    "(fā)", "(huī)", "（guó）", "(jì)", "(社区)", "(王 卿)", "&amp;", "&nbsp;", "&#20013;", "&lt;p&gt;",
    "&quot;", "\u3000\u3000", "\u00a0", "\u200b", "？", "??", "?h", "1,000", "10:56", "http://x.cn/a?b=1",
    "ＧＤＰ２０２３", "责任编辑：王明", "来源：新华社", "手机版", "打印 纠错", "相关推荐", "锟斤拷", "鍒颁綅",
    "ÖÐ¹ú", "ä¸\xadå›½", "</span>", "<br/>", "\ufffd",
]
PIECE = st.one_of(
    st.text(alphabet=SIMPLIFIED, min_size=1, max_size=12),
    st.text(alphabet=TRADITIONAL, min_size=1, max_size=12),
    st.text(alphabet=CHINESE_PUNCT + ",.:;?!()[]\"'-/ ", min_size=1, max_size=3),
    st.text(alphabet="0123456789", min_size=1, max_size=4),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ", min_size=1, max_size=6),
    st.sampled_from(TOKENS),
)
TEXT = st.lists(PIECE, max_size=16).map("".join)
LINES = st.lists(st.one_of(TEXT, st.sampled_from(["", " ", "\u3000", "\r"])), min_size=1, max_size=12)
ENCODINGS = ["utf-8", "gb18030", "big5hkscs", "utf-16", "utf-8-sig"]
DECLARED = ["", "utf-8", "gbk", "gb2312", "big5", "utf-16", "iso-8859-1", "undefined", "punycode", "utf-7",
            "cp037", "idna", "hz", "unicode_escape", "nonsense"]


@st.composite
def raw_bytes(draw: st.DrawFn) -> bytes:
    """Bytes a scraper could leave: text dumps and pages in some encoding, damaged, or just noise."""
    kind = draw(st.sampled_from(["noise", "dump", "page"]))
    if kind == "noise":
        return draw(st.binary(max_size=400))
    lines = draw(LINES)
    if kind == "page":
        tags = st.sampled_from(["<p>", "</p>", "<div class='share'>", "</div>", "<h1>", "</h1>", "<br>",
                                "<script>x<y</script>", "<a href='/'>", "</a>", "<!--", "<b", "<nav>"])
        charset = draw(st.sampled_from(DECLARED))
        head = f'<html><head><meta charset="{charset}"></head>' if charset else "<html>"
        text = head + "<body>" + "".join(line + draw(tags) for line in lines)
    else:
        text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    damage = draw(st.sampled_from(["none", "truncate", "splice"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "splice":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at:]
    return data


def decoded_text(data: bytes, config: Config) -> str:
    d = config["decode"]
    return decode(data, d["candidates"], d["sample_bytes"], d["min_text_ratio"]).text


def assert_accounted(data: bytes, records: dict[str, Any], config: Config) -> None:
    """Every non-blank line of a dump in exactly one record; in a page, spans that do not overlap."""
    doc = records["document"]
    if doc["status"] == "quarantined":
        assert doc["reason"] and not records["paragraphs"] and not records["rejects"]
        return
    spans = sorted((r["source"]["start"], r["source"]["end"]) for r in records["paragraphs"] + records["rejects"])
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, f"overlapping spans in {spans}"
    if doc["format"] == "text":
        text, expected, pos = decoded_text(data, config), [], 0
        for line in text.split("\n"):
            body = line.rstrip("\r")
            if body.strip():
                expected.append((pos, pos + len(body)))
            pos += len(line) + 1
        assert spans == expected


@SETTINGS
@given(raw_bytes())
@example(b"")
@example(b"\x89PNG\r\n\x1a\n\x00")
@example("<html><body>" + "<div>" * 3000 + "深层。")
@example('<meta charset="undefined"><p>今天上午，本市召开新闻发布会。</p>')
def test_clean_document_never_raises_and_accounts_for_every_line(data: bytes | str) -> None:
    data = data.encode() if isinstance(data, str) else data
    result = clean_document(data, "site/page.html", CONFIG)
    assert_accounted(data, result.records(), CONFIG)


@SETTINGS
@given(TEXT)
@example("發(fā)揮作用，流入(流出)情況")
@example("連日來,各村(社區)報到:1,000人於10:56到場!")
@example("发(fā)(fā)")  # a reading given twice: the second was left, then read as ruby in the second pass
def test_clean_paragraph_is_idempotent(text: str) -> None:
    once = clean_paragraph(text, CONFIG).text
    twice = clean_paragraph(once, CONFIG).text
    assert twice == once


PUNCT = dict(normalize_steps(CONFIG["normalize"]))["punct"]


@pytest.mark.parametrize("text", ["真的?!", "个::", "他(社区):", "好的!)"])
def test_punctuation_settles_in_one_pass(text: str) -> None:
    once = PUNCT(text)
    assert PUNCT(once) == once


@SETTINGS
@given(LINES, st.sampled_from(ENCODINGS))
def test_paragraph_spans_are_where_their_traces_start(lines: list[str], encoding: str) -> None:
    data = "\n".join(lines).encode(encoding, "replace")
    result = clean_document(data, "dump.txt", CONFIG)
    if result.document["status"] != "ok":
        return
    text = decoded_text(data, CONFIG)
    for p in result.paragraphs:
        trace = result.traces[p["id"]]
        assert text[p["source"]["start"]:p["source"]["end"]] == (trace[0][1] if trace else p["text"])
