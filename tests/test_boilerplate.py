"""Chrome removal: every rule pack's own examples, zones, widget lines, metadata parsing."""

from __future__ import annotations

import random
import unicodedata

import pytest

from pipeline.boilerplate import RuleSet, match_key, nfkc, parse_date, parse_metadata, remove_boilerplate
from pipeline.config import load_config
from pipeline.records import Block

CONFIG = load_config()
RULES = RuleSet.from_config(CONFIG)
EXAMPLES = [(r.id, e) for r in CONFIG.rules for e in r.examples]
COUNTER = [(r.id, e) for r in CONFIG.rules for e in r.counter_examples]


@pytest.mark.parametrize("rule_id,line", EXAMPLES)
def test_rule_pack_examples_match_their_rule(rule_id: str, line: str) -> None:
    rule = next(r for r in CONFIG.rules if r.id == rule_id)
    assert RULES.matches(rule, match_key(line))
    assert RULES.match(match_key(line)) is not None


@pytest.mark.parametrize("rule_id,line", COUNTER)
def test_rule_pack_counter_examples_match_no_rule(rule_id: str, line: str) -> None:
    assert RULES.match(match_key(line)) is None
    assert not RULES.is_widget_line(match_key(line))


def test_rules_match_traditional_lines_too() -> None:
    assert RULES.match(match_key("相關專題 |")).id == "related-zones/related-header"
    assert RULES.match(match_key("（責任編輯：陳某）")).id == "metadata/editor-line"


@pytest.mark.parametrize("line", ["本站首页 打印 纠错", "【打印】 【关闭】", "分享 收藏 评论", "大 中 小"])
def test_widget_lines(line: str) -> None:
    assert RULES.is_widget_line(match_key(line))


def test_dates_to_iso() -> None:
    assert parse_date("2021年01月18日10:56") == "2021-01-18T10:56"
    assert parse_date("发布时间：2023-6-2") == "2023-06-02"
    assert parse_date("2022/02/11 07:03:09") == "2022-02-11T07:03:09"
    assert parse_date("第13版") is None


def test_metadata_fields() -> None:
    words = RULES.widget_words
    assert parse_metadata(match_key("发布时间:2020年03月05日 13:47 来源:“某地党建”公众号 编辑:李小明 打印"), words) == {
        "published": "2020-03-05T13:47", "source_name": "“某地党建”公众号", "editor": "李小明"}
    assert parse_metadata(match_key("江南晚报 2022-02-11 07:03 大字"), words) == {
        "published": "2022-02-11T07:03", "source_name": "江南晚报"}
    assert parse_metadata(match_key("本报记者 张明 通讯员 李华"), words) == {
        "reporter": "张明", "correspondent": "李华", "author": "张明"}
    assert parse_metadata(match_key("2023/08/05 22:41　記者陳某某／某地報導"), words) == {
        "published": "2023-08-05T22:41", "reporter": "陈某某", "author": "陈某某"}


def _blocks(lines: list[str]) -> list[Block]:
    return [Block("body", t, i * 100, i * 100 + len(t)) for i, t in enumerate(lines)]


BODY = "今年夏天，全市新建的十二座口袋公园陆续向市民开放，周边居民纷纷前来散步健身。"


def test_head_zone_keeps_the_longest_line_as_title() -> None:
    blocks = _blocks(["网站首页", "城区十二座口袋公园向市民开放", "保护绿地人人有责", BODY, "园内还设置了儿童游乐区。"])
    out = remove_boilerplate(blocks, RULES, CONFIG["boilerplate"], is_html=False)
    assert [(b.kind, b.text) for b in out.kept] == [
        ("title", "城区十二座口袋公园向市民开放"), ("body", BODY), ("body", "园内还设置了儿童游乐区。")]
    assert {r.block.text: r.rule for r in out.rejected} == {
        "网站首页": "portal-chrome/site-switch", "保护绿地人人有责": "head-zone"}


def test_tail_zone_drops_everything_after_the_header() -> None:
    blocks = _blocks([BODY, "相关新闻", "另一座城市也在建公园，计划年底前完成全部工程。", "（责任编辑：王某）"])
    out = remove_boilerplate(blocks, RULES, CONFIG["boilerplate"], is_html=False)
    assert [b.text for b in out.kept] == [BODY]
    assert [r.rule for r in out.rejected] == [
        "related-zones/related-header", "related-zones/related-header", "metadata/editor-line"]
    assert out.metadata == {"editor": "王某"}


def test_short_lines_in_the_body_are_headings_not_removed() -> None:
    blocks = _blocks([BODY, "公园管理有新规", BODY.replace("今年", "去年"), "（完）"])
    out = remove_boilerplate(blocks, RULES, CONFIG["boilerplate"], is_html=False)
    assert [b.kind for b in out.kept] == ["body", "heading", "body"]
    assert [r.rule for r in out.rejected] == ["newspaper-print/end-mark"]


def test_weekdays_editions_and_bracketed_sources() -> None:
    assert parse_date("2020年2月5日 星期三 08:12") == "2020-02-05T08:12"
    words = RULES.widget_words
    assert parse_metadata(match_key("第03版：要闻"), words) == {"edition": "3"}
    assert parse_metadata(match_key("【2019.08.11】【来源：东方快讯】【作者：孟子涵】"), words) == {
        "published": "2019-08-11", "source_name": "东方快讯", "author": "孟子涵"}
    assert RULES.match(match_key("（下转第4版）")).id == "newspaper-print/continued"  # not an edition line


@pytest.mark.parametrize("line", ["（責任編輯：陳某）", "分享 收藏 评论", "网站首页", BODY, "（下转第4版）", " "])
def test_a_verdict_is_what_the_rules_say_of_the_line(line: str) -> None:
    key = match_key(line)
    rule = RULES.match(key) if key else None
    assert RULES.verdict(line) == (key, rule, bool(key) and rule is None and RULES.is_widget_line(key))
    assert RULES.verdict(line) is RULES.verdict(line)  # repeated lines are looked up, not matched again


def test_a_line_longer_than_any_rule_gets_no_key() -> None:
    assert RULES.verdict(BODY * 4) == ("", None, False)


def test_nfkc_equals_unicodedata():
    """The fast path (full-width forms replaced, then a normalization check) gives NFKC exactly,
    also where a replaced form meets a combining mark, Hangul jamo or other compatibility characters."""
    rng = random.Random(7)
    pool = [chr(c) for c in [*range(0xFF00, 0xFFF0), *range(0x3000, 0x3040), *range(0x4E00, 0x4E20), 0x301, 0x308,
                             0x3099, 0x309A, 0x2460, 0x3231, 0x33A1, 0x2103, 0xAC00, 0x1100, 0x1161, 0x304B, 0xFB01,
                             0x2126, 0x212B, 0xF900, 0x41, 0x61, 0x20, 0x2C]]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(30_000)]
    assert [t for t in texts if nfkc(t) != unicodedata.normalize("NFKC", t)] == []
