"""Decoding: BOM, declaration, detection checked by the character model; non-text refused."""

from __future__ import annotations

import codecs

import pytest

from pipeline.decoding import NotText, decode

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
