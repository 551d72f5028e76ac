"""Decoding: BOM, declaration, detection checked by the character model; non-text refused."""

from __future__ import annotations

import codecs
from itertools import pairwise

import pytest

from pipeline.decoding import MAGIC, NotText, decode, sniff_binary

TEXT = "新建的市图书馆今天正式向市民开放，首日接待读者三千余人次。馆内设有少儿阅读区和古籍修复室。"
TRAD = "新建的市圖書館今天正式向市民開放，首日接待讀者三千餘人次。館內設有少兒閱讀區和古籍修復室。"
CANDS = ["utf-8", "gb18030", "big5hkscs", "utf-16-le", "utf-16-be"]


def dec(data: bytes):
    return decode(data, CANDS, 65536, 0.7)


@pytest.mark.parametrize("bom,codec,name", [
    (codecs.BOM_UTF8, "utf-8", "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
])
def test_bom_wins(bom: bytes, codec: str, name: str) -> None:
    d = dec(bom + TEXT.encode(codec))
    assert (d.text, d.encoding, d.evidence) == (TEXT, name, "bom")


def test_declared_gbk_is_read_as_gb18030() -> None:
    page = f'<html><head><meta charset="gb2312"></head><body><p>{TEXT}</p></body></html>'
    d = dec(page.encode("gb18030"))
    assert d.encoding == "gb18030" and d.evidence == "declared" and TEXT in d.text


def test_lying_declaration_loses_to_the_bytes() -> None:
    page = f'<html><head><meta charset="utf-8"></head><body><p>{TEXT}</p></body></html>'
    d = dec(page.encode("gbk"))
    assert TEXT in d.text and d.encoding == "gb18030" and d.evidence == "detected"
    assert d.declared == "utf-8"


def test_utf8_declared_as_gbk_is_utf8() -> None:
    page = f'<html><head><meta charset="gbk"></head><body><p>{TEXT}</p></body></html>'
    d = dec(page.encode("utf-8"))
    assert TEXT in d.text and d.encoding == "utf-8"


@pytest.mark.parametrize("text,codec,expected", [
    (TEXT, "gbk", "gb18030"), (TRAD, "big5", "big5hkscs"), (TEXT, "utf-16-le", "utf-16-le"),
    (TEXT, "utf-16-be", "utf-16-be"), (TEXT[:12], "gbk", "gb18030"), (TRAD[:12], "big5", "big5hkscs"),
])
def test_detection_without_declaration(text: str, codec: str, expected: str) -> None:
    d = dec(text.encode(codec))
    assert d.text == text and d.encoding == expected and d.evidence == "detected"
    assert d.runner_up and d.runner_up != expected


def test_ascii_heavy_utf16_without_bom() -> None:
    text = "Report 2023: GDP grew 5.2% in the first half, 上半年增长5.2%.\n" * 5
    d = dec(text.encode("utf-16-le"))
    assert d.text == text and d.encoding == "utf-16-le"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "png image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "pdf document"), (b"\x1f\x8b\x08\x00" + b"\x00" * 50, "gzip archive"),
    (bytes(range(256)) * 20, "not text"),
])
def test_not_text_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NotText, match=reason):
        dec(data)


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_without_bom(codec: str) -> None:
    d = dec(TEXT.encode(codec))
    assert (d.text, d.encoding, d.evidence) == (TEXT, codec, "detected")


def test_utf8_with_stray_bytes_stays_utf8() -> None:
    data = TEXT.encode() + b"\xff" + TRAD.encode() + b"\x80\n"
    d = dec(data)
    assert d.encoding == "utf-8" and d.text == data.decode("utf-8", "replace") and d.spans == ()


@pytest.mark.parametrize("declared,codec,text", [
    ("gbk", "big5", TRAD), ("big5", "gbk", TEXT), ("iso-8859-1", "gbk", TEXT), ("shift_jis", "gbk", TEXT),
    ("utf-8", "big5", TRAD), ("euc-kr", "big5", TRAD),
])
def test_declaration_the_bytes_contradict_loses(declared: str, codec: str, text: str) -> None:
    page = f'<html><head><meta charset="{declared}"></head><body><p>{text}</p></body></html>'
    d = dec(page.encode(codec))
    assert d.text == page and d.evidence == "detected" and d.declared == declared


def test_utf8_template_around_a_gbk_article_is_decoded_in_spans() -> None:
    head, body, tail = '<html><head><meta charset="utf-8"><title>本地新闻</title></head><body>\n', f"<p>{TEXT}</p>\n", (
        "<footer>版权所有</footer></body></html>\n")
    d = dec(head.encode() + (body * 3).encode("gbk") + tail.encode())
    assert d.text == head + body * 3 + tail
    assert d.encoding == "gb18030" and d.evidence == "detected" and d.declared == "utf-8"
    assert [enc for _, _, enc in d.spans] == ["utf-8", "gb18030", "utf-8"]
    assert d.spans[0][0] == 0 and d.spans[-1][1] == len(d.text)
    assert all(a[1] == b[0] for a, b in pairwise(d.spans))
    gbk_start, gbk_end = d.spans[1][:2]
    assert TEXT in d.text[gbk_start:gbk_end] and "本地新闻" not in d.text[gbk_start:gbk_end]
    assert d.spans_field()["encoding_spans"][1] == {"start": gbk_start, "end": gbk_end, "encoding": "gb18030"}


def test_big5_page_with_a_utf8_footer() -> None:
    text = f"{TRAD}\n{TRAD}\n"
    d = dec(text.encode("big5") + "版权所有 联系我们\n".encode())
    assert d.text == text + "版权所有 联系我们\n" and d.encoding == "big5hkscs"
    assert [(s, e, enc) for s, e, enc in d.spans] == [(0, len(text), "big5hkscs"), (len(text), len(d.text), "utf-8")]


def test_utf8_bom_over_a_gbk_body() -> None:
    head = "<html><body><h1>本地新闻网</h1>\n"
    d = dec(codecs.BOM_UTF8 + head.encode() + f"<p>{TEXT}</p>\n".encode("gbk"))
    assert d.text == head + f"<p>{TEXT}</p>\n" and {enc for _, _, enc in d.spans} == {"utf-8", "gb18030"}


def test_single_encoding_has_no_spans_field() -> None:
    d = dec(TEXT.encode("gbk"))
    assert d.spans == () and d.spans_field() == {}


def test_valid_utf8_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> float:
        raise AssertionError("scored")

    monkeypatch.setattr("pipeline.decoding.reading_total", boom)
    monkeypatch.setattr("chardet.detect", boom)
    d = dec(f'<meta charset="gbk"><p>{TEXT}</p>'.encode())
    assert d.encoding == "utf-8" and TEXT in d.text


def test_chardet_only_on_close_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> dict:
        raise AssertionError("chardet asked")

    monkeypatch.setattr("chardet.detect", boom)
    for text, codec in ((TEXT, "gbk"), (TRAD, "big5"), (TEXT[:12], "gbk")):
        assert dec(text.encode(codec)).text == text


def test_chardets_guess_is_checked_by_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A close call asks chardet; a wrong guess (Shift-JIS for GBK) does not win against Chinese."""
    monkeypatch.setattr("pipeline.decoding.CLOSE_CALL", 99.0)
    monkeypatch.setattr("chardet.detect", lambda data: {"encoding": "SHIFT_JIS", "confidence": 0.99})
    d = decode(TEXT.encode("gbk"), ["gb18030", "big5hkscs"], 65536, 0.7)
    assert d.text == TEXT and d.encoding == "gb18030"


@pytest.mark.parametrize(("magic", "what"), MAGIC)
def test_every_magic_number_is_sniffed(magic: bytes, what: str) -> None:
    assert sniff_binary(magic + b"\0rest") == f"not text: {what}"


def test_text_is_not_sniffed_as_binary() -> None:
    assert sniff_binary(b"<html>") is None and sniff_binary("正文".encode("gb18030")) is None
    assert sniff_binary(b"") == "empty file"
