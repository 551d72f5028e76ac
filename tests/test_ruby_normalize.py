"""Ruby-pinyin debris and typography normalization."""

from __future__ import annotations

import pytest

from pipeline.normalize import fullwidth_alnum, han_punctuation, is_settled, strip_invisible
from pipeline.ruby import remove_ruby


@pytest.mark.parametrize("damaged,clean", [
    ("推動(dòng)經濟發(fā)展", "推動經濟發展"),
    ("加強(qiáng)協(xié)作", "加強協作"),
    ("銀行(háng)業", "銀行業"),          # a second reading of 行 is accepted
    ("（yí）", "（yí）"),                  # no character before it: not ruby
])
def test_ruby_pinyin_removed(damaged: str, clean: str) -> None:
    assert remove_ruby(damaged) == clean


@pytest.mark.parametrize("text", [
    "各村(社區)報到", "摸排流入(流出)人口", "記者 (王 卿)", "使用App(应用)下单", "见(a)项和(b)项",
    "学(hǎo)", "茶(cha1)",
])
def test_real_brackets_stay(text: str) -> None:
    assert remove_ruby(text) == text


def test_tone_marks_may_sit_on_the_wrong_vowel() -> None:
    assert remove_ruby("学(xúe)习") == "学习"


def test_punctuation_beside_han_becomes_full_width() -> None:
    assert han_punctuation("他说:我们来了!真的吗?是的,(完)") == "他说：我们来了！真的吗？是的，（完）"
    assert han_punctuation("共1,234人,会议10:30开始") == "共1,234人，会议10:30开始"
    assert han_punctuation("Hello, world! (test)") == "Hello, world! (test)"
    assert han_punctuation("访问 https://example.com/a?b=1,2 查看") == "访问 https://example.com/a?b=1,2 查看"
    assert han_punctuation("工作 (记者 李华)") == "工作 （记者 李华）"
    assert han_punctuation("合力??h机关", [(2, 4)]) == "合力??h机关"
    assert han_punctuation("太好了!!!!!!!!!!!!") == "太好了" + "！" * 12  # a run widens whole, however long
    assert han_punctuation("太好了!!!", [(4, 5)]) == "太好了！!!"  # a protected mark widens none beyond it


def test_marks_in_urls_and_protected_spans_stay() -> None:
    text = "见www.example.com/a,b(c) 页面,合力??h机关:"
    lost = text.index("??")
    assert han_punctuation(text) == "见www.example.com/a,b(c) 页面，合力？？h机关："  # a run of marks beside Han
    assert han_punctuation(text, [(lost, lost + 3)]) == "见www.example.com/a,b(c) 页面，合力??h机关："


@pytest.mark.parametrize("text", ["正文，内容。", "正文 内容", "正文,内容", " 正文", "正文 ", "正文  内容", "正文\n",
                                  "正文 \n", "正文\u3000", "ＧＤＰ", "e\u0301", "\u200b"])
def test_settled_text_is_what_no_step_changes(text: str) -> None:
    assert is_settled(text) == (text in ("正文，内容。", "正文 内容"))
    if is_settled(text):
        assert all(step(text) == text for step in (fullwidth_alnum, strip_invisible, han_punctuation))


def test_width_and_invisible_characters() -> None:
    assert fullwidth_alnum("２０２３年ＧＤＰ增长５％") == "2023年GDP增长5％"
    assert strip_invisible("\u3000\u3000首行\u200b缩进\u00a0\u00a0和\ufeff空格\x07 ") == "首行缩进和空格"
    assert strip_invisible("A\u00a0B 和\u3000C") == "A B 和 C"


def test_script_stage_is_idempotent_where_opencc_is_not(config) -> None:
    from pipeline.clean import clean_paragraph

    for text, once in (("薴麻", "苎麻"), ("乾清宮的大門", "乾清宫的大门"), ("参观了乾清宫", "参观了乾清宫")):
        first = clean_paragraph(text, config).text
        assert first == once
        assert clean_paragraph(first, config).text == first
